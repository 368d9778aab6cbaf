"""A local aiohttp server on 127.0.0.1 that replays recorded Twenty answers and injects faults.

Each POST takes the next scripted :class:`Reply` (or the default one when the script is empty)
and records what it received, so tests can assert on headers, bodies and call counts.
"""

from __future__ import annotations

import asyncio
import json
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import web

from tests.runtime.loopback import serve

TRANSCRIPTS = Path(__file__).parent.parent / "fixtures" / "reference" / "transcripts"


def transcript(number: int) -> dict[str, Any]:
    (path,) = TRANSCRIPTS.glob(f"{number:02d}-*.json")
    data: dict[str, Any] = json.loads(path.read_text())
    return data


@dataclass
class Reply:
    status: int = 200
    body: Any = None
    content_type: str = "application/json"
    drop: bool = False
    """Close the connection without answering."""
    delay: float = 0.0

    @classmethod
    def recorded(cls, number: int) -> Reply:
        t = transcript(number)
        content_type = t["response_headers"]["content-type"].split(";")[0]
        return cls(status=t["http_status"], body=t["response"], content_type=content_type)

    @classmethod
    def data(cls, data: dict[str, Any]) -> Reply:
        return cls(body={"data": data})


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]
    raw: bytes


@dataclass
class ReplayServer:
    default: Reply = field(default_factory=lambda: Reply.data({}))
    script: deque[Reply] = field(default_factory=deque)
    received: list[Received] = field(default_factory=list)
    url: str = ""
    _runner: web.AppRunner | None = None

    def queue(self, *replies: Reply) -> None:
        self.script.extend(replies)

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        raw = await request.read()
        self.received.append(Received(request.path, dict(request.headers), json.loads(raw), raw))
        reply = self.script.popleft() if self.script else self.default
        if reply.delay:
            await asyncio.sleep(reply.delay)
        if reply.drop:
            assert request.transport is not None
            request.transport.close()
            return web.Response()
        text = reply.body if isinstance(reply.body, str) else json.dumps(reply.body)
        return web.Response(status=reply.status, text=text, content_type=reply.content_type)

    async def start(self) -> None:
        self._runner, self.url = await serve(self._handle, "/graphql", "/metadata")

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
