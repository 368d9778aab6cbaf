"""Change a workspace the way an admin does in Twenty's settings, through the typed /metadata
client: add/rename/remove SELECT and MULTI_SELECT options, rename or remove a field."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from twenty_gql import Twenty
from twenty_gql.generated.metadata.fragments import FieldFields
from twenty_gql.generated.metadata.input_types import CursorPaging, UpdateFieldInput


async def field_of(twenty: Twenty, object_name: str, field_name: str) -> FieldFields:
    objects = await twenty.metadata.list_objects(paging=CursorPaging(first=100))
    for edge in objects.objects.edges:
        if edge.node.name_singular == object_name:
            for field in edge.node.fields_list or []:
                if field.name == field_name:
                    return field
    raise LookupError(f"{object_name}.{field_name} is not in the workspace")


async def set_options(twenty: Twenty, field_id: UUID, values: list[str]) -> None:
    options = [
        {"value": v, "label": v.replace("_", " ").title(), "position": i}
        for i, v in enumerate(values)
    ]
    await twenty.metadata.update_field(id=field_id, update=UpdateFieldInput(options=options))


async def add_option(twenty: Twenty, object_name: str, field_name: str, value: str) -> None:
    field = await field_of(twenty, object_name, field_name)
    known = [o["value"] for o in field.options or []]
    await set_options(twenty, field.id, [*known, value])


async def rename_option(
    twenty: Twenty, object_name: str, field_name: str, old: str, new: str
) -> None:
    """Rename an option in place (same option id), as Settings does: records follow."""
    field = await field_of(twenty, object_name, field_name)
    options = [dict(o, value=new) if o["value"] == old else o for o in field.options or []]
    await twenty.metadata.update_field(id=field.id, update=UpdateFieldInput(options=options))


async def remove_option(twenty: Twenty, object_name: str, field_name: str, value: str) -> None:
    field = await field_of(twenty, object_name, field_name)
    options = [o for o in field.options or [] if o["value"] != value]
    await twenty.metadata.update_field(id=field.id, update=UpdateFieldInput(options=options))


async def rename_field(twenty: Twenty, object_name: str, field_name: str, new: str) -> None:
    field = await field_of(twenty, object_name, field_name)
    await twenty.metadata.update_field(
        id=field.id, update=UpdateFieldInput(name=new, label=new.capitalize())
    )


async def remove_field(twenty: Twenty, object_name: str, field_name: str) -> None:
    field = await field_of(twenty, object_name, field_name)
    await twenty.metadata.delete_field(id=field.id)


def option_values(field: FieldFields) -> list[Any]:
    return [o["value"] for o in field.options or []]
