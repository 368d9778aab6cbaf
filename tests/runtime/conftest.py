from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.runtime.replay import ReplayServer
from twenty_gql.retry import RetryPolicy

CANARY_KEY = "canary-KEY-8f1e2d3c4b5a69788796a5b4c3d2e1f0"

FAST_RETRY = RetryPolicy(max_attempts=3, base_delay=0.01, max_delay=0.02)


@pytest.fixture
async def replay() -> AsyncIterator[ReplayServer]:
    server = ReplayServer()
    await server.start()
    try:
        yield server
    finally:
        await server.stop()
