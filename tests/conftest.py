"""Shared test fixtures. Reference data recorded from a real Twenty 2.21.0 server lives in
``tests/fixtures/reference`` (a copy of ../shared/twenty-reference; tests never read ../shared)."""

from __future__ import annotations

from pathlib import Path

import pytest

REFERENCE = Path(__file__).parent / "fixtures" / "reference"


@pytest.fixture(scope="session")
def reference_dir() -> Path:
    return REFERENCE
