"""A Twenty-like /graphql on 127.0.0.1 that throttles with the server's token bucket.

The bucket is the one NOTES.md (n) describes: ``capacity`` tokens per workspace, refilled
continuously at ``capacity / window`` a second, one token per request, throttled requests not
executed and not charged, answered with HTTP 200 and transcript 77's error body.
"""

from __future__ import annotations

import asyncio
from typing import Any

from aiohttp import web

from tests.runtime.loopback import serve


class BucketServer:
    def __init__(self, capacity: int, window: float) -> None:
        self.capacity = capacity
        self.window = window
        self.tokens = float(capacity)
        self.last: float | None = None
        self.executed = 0
        self.throttled = 0
        self.url = ""
        self._runner: web.AppRunner | None = None

    def _take(self) -> bool:
        now = asyncio.get_running_loop().time()
        if self.last is not None:
            self.tokens = min(
                self.capacity, self.tokens + (now - self.last) * self.capacity / self.window
            )
        self.last = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False

    def drain(self) -> None:
        """As if another program had just spent the whole budget."""
        self.tokens = 0.0
        self.last = asyncio.get_running_loop().time()

    async def _handle(self, request: web.Request) -> web.Response:
        await request.read()
        if request.path == "/graphql" and not self._take():
            self.throttled += 1
            limit = f"Limit reached ({self.capacity} tokens per {int(self.window * 1000)} ms)"
            body: dict[str, Any] = {
                "data": {"companies": None},
                "errors": [
                    {
                        "message": limit,
                        "extensions": {
                            "subCode": "LIMIT_REACHED",
                            "userFriendlyMessage": "Rate limit reached. Please try again later.",
                            "code": "BAD_USER_INPUT",
                        },
                    }
                ],
            }
            return web.json_response(body)
        self.executed += 1
        return web.json_response({"data": {"companies": {"totalCount": self.executed}}})

    async def start(self) -> None:
        self._runner, self.url = await serve(self._handle, "/graphql", "/metadata")

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
