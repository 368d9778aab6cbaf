"""A canned ``/graphql`` server on 127.0.0.1 for the memory benches: the client is measured."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web


async def serve_graphql(
    handle: Callable[[web.Request], Awaitable[web.Response]], port_queue: Any
) -> None:
    """Serve ``handle`` on ``/graphql`` at a free port, put the port on ``port_queue``, run on."""
    app = web.Application(client_max_size=64 * 1024**2)
    app.router.add_post("/graphql", handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port_queue.put(runner.addresses[0][1])
    await asyncio.Event().wait()
