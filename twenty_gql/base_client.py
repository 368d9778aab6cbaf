"""The base class that ariadne-codegen's generated clients subclass.

CONTRACT (kept by the runtime, relied on by the generated code and by codegen's shim):
- ``BaseClient(runtime, endpoint)``; generated clients are built by the ``Twenty`` facade.
- ``unset_type``: a class attribute the generated package's shim sets to its own ``UnsetType``;
  variables holding an instance of it are dropped before sending.
- ``async execute(query, operation_name=None, variables=None, **kwargs) -> GraphQLResponse``
  sends one operation and reads the whole body.
- ``get_data(response) -> dict[str, Any]`` returns ``data`` or raises a ``TwentyError``.

PROVISIONAL: a minimal aiohttp implementation until the async runtime lands.
"""

from __future__ import annotations

from typing import Any

import aiohttp


class GraphQLResponse:
    def __init__(self, status: int, body: Any) -> None:
        self.status = status
        self.body = body


class BaseClient:
    unset_type: type | None = None

    def __init__(self, url: str, headers: dict[str, str] | None = None) -> None:
        self.url = url
        self.headers = headers or {}

    async def execute(
        self,
        query: str,
        operation_name: str | None = None,
        variables: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> GraphQLResponse:
        unset = self.unset_type
        clean = {
            k: v for k, v in (variables or {}).items() if unset is None or not isinstance(v, unset)
        }
        payload = {"query": query, "operationName": operation_name, "variables": clean}
        async with (
            aiohttp.ClientSession() as session,
            session.post(self.url, json=payload, headers=self.headers) as resp,
        ):
            return GraphQLResponse(resp.status, await resp.json(content_type=None))

    def get_data(self, response: GraphQLResponse) -> dict[str, Any]:
        body = response.body
        if body.get("errors"):
            raise RuntimeError(body["errors"][0].get("message"))
        data: dict[str, Any] = body.get("data") or {}
        return data
