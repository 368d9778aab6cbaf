"""``<plural>GroupBy`` over HTTP: the recorded answers (140-146, 228) value for value, and the
rules around them (granularities in a time zone, ordering, limits, relations, custom objects)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from .conftest import Client
from .conftest import transcript as load_transcript


async def _seed_aggregate_companies(client: Client, reference_dir: Path) -> dict[str, str]:
    create = load_transcript(reference_dir, 138)
    made = await client.ok(create["request"]["query"])
    theirs = [c["id"] for c in create["response"]["data"]["createCompanies"]]
    return {t: o["id"] for t, o in zip(theirs, made["createCompanies"], strict=True)}


async def test_recorded_group_by_answers(client: Client, reference_dir: Path) -> None:
    ids = await _seed_aggregate_companies(client, reference_dir)
    for number in (140, 141, 142, 143, 144, 145, 146):
        transcript = load_transcript(reference_dir, number)
        text = transcript["request"]["query"]
        for theirs, ours in ids.items():
            text = text.replace(theirs, ours)
        reply = await client.post(text)
        expected = transcript["response"]
        if number == 144:  # the day the sandbox created them, in Paris
            some_id = next(iter(ids.values()))
            found = await client.ok(
                "query($id: UUID!) { company(filter: {id: {eq: $id}}) { createdAt } }",
                {"id": some_id},
            )
            created = datetime.fromisoformat(found["company"]["createdAt"].replace("Z", "+00:00"))
            day = created.astimezone(ZoneInfo("Europe/Paris")).date().isoformat()
            assert reply.data == {
                "companiesGroupBy": [{"groupByDimensionValues": [day], "totalCount": 5}]
            }
            continue
        assert reply.body == expected, number


async def test_each_group_carries_ten_records_and_no_next_page(client: Client) -> None:
    names = [{"name": f"Many {i:02}"} for i in range(25)]
    await client.ok(
        "mutation($d: [CompanyCreateInput!]!) { createCompanies(data: $d) { id } }", {"d": names}
    )
    reply = await client.ok(
        '{ companiesGroupBy(groupBy: [{visaSponsorship: true}], filter: {name: {like: "Many%"}},'
        " offsetForRecords: 5, orderByForRecords: [{name: DescNullsLast}])"
        " { groupByDimensionValues totalCount pageInfo { hasNextPage } edges { node { name } } } }"
    )
    (group,) = reply["companiesGroupBy"]
    assert group["groupByDimensionValues"] == [False]
    assert group["totalCount"] == 25
    assert group["pageInfo"] == {"hasNextPage": False}
    assert [e["node"]["name"] for e in group["edges"]] == [f"Many {i:02}" for i in range(19, 9, -1)]


async def test_date_granularities_in_a_time_zone(client: Client) -> None:
    await client.ok(
        "mutation { createCompanies(data: ["
        '{name: "Tz A", createdAt: "2026-03-31T22:30:00Z"},'  # April 1st in Paris
        '{name: "Tz B", createdAt: "2026-04-02T10:00:00Z"},'
        '{name: "Tz C", createdAt: "2026-12-31T23:30:00Z"}]) { id } }'
    )

    async def dims(granularity: str, zone: str = "Europe/Paris", extra: str = "") -> Any:
        reply = await client.ok(
            f"{{ companiesGroupBy(groupBy: [{{createdAt: {{granularity: {granularity}, "
            f'timeZone: "{zone}"{extra}}}}}], filter: {{name: {{like: "Tz%"}}}})'
            " { groupByDimensionValues totalCount } }"
        )
        return [
            (g["groupByDimensionValues"][0], g["totalCount"]) for g in reply["companiesGroupBy"]
        ]

    assert await dims("DAY") == [("2026-04-01", 1), ("2026-04-02", 1), ("2027-01-01", 1)]
    assert await dims("DAY", "UTC") == [("2026-03-31", 1), ("2026-04-02", 1), ("2026-12-31", 1)]
    assert await dims("MONTH") == [("2026-04-01", 2), ("2027-01-01", 1)]
    assert await dims("QUARTER", "UTC") == [("2026-01-01", 1), ("2026-04-01", 1), ("2026-10-01", 1)]
    assert await dims("YEAR") == [("2026-01-01", 2), ("2027-01-01", 1)]
    # 2026-04-01 is a Wednesday: its week starts on Monday 03-30, or Sunday 03-29
    assert (await dims("WEEK"))[0] == ("2026-03-30", 2)
    assert (await dims("WEEK", extra=", weekStartDay: SUNDAY"))[0] == ("2026-03-29", 2)


async def test_order_by_a_dimension_and_group_limit(client: Client) -> None:
    await client.ok(
        "mutation { createCompanies(data: ["
        '{name: "Ord A", employees: 1}, {name: "Ord B", employees: 2},'
        '{name: "Ord C", employees: 2}, {name: "Ord D"}]) { id } }'
    )
    reply = await client.ok(
        '{ companiesGroupBy(groupBy: [{employees: true}], filter: {name: {like: "Ord%"}},'
        " orderBy: [{employees: DescNullsFirst}]) { groupByDimensionValues totalCount } }"
    )
    assert reply["companiesGroupBy"] == [
        {"groupByDimensionValues": [None], "totalCount": 1},
        {"groupByDimensionValues": [2], "totalCount": 2},
        {"groupByDimensionValues": [1], "totalCount": 1},
    ]
    counted = await client.ok(
        '{ companiesGroupBy(groupBy: [{employees: true}], filter: {name: {like: "Ord%"}},'
        " orderBy: [{aggregate: {totalCount: DescNullsLast}}], limit: 1)"
        " { groupByDimensionValues totalCount } }"
    )
    assert counted["companiesGroupBy"] == [{"groupByDimensionValues": [2], "totalCount": 2}]
    whole = await client.ok(
        '{ companiesGroupBy(groupBy: [], filter: {name: {like: "Ord%"}})'
        " { groupByDimensionValues totalCount sumEmployees } }"
    )
    assert whole["companiesGroupBy"] == [
        {"groupByDimensionValues": [], "totalCount": 4, "sumEmployees": 5}
    ]


async def test_group_by_a_related_record(client: Client) -> None:
    made = await client.ok(
        'mutation { createCompanies(data: [{name: "Rel Co"}, {name: "Rel Other"}]) { id } }'
    )
    first, second = (c["id"] for c in made["createCompanies"])
    await client.ok(
        "mutation($p: [PersonCreateInput!]!) { createPeople(data: $p) { id } }",
        {
            "p": [
                {"name": {"firstName": "Rel1"}, "companyId": first},
                {"name": {"firstName": "Rel2"}, "companyId": first},
                {"name": {"firstName": "Rel3"}, "companyId": second},
                {"name": {"firstName": "Rel4"}},
            ]
        },
    )
    reply = await client.ok(
        "{ peopleGroupBy(groupBy: [{company: {name: true}}], filter: {name: {firstName:"
        ' {like: "Rel%"}}}) { groupByDimensionValues totalCount } }'
    )
    assert reply["peopleGroupBy"] == [
        {"groupByDimensionValues": ["Rel Co"], "totalCount": 2},
        {"groupByDimensionValues": ["Rel Other"], "totalCount": 1},
        {"groupByDimensionValues": [None], "totalCount": 1},
    ]
