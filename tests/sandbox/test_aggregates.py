"""Aggregates on connections, computed as Twenty computes them (NOTES (r), 138-139), over HTTP."""

from __future__ import annotations

from pathlib import Path

from .conftest import Client
from .conftest import transcript as load_transcript


async def test_aggregates_match_the_recorded_answer(client: Client, reference_dir: Path) -> None:
    create = load_transcript(reference_dir, 138)
    made = await client.ok(create["request"]["query"])
    query = load_transcript(reference_dir, 139)
    text = query["request"]["query"]
    theirs = [c["id"] for c in create["response"]["data"]["createCompanies"]]
    for their_id, ours in zip(theirs, made["createCompanies"], strict=True):
        text = text.replace(their_id, ours["id"])
    answer = (await client.ok(text))["companies"]
    expected = dict(query["response"]["data"]["companies"])
    # created in one call: min and max are the same instant (the sandbox's, not the recording's)
    assert answer.pop("minCreatedAt") == answer.pop("maxCreatedAt")
    del expected["minCreatedAt"], expected["maxCreatedAt"]
    assert answer == expected


async def test_aggregates_follow_the_filter_and_empty_sets(client: Client) -> None:
    await client.ok(
        'mutation { createCompanies(data: [{name: "Agg A", employees: 3, visaSponsorship: true},'
        ' {name: "Agg B", employees: 4}, {name: "Other", employees: 100}]) { id } }'
    )
    answer = await client.ok(
        '{ companies(filter: {name: {startsWith: "Agg"}}, first: 1,'
        " orderBy: [{name: AscNullsFirst}]) { totalCount sumEmployees"
        " avgEmployees countTrueVisaSponsorship countFalseVisaSponsorship percentageEmptyName"
        " edges { node { name } } } }"
    )
    assert answer["companies"] == {
        "totalCount": 2,
        "sumEmployees": 7,
        "avgEmployees": 3.5,
        "countTrueVisaSponsorship": 1,
        "countFalseVisaSponsorship": 1,
        "percentageEmptyName": 0,
        "edges": [{"node": {"name": "Agg A"}}],  # the page is cut, the aggregates are not
    }
    none = await client.ok(
        '{ companies(filter: {name: {eq: "nobody"}}) { totalCount sumEmployees minCreatedAt'
        " countEmptyName percentageEmptyName } }"
    )
    assert none["companies"] == {
        "totalCount": 0,
        "sumEmployees": None,
        "minCreatedAt": None,
        "countEmptyName": 0,
        "percentageEmptyName": None,
    }


async def test_soft_deleted_records_are_left_out_unless_the_filter_names_deleted_at(
    client: Client,
) -> None:
    made = await client.ok('mutation { createCompany(data: {name: "Agg Gone"}) { id } }')
    await client.ok(
        "mutation($id: UUID!) { deleteCompany(id: $id) { id } }",
        {"id": made["createCompany"]["id"]},
    )
    live = await client.ok('{ companies(filter: {name: {eq: "Agg Gone"}}) { countNotEmptyName } }')
    assert live["companies"]["countNotEmptyName"] == 0
    gone = await client.ok(
        '{ companies(filter: {name: {eq: "Agg Gone"}, deletedAt: {is: NOT_NULL}})'
        " { countNotEmptyName countNotEmptyDeletedAt } }"
    )
    assert gone["companies"] == {"countNotEmptyName": 1, "countNotEmptyDeletedAt": 1}


async def test_an_unknown_aggregate_name_answers_null(client: Client) -> None:
    query = "{ companies(first: 1) { totalCount sumName countEmptyName } }"
    for _ in range(2):  # the second answer comes from the checked-query cache
        answer = await client.ok(query)
        assert answer["companies"]["sumName"] is None
        assert answer["companies"]["countEmptyName"] == 0
    typo = await client.ok("{ companies(first: 1) { totalCount notAnAggregate } }")
    assert typo["companies"]["notAnAggregate"] is None  # any unknown connection field (61)
