"""Metadata changes with Twenty's validation: create, update and delete objects and fields.

Each method changes ``workspace.meta`` (and the stored records where a field is renamed or
removed) and then calls ``workspace.metadata_changed()``, which refuses a change whose records
schema would not build. ``MetadataApi`` runs each change in one transaction and restores the
metadata if it fails.
"""

from __future__ import annotations

import re
from typing import Any

from twenty_gql.naming import ObjectNames, capitalize, uncapitalize

from .errors import SandboxError
from .metadata import FIELD_TYPES, FieldMeta, ObjectMeta, RelationMeta, WorkspaceMetadata, stable_id
from .store import table_name
from .values import now_iso
from .workspace import Workspace

__all__ = ["RESERVED_NAMES", "MetadataChanges", "validation_failed"]

_NAME = re.compile(r"[a-z][a-zA-Z0-9]*")
_OPTION_VALUE = re.compile(r"[A-Z][A-Z0-9_]*")
RESERVED_NAMES = frozenset(
    [
        "id",
        "createdAt",
        "updatedAt",
        "deletedAt",
        "position",
        "createdBy",
        "updatedBy",
        "searchVector",
        "event",
        "events",
        "field",
        "fields",
        "object",
        "objects",
        "user",
        "users",
        "workspace",
        "workspaces",
        "view",
        "views",
        "relation",
        "relations",
        "type",
        "types",
        "metadata",
        "query",
        "mutation",
        "subscription",
        "and",
        "or",
        "not",
    ]
)
_RATING = [{"value": f"RATING_{i}", "label": str(i)} for i in range(1, 6)]
# Standard objects a new custom object gets a relation from (the target side is a MORPH field).
_ACTIVITY_TARGETS = ("attachment", "noteTarget", "taskTarget")


def validation_failed(action: str, kind: str, code: str, value: str, message: str) -> SandboxError:
    """``METADATA_VALIDATION_FAILED`` with Twenty's error tree (73, 74)."""
    entry = {
        "status": "fail",
        "errors": [
            {"code": code, "value": value, "message": message, "userFriendlyMessage": message}
        ],
        "flatEntityMinimalInformation": {"name": value},
        "metadataName": kind,
        "type": "create" if action.startswith("creating") else "update",
    }
    return SandboxError(
        f"Multiple validation errors occurred while {action}",
        "METADATA_VALIDATION_FAILED",
        None,
        "Many validation errors",
        {
            "errors": {kind: [entry]},
            "summary": {"totalErrors": 1, kind: 1},
            "message": f"Validation failed for 1 {kind}",
        },
    )


