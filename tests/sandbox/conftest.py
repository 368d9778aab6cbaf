"""Helpers for sandbox tests: every test talks to a real sandbox over HTTP on 127.0.0.1."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest_asyncio

from twenty_gql.sandbox import Sandbox


@dataclass
class Reply:
    status: int
    body: Any

    @property
    def data(self) -> Any:
        return self.body.get("data")

    @property
    def errors(self) -> list[dict[str, Any]]:
        return list(self.body.get("errors") or [])

    @property
    def codes(self) -> list[tuple[Any, Any]]:
        return [
            ((e.get("extensions") or {}).get("code"), (e.get("extensions") or {}).get("subCode"))
            for e in self.errors
        ]


class Client:
    def __init__(self, session: aiohttp.ClientSession, sandbox: Sandbox, key: str | None) -> None:
        self.session = session
        self.sandbox = sandbox
        self.key = key

    async def post(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        endpoint: str = "/graphql",
        key: str | None | bool = True,
        operation_name: str | None = None,
    ) -> Reply:
        token = self.key if key is True else (None if key is False else key)
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        body: dict[str, Any] = {"query": query, "variables": variables}
        if operation_name:
            body["operationName"] = operation_name
        async with self.session.post(
            self.sandbox.url + endpoint, json=body, headers=headers
        ) as response:
            return Reply(response.status, await response.json(content_type=None))

    async def ok(self, query: str, variables: dict[str, Any] | None = None, **kw: Any) -> Any:
        reply = await self.post(query, variables, **kw)
        assert reply.status == 200, reply.body
        assert not reply.errors, reply.errors
        return reply.data


@pytest_asyncio.fixture
async def sandbox() -> AsyncIterator[Sandbox]:
    async with Sandbox.start(port=0, rate_limit=None, profile="self-hosted") as sb:
        yield sb


@pytest_asyncio.fixture
async def client(sandbox: Sandbox) -> AsyncIterator[Client]:
    async with aiohttp.ClientSession() as session:
        yield Client(session, sandbox, sandbox.api_key)


def transcript(reference_dir: Path, number: int) -> dict[str, Any]:
    """The reference transcript ``number`` (tests/fixtures/reference/transcripts)."""
    (path,) = (reference_dir / "transcripts").glob(f"{number}-*.json")
    return dict(json.loads(path.read_text()))


def swap_ids(value: Any, ids: dict[str, str]) -> Any:
    """``value`` with the reference's record ids replaced by the sandbox's."""
    text = json.dumps(value)
    for theirs, ours in ids.items():
        text = text.replace(theirs, ours)
    return json.loads(text)
