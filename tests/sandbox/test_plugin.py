"""The pytest plugin's ``twenty_sandbox`` fixture (registered through the pytest11 entry point)."""

from __future__ import annotations

import aiohttp

from twenty_gql.sandbox import Sandbox


async def test_twenty_sandbox_fixture_serves_records(twenty_sandbox: Sandbox) -> None:
    headers = {"Authorization": f"Bearer {twenty_sandbox.api_key}"}
    query = {"query": "{ people(first: 5) { totalCount edges { node { id } } } }"}
    async with (
        aiohttp.ClientSession() as session,
        session.post(twenty_sandbox.url + "/graphql", json=query, headers=headers) as response,
    ):
        body = await response.json()
    assert body["data"]["people"]["totalCount"] == twenty_sandbox.store.count("person") == 40
    assert len(body["data"]["people"]["edges"]) == 5