class MetadataChanges:
    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace

    @property
    def meta(self) -> WorkspaceMetadata:
        return self.workspace.meta

    def _name_taken(self, name: str, *, ignore: ObjectMeta | None = None) -> bool:
        return any(
            name in (o.nameSingular, o.namePlural)
            for o in self.meta.objects.values()
            if o is not ignore
        )

    def create_object(self, input: dict[str, Any]) -> ObjectMeta:
        data = input["object"]
        singular, plural = data["nameSingular"], data["namePlural"]
        action = "creating object"
        for name in (singular, plural):
            if not _NAME.fullmatch(name):
                raise validation_failed(
                    action,
                    "objectMetadata",
                    "INVALID_NAME",
                    name,
                    f'Name "{name}" must be camelCase: a lowercase letter, then letters or digits',
                )
            if name in RESERVED_NAMES:
                raise validation_failed(
                    action, "objectMetadata", "RESERVED_KEYWORD", name, f'Name "{name}" is reserved'
                )
            if self._name_taken(name):
                raise validation_failed(
                    action,
                    "objectMetadata",
                    "NOT_AVAILABLE",
                    name,
                    f'Name "{name}" is not available as it is already used by another object',
                )
        try:
            ObjectNames(singular, plural)
        except ValueError as error:
            raise validation_failed(
                action, "objectMetadata", "INVALID_NAME", singular, str(error)
            ) from None
        now = now_iso()
        obj = ObjectMeta(
            nameSingular=singular,
            namePlural=plural,
            labelSingular=data["labelSingular"],
            labelPlural=data["labelPlural"],
            id=stable_id("object", singular, now),
            description=data.get("description"),
            icon=data.get("icon"),
            isCustom=True,
            createdAt=now,
            updatedAt=now,
        )
        obj.fields = self._default_fields(obj, skip_name=bool(data.get("skipNameField")))
        self.meta.objects[singular] = obj
        for target_name in _ACTIVITY_TARGETS:
            self._link_activity_target(obj, target_name)
        self.workspace.metadata_changed()
        return obj

    def _default_fields(self, obj: ObjectMeta, *, skip_name: bool) -> list[FieldMeta]:
        def make(name: str, kind: str, label: str, **extra: Any) -> FieldMeta:
            return FieldMeta(
                name=name,
                type=kind,
                label=label,
                id=stable_id("field", obj.id, name),
                createdAt=obj.createdAt,
                updatedAt=obj.updatedAt,
                **extra,
            )

        fields = [] if skip_name else [make("name", "TEXT", "Name", description="Name")]
        fields += [
            make("id", "UUID", "Id", isNullable=False, isSystem=True, description="Id"),
            make("createdAt", "DATE_TIME", "Creation date", isNullable=False, isSystem=True),
            make("createdBy", "ACTOR", "Created by", isNullable=False, isSystem=True),
            make("deletedAt", "DATE_TIME", "Deleted at", isSystem=True),
            make("position", "POSITION", "Position", isNullable=False, isSystem=True),
            make("updatedAt", "DATE_TIME", "Last update", isNullable=False, isSystem=True),
            make("updatedBy", "ACTOR", "Updated by", isNullable=False, isSystem=True),
            make("searchVector", "TS_VECTOR", "Search vector", isSystem=True),
        ]
        return fields

    def _link_activity_target(self, obj: ObjectMeta, target_name: str) -> None:
        target = self.meta.objects.get(target_name)
        if target is None:
            return
        plural_field = target.namePlural
        morph_name = f"target{obj.type_name}"
        now = obj.createdAt
        obj.fields.append(
            FieldMeta(
                name=plural_field,
                type="RELATION",
                label=target.labelPlural,
                id=stable_id("field", obj.id, plural_field),
                isSystem=True,
                relation=RelationMeta("ONE_TO_MANY", target_name, morph_name),
                createdAt=now,
                updatedAt=now,
            )
        )
        target.fields.append(
            FieldMeta(
                name=morph_name,
                type="MORPH_RELATION",
                label=obj.labelSingular,
                id=stable_id("field", target.id, morph_name),
                isSystem=True,
                isCustom=True,
                relation=RelationMeta(
                    "MANY_TO_ONE", obj.nameSingular, plural_field, f"{morph_name}Id"
                ),
                createdAt=now,
                updatedAt=now,
            )
        )

    def update_object(self, input: dict[str, Any]) -> ObjectMeta:
        obj = self.meta.by_id(input["id"])
        if obj is None:
            raise SandboxError("Object does not exist", "NOT_FOUND")
        update = input["update"]
        for key in ("nameSingular", "namePlural"):
            if update.get(key) not in (None, getattr(obj, key)):
                raise SandboxError(
                    "Renaming an object is not supported by the sandbox", "BAD_USER_INPUT"
                )
        for key in ("labelSingular", "labelPlural", "description", "icon", "isActive"):
            if key in update and update[key] is not None:
                setattr(obj, key, update[key])
        obj.updatedAt = now_iso()
        self.workspace.metadata_changed()
        return obj

    def delete_object(self, input: dict[str, Any]) -> ObjectMeta:
        obj = self.meta.by_id(input["id"])
        if obj is None:
            raise SandboxError("Object does not exist", "NOT_FOUND")
        if not obj.isCustom:
            raise SandboxError("Standard objects cannot be deleted", "BAD_USER_INPUT")
        del self.meta.objects[obj.nameSingular]
        for other in self.meta.objects.values():
            other.fields = [
                f
                for f in other.fields
                if f.relation is None or f.relation.target != obj.nameSingular
            ]
        self.workspace.store.drop_table(obj.nameSingular)
        self.workspace.metadata_changed()
        return obj

    # -- fields -----------------------------------------------------------------------------

    def _check_field_name(self, obj: ObjectMeta, name: str, action: str) -> None:
        if not _NAME.fullmatch(name):
            raise validation_failed(
                action,
                "fieldMetadata",
                "INVALID_NAME",
                name,
                f'Name "{name}" must be camelCase: a lowercase letter, then letters or digits',
            )
        taken = any(
            name in (f.name, f.relation.joinColumn if f.relation else None) for f in obj.fields
        )
        if taken or name in RESERVED_NAMES:
            raise validation_failed(
                action,
                "fieldMetadata",
                "NOT_AVAILABLE",
                name,
                f'Name "{name}" is not available as it is already used by another field',
            )

    def _check_options(self, kind: str, options: Any, action: str) -> None:
        if kind not in ("SELECT", "MULTI_SELECT"):
            return
        if not isinstance(options, list) or not options:
            raise validation_failed(
                action, "fieldMetadata", "INVALID_OPTIONS", kind, "Options are required"
            )
        seen: set[str] = set()
        for option in options:
            value = option.get("value") if isinstance(option, dict) else None
            if not isinstance(value, str) or not _OPTION_VALUE.fullmatch(value) or value in seen:
                raise validation_failed(
                    action,
                    "fieldMetadata",
                    "INVALID_OPTIONS",
                    str(value),
                    f"Option value {value!r} must be unique and in UPPER_SNAKE_CASE",
                )
            seen.add(value)

    def create_field(self, input: dict[str, Any]) -> tuple[ObjectMeta, FieldMeta]:
        data = input["field"]
        action = "creating fields"
        obj = self.meta.by_id(data["objectMetadataId"])
        if obj is None:
            raise validation_failed(
                action,
                "fieldMetadata",
                "OBJECT_METADATA_NOT_FOUND",
                data["name"],
                "Object metadata not found",
            )
        kind = data["type"]
        if kind not in FIELD_TYPES:
            raise validation_failed(
                action, "fieldMetadata", "INVALID_FIELD_TYPE", kind, f"Unsupported type {kind}"
            )
        self._check_field_name(obj, data["name"], action)
        self._check_options(kind, data.get("options"), action)
        now = now_iso()
        field = FieldMeta(
            name=data["name"],
            type=kind,
            label=data["label"],
            id=stable_id("field", obj.id, data["name"], now),
            description=data.get("description"),
            icon=data.get("icon"),
            isNullable=data.get("isNullable") if data.get("isNullable") is not None else True,
            isUnique=bool(data.get("isUnique")),
            isCustom=True,
            defaultValue=data.get("defaultValue"),
            options=_normalise_options(
                data.get("options") if kind != "RATING" or data.get("options") else _RATING
            ),
            settings=data.get("settings"),
            createdAt=now,
            updatedAt=now,
        )
        if kind in ("RELATION", "MORPH_RELATION"):
            self._add_relation(obj, field, data.get("relationCreationPayload"), action)
        if field.isUnique:
            self._check_unique_data(obj, field)
        obj.fields.append(field)
        self.workspace.metadata_changed()
        return obj, field

    def _add_relation(self, obj: ObjectMeta, field: FieldMeta, payload: Any, action: str) -> None:
        if not isinstance(payload, dict):
            raise validation_failed(
                action,
                "fieldMetadata",
                "INVALID_RELATION",
                field.name,
                "relationCreationPayload is required for a RELATION field",
            )
        target = self.meta.by_id(str(payload.get("targetObjectMetadataId")))
        kind = payload.get("type")
        if target is None or kind not in ("MANY_TO_ONE", "ONE_TO_MANY"):
            raise validation_failed(
                action,
                "fieldMetadata",
                "INVALID_RELATION",
                field.name,
                "relationCreationPayload needs targetObjectMetadataId of an existing object and "
                "type MANY_TO_ONE or ONE_TO_MANY",
            )
        label = str(payload.get("targetFieldLabel") or obj.labelPlural)
        inverse_name = _camel(label)
        self._check_field_name(target, inverse_name, action)
        if target is obj and inverse_name in (field.name, f"{field.name}Id"):
            raise validation_failed(
                action,
                "fieldMetadata",
                "NOT_AVAILABLE",
                inverse_name,
                f'Name "{inverse_name}" is not available as it is already used by another field',
            )
        inverse_kind = "ONE_TO_MANY" if kind == "MANY_TO_ONE" else "MANY_TO_ONE"
        field.relation = RelationMeta(
            kind,
            target.nameSingular,
            inverse_name,
            f"{field.name}Id" if kind == "MANY_TO_ONE" else None,
        )
        target.fields.append(
            FieldMeta(
                name=inverse_name,
                type="RELATION",
                label=label,
                id=stable_id("field", target.id, inverse_name, field.createdAt),
                icon=payload.get("targetFieldIcon"),
                isCustom=True,
                relation=RelationMeta(
                    inverse_kind,
                    obj.nameSingular,
                    field.name,
                    f"{inverse_name}Id" if inverse_kind == "MANY_TO_ONE" else None,
                ),
                createdAt=field.createdAt,
                updatedAt=field.updatedAt,
            )
        )

    def _check_unique_data(self, obj: ObjectMeta, field: FieldMeta) -> None:
        if field.is_composite:
            return
        table = table_name(obj.nameSingular)
        expr = f"json_extract(data, '$.{field.name}')"
        dup = self.workspace.store.scalar(
            f"SELECT {expr} FROM {table} WHERE {expr} IS NOT NULL AND {expr} != '' "
            f"GROUP BY {expr} HAVING count(*) > 1 LIMIT 1"
        )
        if dup is not None:
            raise validation_failed(
                "creating fields",
                "fieldMetadata",
                "INVALID_UNIQUE",
                field.name,
                f'Field "{field.name}" cannot be unique: the value {dup!r} is used more than once',
            )

    def update_field(self, input: dict[str, Any]) -> tuple[ObjectMeta, FieldMeta]:
        found = self.meta.field_by_id(input["id"])
        if found is None:
            raise SandboxError("Field does not exist", "NOT_FOUND")
        obj, field = found
        update = {k: v for k, v in input["update"].items() if v is not None}
        action = "updating fields"
        if "name" in update and update["name"] != field.name:
            if not field.isCustom:
                raise validation_failed(
                    action,
                    "fieldMetadata",
                    "NOT_EDITABLE",
                    field.name,
                    "Standard fields cannot be renamed",
                )
            self._check_field_name(obj, update["name"], action)
            self._rename_data(obj, field.name, update["name"])
            field.name = update["name"]
        if "options" in update:
            self._check_options(field.type, update["options"], action)
            options = _normalise_options(update["options"])
            self._migrate_option_values(obj, field, options or [])
            field.options = options
        for key in ("label", "description", "icon", "isActive", "isNullable", "settings"):
            if key in update:
                setattr(field, key, update[key])
        if "defaultValue" in input["update"]:
            field.defaultValue = input["update"]["defaultValue"]
        if "isUnique" in update and update["isUnique"] != field.isUnique:
            if update["isUnique"]:
                self._check_unique_data(obj, field)
            field.isUnique = bool(update["isUnique"])
        field.updatedAt = now_iso()
        self.workspace.metadata_changed()
        return obj, field

    def _migrate_option_values(
        self, obj: ObjectMeta, field: FieldMeta, options: list[dict[str, Any]]
    ) -> None:
        """Records follow an options change: an option that keeps its ``id`` under a new value
        is renamed in every record; a value no option has any more becomes the field's default
        (SELECT, when the default is still an option; else the first option for a non-nullable
        field, else null), or leaves the list (MULTI_SELECT). Meant to match Twenty's enum
        column migration, which the reference did not record."""
        if field.type not in ("SELECT", "MULTI_SELECT") or not field.options:
            return
        new_value = {o.get("id"): o["value"] for o in options}
        renamed = {
            o["value"]: new_value[o.get("id")]
            for o in field.options
            if o.get("id") in new_value and new_value[o.get("id")] != o["value"]
        }
        kept = set(new_value.values())
        default = field.defaultValue.strip("'") if isinstance(field.defaultValue, str) else None
        fallback = None
        if field.type == "SELECT" and default in kept:
            fallback = default
        elif field.type == "SELECT" and not field.isNullable and options:
            fallback = options[0]["value"]  # a NOT NULL column keeps a value

        def migrate(value: Any) -> Any:
            value = renamed.get(value, value)
            return value if value in kept else fallback

        store = self.workspace.store
        for record in store.select(obj.nameSingular):
            before = record.get(field.name)
            if before is None:
                continue
            if isinstance(before, list):
                after: Any = [v for v in map(migrate, before) if v is not None]
            else:
                after = migrate(before)
            if after != before:
                store.replace(obj.nameSingular, {**record, field.name: after})

    def _rename_data(self, obj: ObjectMeta, old: str, new: str) -> None:
        table = table_name(obj.nameSingular)
        self.workspace.store.scalar(
            f"UPDATE {table} SET data = json_remove(json_set(data, '$.{new}', "
            f"json_extract(data, '$.{old}')), '$.{old}')"
        )

    def delete_field(self, input: dict[str, Any]) -> tuple[ObjectMeta, FieldMeta]:
        found = self.meta.field_by_id(input["id"])
        if found is None:
            raise SandboxError("Field does not exist", "NOT_FOUND")
        obj, field = found
        if not field.isCustom:
            raise SandboxError("Standard fields cannot be deleted", "BAD_USER_INPUT")
        obj.fields.remove(field)
        table = table_name(obj.nameSingular)
        self.workspace.store.scalar(
            f"UPDATE {table} SET data = json_remove(data, '$.{field.name}')"
        )
        if field.relation is not None:
            target = self.meta.objects.get(field.relation.target)
            if target is not None:
                target.fields = [
                    f
                    for f in target.fields
                    if not (
                        f.relation
                        and f.relation.target == obj.nameSingular
                        and f.name == field.relation.inverse
                    )
                ]
        self.workspace.metadata_changed()
        return obj, field


def _camel(label: str) -> str:
    words: list[str] = re.findall(r"[A-Za-z0-9]+", label)
    if not words:
        return "related"
    first, *rest = words
    return uncapitalize(first) + "".join(capitalize(w) for w in rest)


def _normalise_options(options: Any) -> list[dict[str, Any]] | None:
    if not isinstance(options, list):
        return None
    out = []
    for i, option in enumerate(options):
        entry = dict(option)
        entry.setdefault("label", entry.get("value"))
        entry.setdefault("position", i)
        entry.setdefault("id", stable_id("option", str(entry.get("value")), str(i)))
        out.append(entry)
    return out
