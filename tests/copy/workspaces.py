"""Two workspaces for the copy tests: a source with the demo data, a custom object related to
company (and to itself), soft-deleted records; helpers that read records back through the API."""

from __future__ import annotations

from typing import Any

from tests.custom_objects import create_custom_object
from twenty_gql.batch.dedupe import get_path
from twenty_gql.batch.documents import list_query
from twenty_gql.client import Twenty
from twenty_gql.copy.schema_sync import read_model
from twenty_gql.generated.metadata.enums import FieldMetadataType
from twenty_gql.generated.metadata.input_types import CreateFieldInput
from twenty_gql.naming import ObjectNames
from twenty_gql.profiles import CLOUD

FAST = CLOUD.scaled(window_seconds=0.5)
"""Cloud limits (60 records a call, 100 calls a window) over half a second."""

ANY_STATE = {"or": [{"deletedAt": {"is": "NULL"}}, {"deletedAt": {"is": "NOT_NULL"}}]}
PHASES = ("PLANNED", "ACTIVE", "DONE")
TAGS = ("RED", "GREEN", "BLUE")
STAMPED = ("updatedAt", "updatedBy")


def options(values: tuple[str, ...]) -> list[dict[str, Any]]:
    return [
        {"value": v, "label": v.title(), "color": "blue", "position": i}
        for i, v in enumerate(values)
    ]


async def add_projects(twenty: Twenty, *, phases: tuple[str, ...] = PHASES) -> None:
    """Custom object ``project``: select, multi-select, number, date, currency, a relation to
    company (``client``) and one to another project (``parent``)."""
    model = await read_model(twenty)
    project_id = await create_custom_object(
        twenty,
        "project",
        "projects",
        {"name": "phase", "type": "SELECT", "options": options(phases)},
        {"name": "tags", "type": "MULTI_SELECT", "options": options(TAGS)},
        {"name": "headcount", "type": "NUMBER"},
        {"name": "startDate", "type": "DATE"},
        {"name": "budget", "type": "CURRENCY"},
        {
            "name": "client",
            "type": "RELATION",
            "relationCreationPayload": {
                "targetObjectMetadataId": model.objects["company"]["id"],
                "targetFieldLabel": "Projects",
                "targetFieldIcon": "IconBriefcase",
                "type": "MANY_TO_ONE",
            },
        },
        {"name": "code", "type": "TEXT"},
    )
    await twenty.metadata.create_field(
        input=CreateFieldInput.model_validate(
            {
                "objectMetadataId": project_id,
                "name": "parent",
                "label": "Parent",
                "type": FieldMetadataType("RELATION"),
                "relationCreationPayload": {
                    "targetObjectMetadataId": str(project_id),
                    "targetFieldLabel": "Sub projects",
                    "targetFieldIcon": "IconBriefcase",
                    "type": "MANY_TO_ONE",
                },
            }
        )
    )


async def seed_source(twenty: Twenty, count: int = 30, *, cycle: bool = True) -> dict[str, Any]:
    """Projects (each the child of the previous one, and of the last: a cycle), one of them
    soft-deleted, and one soft-deleted company; ``cycle=False``: projects only, no parents,
    nothing deleted. Returns what the test checks."""
    await add_projects(twenty)
    companies = await twenty.execute("{ companies(first: 20) { edges { node { id } } } }")
    company_ids = [e["node"]["id"] for e in companies["companies"]["edges"]]
    ids = [f"00000000-0000-4000-8000-{i:012d}" for i in range(count)]
    rows = [
        {
            "id": ids[i],
            "name": f"Project {i}",
            "code": f"P-{i}",
            "phase": PHASES[i % 3],
            "tags": list(TAGS[: i % 4]),
            "headcount": i * 1.5,
            "startDate": f"2026-{i % 12 + 1:02d}-{i % 28 + 1:02d}",
            "budget": {"amountMicros": 1_000_000 * (i + 1), "currencyCode": "EUR"},
            "clientId": company_ids[i % len(company_ids)],
        }
        for i in range(count)
    ]
    first = await twenty.upsert_many("project", rows)
    assert first.stats.failed == 0, first.failures
    if not cycle:
        return {"project_ids": ids}
    # Parents point forward and wrap around, so no order of records satisfies them all.
    parents = [{"id": ids[i], "parentId": ids[(i + 1) % count]} for i in range(count)]
    second = await twenty.upsert_many("project", parents)
    assert second.stats.failed == 0, second.failures
    await twenty.delete_many("project", {"id": {"eq": ids[3]}})
    await twenty.delete_many("company", {"id": {"eq": company_ids[5]}})
    return {"project_ids": ids, "deleted_project": ids[3], "deleted_company": company_ids[5]}


async def records(twenty: Twenty, singular: str, plural: str, paths: list[str]) -> dict[str, Any]:
    """Every record (soft-deleted included) by id, read through the API."""
    names = ObjectNames(singular, plural)
    document, operation = list_query(names, ["id", *paths], op_prefix="Test")
    found: dict[str, Any] = {}
    async for node in twenty.paginate_raw(
        document, {"filter": ANY_STATE}, plural, mode="keyset", operation_name=operation
    ):
        found[node["id"]] = node
    return found


def compared(record: dict[str, Any], paths: list[str]) -> dict[str, Any]:
    return {
        p: (get_path(record, p) is not None) if p == "deletedAt" else get_path(record, p)
        for p in paths
        if not p.startswith(STAMPED)
    }
