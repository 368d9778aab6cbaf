"""pytest plugin: the ``twenty_sandbox`` fixture (a running sandbox per test).

Registered as the ``twenty_gql_sandbox`` pytest11 entry point. Tests that need other options
build their own: ``async with Sandbox.start(port=0, seed="empty", rate_limit=None) as sb``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest_asyncio

from .app import Sandbox


@pytest_asyncio.fixture
async def twenty_sandbox() -> AsyncIterator[Sandbox]:
    """A sandbox on 127.0.0.1 (random port, in-memory, demo seed, cloud profile, no rate limit)."""
    async with Sandbox.start(host="127.0.0.1", port=0, rate_limit=None) as sb:
        yield sb
