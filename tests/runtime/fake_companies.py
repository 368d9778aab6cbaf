"""A tiny Twenty-like ``companies`` connection on 127.0.0.1, for pagination tests.

It reads only the variables (``first``, ``after``, ``filter``, ``orderBy``) and answers like
Twenty: keyset cursors (base64 JSON of the sort key and id, transcript 102), ``hasNextPage``,
``endCursor``, ``totalCount`` for the whole filter, and records in the ``CompanyFields`` shape.
Records can be inserted between pages, as another client would.
"""

from __future__ import annotations

import base64
import copy
import json
import uuid
from typing import Any

from aiohttp import web

from tests.runtime.loopback import serve
from tests.runtime.records import recorded_companies


def _matches(record: dict[str, Any], where: dict[str, Any] | None) -> bool:
    if not where:
        return True
    for key, condition in where.items():
        if key == "and":
            if not all(_matches(record, sub) for sub in condition):
                return False
            continue
        value = record[key]
        for op, operand in condition.items():
            if op == "eq" and value != operand:
                return False
            if op == "gt" and not value > operand:
                return False
            if op == "like" and not value.startswith(operand.rstrip("%")):
                return False
    return True


class FakeCompanies:
    def __init__(self) -> None:
        self.template = recorded_companies(1)[0]
        self.records: list[dict[str, Any]] = []
        self.requests: list[dict[str, Any]] = []
        self.url = ""
        self._runner: web.AppRunner | None = None

    def insert(self, name: str) -> dict[str, Any]:
        record = copy.deepcopy(self.template)
        record["id"] = str(uuid.uuid4())
        record["name"] = name
        self.records.append(record)
        return record

    def _sort_key(self, order_by: list[dict[str, str]] | None) -> str:
        return next(iter(order_by[0])) if order_by else "name"

    async def _handle(self, request: web.Request) -> web.Response:
        body = await request.json()
        variables = body.get("variables") or {}
        self.requests.append(variables)
        key = self._sort_key(variables.get("orderBy"))
        rows = sorted(
            (r for r in self.records if _matches(r, variables.get("filter"))),
            key=lambda r: (r[key], r["id"]),
        )
        total = len(rows)
        if variables.get("after"):
            cursor = json.loads(base64.b64decode(variables["after"]))
            position = (cursor[key], cursor["id"])
            rows = [r for r in rows if (r[key], r["id"]) > position]
        first = variables.get("first") or 200
        page, more = rows[:first], len(rows) > first

        def cursor_of(r: dict[str, Any]) -> str:
            return base64.b64encode(json.dumps({key: r[key], "id": r["id"]}).encode()).decode()

        connection = {
            "totalCount": total,
            "pageInfo": {
                "hasNextPage": more,
                "hasPreviousPage": False,
                "startCursor": cursor_of(page[0]) if page else None,
                "endCursor": cursor_of(page[-1]) if page else None,
            },
            "edges": [{"cursor": cursor_of(r), "node": r} for r in page],
        }
        return web.json_response({"data": {"companies": connection}})

    async def start(self) -> None:
        self._runner, self.url = await serve(self._handle, "/graphql")

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
