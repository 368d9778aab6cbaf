"""What the memory benches share: a canned ``/graphql`` server on 127.0.0.1 (so the client is
what is measured) and the process's current RSS."""

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


def current_rss_mb() -> float:
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0
