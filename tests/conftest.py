"""Shared test fixtures. Reference data recorded from a real Twenty 2.21.0 server lives in
``tests/fixtures/reference`` (a copy of ../shared/twenty-reference; tests never read ../shared)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.redis_server import RedisServer

REFERENCE = Path(__file__).parent / "fixtures" / "reference"


@pytest.fixture(scope="session")
def reference_dir() -> Path:
    return REFERENCE


@pytest.fixture
def redis_server() -> Iterator[RedisServer]:
    """A redis-server of this test's own, which the test may kill and start again."""
    server = RedisServer()
    server.start()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """The URL of a redis-server shared by the session's tests."""
    server = RedisServer()
    server.start()
    try:
        yield server.url
    finally:
        server.close()
