"""Soft delete, restore and destroy over HTTP: the recorded round trip 171-181 replayed value
for value (ids mapped, timestamps compared for being set), and the rule it shows: mutation
filters match soft-deleted records, list and findOne queries do not."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from .conftest import Client, swap_ids
from .conftest import transcript as load_transcript

_MOMENT = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")


def _normal(value: Any, ids: dict[str, str]) -> Any:
    return json.loads(_MOMENT.sub("<moment>", json.dumps(swap_ids(value, ids))))


async def test_recorded_round_trip(client: Client, reference_dir: Path) -> None:
    ids: dict[str, str] = {}
    for number in range(171, 182):
        transcript = load_transcript(reference_dir, number)
        request = _normal(transcript["request"], ids)
        reply = await client.post(request["query"], request.get("variables"))
        if number == 171:
            theirs = transcript["response"]["data"]["createCompanies"][0]["id"]
            ids[theirs] = reply.data["createCompanies"][0]["id"]
        assert reply.status == transcript["http_status"]
        assert _normal(reply.body, ids) == _normal(transcript["response"], ids), number


async def test_only_mutation_filters_reach_soft_deleted_records(client: Client) -> None:
    made = await client.ok(
        'mutation { createCompanies(data: [{name: "Hidden One"}, {name: "Hidden Two"}]) { id } }'
    )
    one, two = (c["id"] for c in made["createCompanies"])
    await client.ok(
        "mutation($id: UUID!) { deleteCompany(id: $id) { id } }",
        {"id": one},
    )
    by_name = '{ name: {like: "Hidden%"} }'
    listed = await client.ok(f"{{ companies(filter: {by_name}) {{ totalCount }} }}")
    assert listed["companies"]["totalCount"] == 1
    updated = await client.ok(
        f'mutation {{ updateCompanies(filter: {by_name}, data: {{tagline: "seen"}})'
        " { id deletedAt } }"
    )
    assert {(r["id"], r["deletedAt"] is None) for r in updated["updateCompanies"]} == {
        (one, False),
        (two, True),
    }
    restored = await client.ok(f"mutation {{ restoreCompanies(filter: {by_name}) {{ id }} }}")
    assert [r["id"] for r in restored["restoreCompanies"]] == [one]
    destroyed = await client.ok(f"mutation {{ destroyCompanies(filter: {by_name}) {{ id }} }}")
    assert {r["id"] for r in destroyed["destroyCompanies"]} == {one, two}
