"""Duplicates and merge over HTTP: the recorded sequence 155-170 replayed value for value (ids
mapped to the sandbox's), plus what a dry run leaves behind."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from .conftest import Client, swap_ids
from .conftest import transcript as load_transcript

PROJECT = (
    "mutation($input: CreateOneObjectInput!) { createOneObject(input: $input) { id } }",
    {
        "input": {
            "object": {
                "nameSingular": "project",
                "namePlural": "projects",
                "labelSingular": "Project",
                "labelPlural": "Projects",
            }
        }
    },
)


async def test_recorded_duplicates_and_merge_sequence(client: Client, reference_dir: Path) -> None:
    await client.ok(*PROJECT, endpoint="/metadata")
    ids: dict[str, str] = {}
    for number in range(155, 171):
        transcript = load_transcript(reference_dir, number)
        request = swap_ids(transcript["request"], ids)
        reply = await client.post(request["query"], request.get("variables"))
        expected = swap_ids(transcript["response"], ids)
        if number in (155, 156):  # creations: learn the sandbox's ids
            key = "createCompanies" if number == 155 else "createPeople"
            for theirs, ours in zip(
                transcript["response"]["data"][key], reply.data[key], strict=True
            ):
                ids[theirs["id"]] = ours["id"]
            expected = swap_ids(transcript["response"], ids)
        if number == 161:  # dry run: a new id and deletedAt now
            preview = reply.data["mergeCompanies"]
            assert preview.pop("id") not in ids.values()
            deleted_at = datetime.fromisoformat(preview.pop("deletedAt").replace("Z", "+00:00"))
            assert abs((datetime.now(UTC) - deleted_at).total_seconds()) < 60
            recorded = dict(expected["data"]["mergeCompanies"])
            del recorded["id"], recorded["deletedAt"]
            assert preview == recorded
            continue
        assert reply.body == expected, number


async def test_a_dry_run_writes_nothing(client: Client) -> None:
    made = await client.ok(
        'mutation { createCompanies(data: [{name: "Twin Co", employees: 1},'
        ' {name: "Twin Co", tagline: "second"}]) { id } }'
    )
    ids = [c["id"] for c in made["createCompanies"]]
    before = await client.ok(
        "query($ids: [UUID]) { companies(filter: {id: {in: $ids}}) { totalCount"
        " edges { node { id employees tagline } } } }",
        {"ids": ids},
    )
    preview = await client.ok(
        "mutation($ids: [UUID!]!) { mergeCompanies(ids: $ids, conflictPriorityIndex: 1,"
        " dryRun: true) { employees tagline } }",
        {"ids": ids},
    )
    assert preview["mergeCompanies"] == {"employees": 1, "tagline": "second"}
    after = await client.ok(
        "query($ids: [UUID]) { companies(filter: {id: {in: $ids}}) { totalCount"
        " edges { node { id employees tagline } } } }",
        {"ids": ids},
    )
    assert after == before
    assert re.fullmatch(r"[0-9a-f-]{36}", ids[0])
