"""A fake Twenty workspace on 127.0.0.1 that answers introspection like the reference server.

It runs an aiohttp server in a background thread with its own event loop, so both sync tests
(typer's CliRunner calls ``asyncio.run``) and async tests can talk to it over real HTTP.

Behaviour per request, following the recorded reference answers:
- ``Bearer <valid key>``: the recorded introspection result of the endpoint (or an override);
- any other ``Bearer`` token: the recorded "Token invalid." answer (transcripts 44 / 47);
- no ``Authorization`` header (or ``ignore_auth``, a proxy that drops it): on ``/graphql``
  the introspection of an unauthenticated schema without record fields (43), on ``/metadata``
  the recorded FORBIDDEN answer (46).
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import web
from graphql import build_schema, introspection_from_schema

Handler = Callable[[web.Request], web.Response]

# A stand-in for the schema Twenty serves without a token: it has a Query type (transcript 43
# says 'Cannot query field "companies" on type "Query"') but no record fields.
UNAUTHENTICATED_SDL = """
type Query {
  "Whether the server is up."
  health: Boolean
}
"""


def transcript_response(reference_dir: Path, name: str) -> dict[str, Any]:
    matches = sorted((reference_dir / "transcripts").glob(f"{name}-*.json"))
    assert len(matches) == 1, f"expected one transcript {name}, found {matches}"
    response = json.loads(matches[0].read_text(encoding="utf-8"))["response"]
    assert isinstance(response, dict)
    return response


@dataclass
class FakeTwenty:
    valid_key: str
    bodies: dict[str, bytes]
    reference_dir: Path
    ignore_auth: bool = False
    overrides: dict[str, Handler] = field(default_factory=dict)
    seen_auth: list[tuple[str, str | None]] = field(default_factory=list)
    url: str = ""

    def serve_introspection(self, path: str, introspection: dict[str, Any]) -> None:
        """Answer ``path`` for the valid key with this introspection result instead."""
        self.bodies[path] = json.dumps(introspection).encode("utf-8")

    async def handle(self, request: web.Request) -> web.Response:
        auth = request.headers.get("Authorization")
        self.seen_auth.append((request.path, auth))
        if request.path in self.overrides:
            return self.overrides[request.path](request)
        payload = await request.json()
        if "__schema" not in payload.get("query", ""):
            return web.json_response({"errors": [{"message": "fake server: not introspection"}]})
        if self.ignore_auth or auth is None:
            return self._unauthenticated(request.path)
        if auth != f"Bearer {self.valid_key}":
            name = "44" if request.path == "/graphql" else "47"
            return web.json_response(transcript_response(self.reference_dir, name))
        return web.Response(body=self.bodies[request.path], content_type="application/json")

    def _unauthenticated(self, path: str) -> web.Response:
        if path == "/metadata":
            return web.json_response(transcript_response(self.reference_dir, "46"))
        data = introspection_from_schema(build_schema(UNAUTHENTICATED_SDL))
        return web.json_response({"data": data})


@contextmanager
def running_fake_twenty(
    valid_key: str, bodies: dict[str, bytes], reference_dir: Path
) -> Iterator[FakeTwenty]:
    fake = FakeTwenty(valid_key=valid_key, bodies=dict(bodies), reference_dir=reference_dir)
    app = web.Application(client_max_size=1024**2)
    app.router.add_post("/graphql", fake.handle)
    app.router.add_post("/metadata", fake.handle)
    loop = asyncio.new_event_loop()
    runner = web.AppRunner(app)

    async def start() -> str:
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        host, port = runner.addresses[0][:2]
        return f"http://{host}:{port}"

    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    try:
        fake.url = asyncio.run_coroutine_threadsafe(start(), loop).result(timeout=10)
        yield fake
    finally:
        asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(timeout=10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)
        loop.close()
