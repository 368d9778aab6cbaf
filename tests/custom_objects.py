"""Creating custom objects in a workspace, through the typed metadata client (for tests)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from twenty_gql import Twenty
from twenty_gql.generated.metadata.enums import FieldMetadataType
from twenty_gql.generated.metadata.input_types import CreateFieldInput, CreateObjectInput


async def create_custom_object(
    twenty: Twenty, singular: str, plural: str, *fields: dict[str, Any]
) -> UUID:
    """Create the object, then each field (``{"name", "type", "label"?, "isUnique"?, ...}``
    with Twenty's spelling); returns the object's id."""
    created = await twenty.metadata.create_object(
        input=CreateObjectInput(
            nameSingular=singular,
            namePlural=plural,
            labelSingular=singular.capitalize(),
            labelPlural=plural.capitalize(),
        )
    )
    object_id = created.create_one_object.id
    for spec in fields:
        spec = {"label": spec["name"].capitalize(), **spec}
        spec["type"] = FieldMetadataType(spec["type"])
        await twenty.metadata.create_field(
            input=CreateFieldInput.model_validate({**spec, "objectMetadataId": object_id})
        )
    return object_id
