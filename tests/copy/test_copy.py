"""``copy`` end to end: two sandboxes on 127.0.0.1, records compared through the API."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from tests.copy.workspaces import FAST, compared, options, records, seed_source
from tests.custom_objects import create_custom_object
from twenty_gql.client import Twenty
from twenty_gql.copy import CopyOptions, MissingSchemaError, run_copy
from twenty_gql.copy.schema_sync import read_model
from twenty_gql.copy.verify import verify_object
from twenty_gql.sandbox import Sandbox


@pytest_asyncio.fixture
async def pair() -> AsyncIterator[tuple[Sandbox, Sandbox, Twenty, Twenty]]:
    async with (
        Sandbox.start(port=0, rate_limit=None) as a,
        Sandbox.start(port=0, seed="empty", rate_limit=None) as b,
        Twenty(a.url, a.api_key, profile=FAST) as source,
        Twenty(b.url, b.api_key, profile=FAST) as target,
    ):
        yield a, b, source, target


async def test_copy_keeps_ids_relations_soft_deletes_and_a_rerun_changes_nothing(
    pair: tuple[Sandbox, Sandbox, Twenty, Twenty], tmp_path: pytest.TempPathFactory
) -> None:
    _, _, source, target = pair
    seeded = await seed_source(source)
    journal = tmp_path / "copy.journal"  # type: ignore[operator]

    report = await run_copy(source, target, CopyOptions(journal=journal, verify=True))

    assert "project" in report.schema_changes.objects
    assert {"project.client", "project.parent", "project.phase"} <= set(
        report.schema_changes.fields
    )
    order = [p.singular for p in report.plans]
    assert order.index("company") < order.index("person") < order.index("opportunity")
    assert order.index("company") < order.index("project")
    project_plan = next(p for p in report.plans if p.singular == "project")
    assert project_plan.deferred == ("parentId",)  # the self-relation: a second pass
    assert "accountOwnerId" in next(p for p in report.plans if p.singular == "company").left_out
    assert report.refused == 0
    assert [c for c in report.checks if not c.matches] == []
    assert not journal.exists()  # a finished copy removes its journal

    model = await read_model(source)
    for plan in report.plans:
        paths = [*plan.fields, *plan.deferred]
        plural = model.objects[plan.singular]["namePlural"]
        mine = await records(source, plan.singular, plural, paths)
        theirs = await records(target, plan.singular, plural, paths)
        assert set(theirs) == set(mine), plan.singular
        for record_id, record in mine.items():
            assert compared(theirs[record_id], paths) == compared(record, paths), (
                plan.singular,
                record_id,
            )
    projects = await records(target, "project", "projects", ["parentId", "clientId", "deletedAt"])
    assert len(projects) == 30
    assert all(p["parentId"] and p["clientId"] for p in projects.values())
    assert projects[seeded["deleted_project"]]["deletedAt"] is not None
    assert [i for i, p in projects.items() if p["deletedAt"]] == [seeded["deleted_project"]]
    companies = await records(target, "company", "companies", ["deletedAt"])
    assert companies[seeded["deleted_company"]]["deletedAt"] is not None
    assert report.soft_deleted == 0  # created soft-deleted: nothing left to delete afterwards

    again = await run_copy(source, target, CopyOptions(journal=journal))
    assert again.changed_nothing
    assert again.written == 0
    assert sum(t.unchanged for t in again.tallies.values()) == sum(
        t.read for t in again.tallies.values()
    )

    live = next(i for i, c in companies.items() if c["deletedAt"] is None)
    await target.update_many("company", {"id": {"eq": live}}, {"name": "Changed"})
    company_plan = next(p for p in report.plans if p.singular == "company")
    check = await verify_object(source, target, company_plan)
    assert not check.matches
    assert check.source.count == check.target.count == 20
    assert check.differences == [f"company {live}: name differ"]


async def test_a_value_the_target_refuses_is_reported_by_object_and_id_and_the_rest_lands(
    pair: tuple[Sandbox, Sandbox, Twenty, Twenty], tmp_path: pytest.TempPathFactory
) -> None:
    _, _, source, target = pair
    seeded = await seed_source(source)
    # The target already has `project`, but its phase lacks DONE (every third project's).
    await create_custom_object(
        target,
        "project",
        "projects",
        {"name": "phase", "type": "SELECT", "options": options(("PLANNED", "ACTIVE"))},
    )
    report = await run_copy(
        source,
        target,
        CopyOptions(objects=("company", "project"), journal=tmp_path / "j"),  # type: ignore[operator]
    )
    assert "project" not in report.schema_changes.objects
    assert "project.phase" not in report.schema_changes.fields
    refused = report.tallies["project"].refusals
    done_ids = {i for n, i in enumerate(seeded["project_ids"]) if n % 3 == 2}
    assert {r.record_id for r in refused if "phase" in r.reason} == done_ids
    # The second pass cannot point a project at a parent the target refused: said, by id.
    parent_ids = {
        i: seeded["project_ids"][(n + 1) % 30] for n, i in enumerate(seeded["project_ids"])
    }
    orphans = {i for i, parent in parent_ids.items() if parent in done_ids} - done_ids
    assert {r.record_id for r in refused if "phase" not in r.reason} == orphans
    assert all("parentId" in r.reason for r in refused if "phase" not in r.reason)
    assert all(r.object_name == "project" for r in refused)
    landed = await records(target, "project", "projects", ["phase"])
    assert set(landed) == set(seeded["project_ids"]) - done_ids
    assert report.tallies["company"].refused == 0


async def test_no_create_schema_refuses_naming_what_the_target_lacks(
    pair: tuple[Sandbox, Sandbox, Twenty, Twenty], tmp_path: pytest.TempPathFactory
) -> None:
    _, b, source, target = pair
    await seed_source(source)
    with pytest.raises(MissingSchemaError, match=r"object project.*--no-create-schema"):
        await run_copy(
            source,
            target,
            CopyOptions(create_schema=False, journal=tmp_path / "j"),  # type: ignore[operator]
        )
    assert b.store.count("company", with_deleted=True) == 0  # nothing written
