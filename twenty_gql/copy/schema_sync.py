"""Making the target's data model hold what the copy writes: custom objects and fields
created through ``/metadata`` (not rate limited), or a refusal that lists what is missing.

Objects are created first, then plain fields, then many-to-one relations (their targets exist
by then; the one-to-many side is created by the server with the relation). Fields the target
already has are left as they are: a copy never changes an existing field.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any

from twenty_gql.client import METADATA_ENDPOINT
from twenty_gql.metadata_pages import every_object

if TYPE_CHECKING:
    from twenty_gql.client import Twenty

__all__ = ["MissingSchemaError", "SchemaChanges", "WorkspaceModel", "read_model", "sync_schema"]

_MODEL_SELECTION = """
    id nameSingular namePlural labelSingular labelPlural description icon isSystem isActive
    fieldsList {
      name label type description icon isSystem isNullable isUnique defaultValue options settings
      relation { type targetObjectMetadata { nameSingular } targetFieldMetadata { name } }
    }
"""
_CREATE_OBJECT = (
    "mutation CopyCreateObject($input: CreateOneObjectInput!) "
    "{ createOneObject(input: $input) { id } }"
)
_CREATE_FIELD = (
    "mutation CopyCreateField($input: CreateOneFieldMetadataInput!) "
    "{ createOneField(input: $input) { id } }"
)
_PLAIN_FIELD_KEYS = ("name", "label", "type", "description", "icon", "isNullable", "isUnique")


class MissingSchemaError(ValueError):
    """``--no-create-schema`` and the target lacks objects or fields; lists them."""


@dataclass(slots=True)
class WorkspaceModel:
    objects: dict[str, dict[str, Any]]
    """By ``nameSingular``; each with ``fields`` by name."""

    @property
    def system(self) -> set[str]:
        return {name for name, obj in self.objects.items() if obj["isSystem"]}


@dataclass(slots=True)
class SchemaChanges:
    objects: list[str] = field(default_factory=list)
    fields: list[str] = field(default_factory=list)
    """``object.field`` for each field created."""

    def __bool__(self) -> bool:
        return bool(self.objects or self.fields)


async def read_model(twenty: Twenty) -> WorkspaceModel:
    execute = partial(twenty.execute, endpoint=METADATA_ENDPOINT)
    objects: dict[str, dict[str, Any]] = {}
    for node in await every_object(execute, "CopyWorkspaceModel", _MODEL_SELECTION):
        node["fields"] = {f["name"]: f for f in node.pop("fieldsList") or []}
        objects[node["nameSingular"]] = node
    return WorkspaceModel(objects)


def _missing(
    source: WorkspaceModel, target: WorkspaceModel, objects: Sequence[str]
) -> tuple[list[str], list[tuple[str, dict[str, Any]]]]:
    """Objects the target lacks, and (object, field) pairs it lacks (first pass only: the
    fields of objects still to create are listed as missing too)."""
    missing_objects = [name for name in objects if name not in target.objects]
    missing_fields: list[tuple[str, dict[str, Any]]] = []
    for name in objects:
        have = target.objects.get(name, {}).get("fields", {})
        for fname, spec in source.objects[name]["fields"].items():
            if fname in have or spec["isSystem"] or _is_inverse(spec):
                continue
            if spec["type"] == "RELATION" and spec["relation"]["targetObjectMetadata"][
                "nameSingular"
            ] not in (set(objects) | set(target.objects)):
                continue  # a relation to an object neither copied nor present
            missing_fields.append((name, spec))
    return missing_objects, missing_fields


def _is_inverse(spec: dict[str, Any]) -> bool:
    relation = spec.get("relation")
    return spec["type"] in ("RELATION", "MORPH_RELATION") and (
        relation is None or relation["type"] != "MANY_TO_ONE"
    )


async def sync_schema(
    source: Twenty,
    target: Twenty,
    objects: Sequence[str],
    *,
    create: bool,
    source_model: WorkspaceModel | None = None,
) -> SchemaChanges:
    """Create in ``target`` what ``objects`` need (see the module doc); with ``create=False``
    raise :class:`MissingSchemaError` naming every missing object and field instead."""
    src = source_model or await read_model(source)
    dst = await read_model(target)
    missing_objects, missing_fields = _missing(src, dst, objects)
    changes = SchemaChanges()
    if not missing_objects and not missing_fields:
        return changes
    if not create:
        parts = [f"object {name}" for name in missing_objects]
        parts += [
            f"field {obj}.{spec['name']}"
            for obj, spec in missing_fields
            if obj not in missing_objects
        ]
        raise MissingSchemaError(
            "the target workspace lacks "
            + ", ".join(parts)
            + "; create them there, or drop --no-create-schema to let copy create them"
        )
    for name in missing_objects:
        obj = src.objects[name]
        spec = {k: obj[k] for k in ("nameSingular", "namePlural", "labelSingular", "labelPlural")}
        spec.update({k: obj[k] for k in ("description", "icon") if obj.get(k)})
        await target.execute(
            _CREATE_OBJECT, {"input": {"object": spec}}, endpoint=METADATA_ENDPOINT
        )
        changes.objects.append(name)
    dst = await read_model(target)
    _, missing_fields = _missing(src, dst, objects)
    ordered = sorted(missing_fields, key=lambda pair: pair[1]["type"] == "RELATION")
    for name, spec in ordered:
        await target.execute(
            _CREATE_FIELD,
            {"input": {"field": _field_input(dst, src, name, spec)}},
            endpoint=METADATA_ENDPOINT,
        )
        changes.fields.append(f"{name}.{spec['name']}")
    return changes


def _field_input(
    dst: WorkspaceModel, src: WorkspaceModel, object_name: str, spec: dict[str, Any]
) -> dict[str, Any]:
    data: dict[str, Any] = {k: spec[k] for k in _PLAIN_FIELD_KEYS if spec.get(k) is not None}
    data["objectMetadataId"] = dst.objects[object_name]["id"]
    for key in ("options", "settings", "defaultValue"):
        if spec.get(key) is not None:
            data[key] = spec[key]
    if spec["type"] == "RELATION":
        relation = spec["relation"]
        target_name = relation["targetObjectMetadata"]["nameSingular"]
        inverse = (relation.get("targetFieldMetadata") or {}).get("name")
        inverse_spec = src.objects[target_name]["fields"].get(inverse or "", {})
        data["relationCreationPayload"] = {
            "targetObjectMetadataId": dst.objects[target_name]["id"],
            "targetFieldLabel": inverse_spec.get("label")
            or src.objects[object_name]["labelPlural"],
            "targetFieldIcon": inverse_spec.get("icon") or "IconBuildingSkyscraper",
            "type": "MANY_TO_ONE",
        }
        data.pop("defaultValue", None)
    return data
