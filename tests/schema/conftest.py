"""Fixtures for the pull / drift tests: the reference introspection answers and a fake
Twenty workspace serving them on 127.0.0.1."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.schema.fake_twenty import FakeTwenty, running_fake_twenty

# A key that must never show up in any output or file.
CANARY_KEY = "canary-KEY-5f1d0c9e7b3a"
REPO_ROOT = Path(__file__).resolve().parents[2]
COMMITTED_SCHEMA_DIR = REPO_ROOT / "schema"


def load_introspection(reference_dir: Path, name: str) -> dict[str, Any]:
    """A fresh copy of the recorded introspection answer ``{"data": {"__schema": ...}}``."""
    result = json.loads((reference_dir / f"{name}.introspection.json").read_text("utf-8"))
    assert isinstance(result, dict)
    return result


@pytest.fixture(scope="session")
def reference_bodies(reference_dir: Path) -> dict[str, bytes]:
    return {
        "/graphql": (reference_dir / "core.introspection.json").read_bytes(),
        "/metadata": (reference_dir / "metadata.introspection.json").read_bytes(),
    }


@pytest.fixture
def fake_twenty(reference_dir: Path, reference_bodies: dict[str, bytes]) -> Iterator[FakeTwenty]:
    with running_fake_twenty(CANARY_KEY, reference_bodies, reference_dir) as fake:
        yield fake
