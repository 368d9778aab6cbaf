"""``/metadata``: list, create, update and delete objects and fields.

The schema is the subset of Twenty's metadata schema in ``data/metadata.graphql`` (same shapes).
Every write bumps the workspace's metadata version, so ``/graphql`` serves the change on the
next request.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable
from functools import cache
from importlib import resources
from typing import Any

from graphql import (
    ExecutionResult,
    GraphQLError,
    GraphQLSchema,
    OperationDefinitionNode,
    OperationType,
    build_schema,
    execute,
    parse,
    validate,
)

from twenty_gql.naming import ObjectNames

from .errors import SandboxError
from .metadata import (
    FIELD_TYPES,
    FieldMeta,
    ObjectMeta,
    RelationMeta,
    WorkspaceMetadata,
    stable_id,
)
from .values import now_iso
from .workspace import Workspace

__all__ = ["MetadataApi"]

APPLICATION_ID = stable_id("application", "sandbox")
WORKSPACE_ID = stable_id("workspace", "sandbox")

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


@cache
def _schema_sdl() -> str:
    return resources.files("twenty_gql.sandbox").joinpath("data/metadata.graphql").read_text()


def _cursor(index: int) -> str:
    return base64.b64encode(f"arrayconnection:{index}".encode()).decode()


def _page(items: list[Any], paging: dict[str, Any] | None) -> dict[str, Any]:
    paging = paging or {}
    start = 0
    end = len(items)
    if paging.get("after"):
        start = _index(paging["after"]) + 1
    if paging.get("before"):
        end = min(end, _index(paging["before"]))
    window = list(enumerate(items))[start:end]
    has_next = has_prev = False
    if paging.get("first") is not None:
        has_next = len(window) > paging["first"]
        window = window[: paging["first"]]
    elif paging.get("last") is not None:
        has_prev = len(window) > paging["last"]
        window = window[-paging["last"] :] if paging["last"] else []
    edges = [{"cursor": _cursor(i), "node": node} for i, node in window]
    return {
        "pageInfo": {
            "hasNextPage": has_next,
            "hasPreviousPage": has_prev,
            "startCursor": edges[0]["cursor"] if edges else None,
            "endCursor": edges[-1]["cursor"] if edges else None,
        },
        "edges": edges,
    }


def _index(cursor: str) -> int:
    try:
        return int(base64.b64decode(cursor).decode().split(":", 1)[1])
    except (ValueError, IndexError):
        raise SandboxError(f"Invalid cursor: {cursor}", "BAD_USER_INPUT") from None


def _matches(node: dict[str, Any], filt: dict[str, Any] | None) -> bool:
    if not filt:
        return True
    for key, cond in filt.items():
        if cond is None:
            continue
        if key == "and":
            if not all(_matches(node, c) for c in cond):
                return False
        elif key == "or":
            if cond and not any(_matches(node, c) for c in cond):
                return False
        else:
            value = node.get(key)
            for op, expected in cond.items():
                if expected is None:
                    continue
                if op in ("eq", "is") and value != expected:
                    return False
                if op in ("neq", "isNot") and value == expected:
                    return False
                if op == "in" and value not in expected:
                    return False
                if op == "notIn" and value in expected:
                    return False
    return True


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


class MetadataApi:
    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self.schema: GraphQLSchema = build_schema(_schema_sdl())
        self._wire()

    @property
    def meta(self) -> WorkspaceMetadata:
        return self.workspace.meta

    def handle(self, body: dict[str, Any], *, read_only: bool) -> tuple[int, dict[str, Any]]:
        query = body.get("query")
        if not isinstance(query, str):
            return 400, {"errors": [{"message": "Must provide query string."}]}
        try:
            document = parse(query)
        except GraphQLError as error:
            return 200, {"errors": [dict(error.formatted)]}
        errors = validate(self.schema, document)
        if errors:
            return 200, {"errors": [dict(e.formatted) for e in errors]}
        is_mutation = any(
            isinstance(d, OperationDefinitionNode) and d.operation == OperationType.MUTATION
            for d in document.definitions
        )
        if is_mutation and read_only:
            denied = SandboxError(
                "This API key is read-only: metadata changes are not allowed.",
                "FORBIDDEN",
                "PERMISSION_DENIED",
            )
            return 200, {"data": None, "errors": [denied.payload]}
        result = execute(
            self.schema,
            document,
            variable_values=body.get("variables"),
            operation_name=body.get("operationName"),
        )
        assert isinstance(result, ExecutionResult)
        payload: dict[str, Any] = {"data": result.data}
        if result.errors:
            payload["errors"] = [dict(e.formatted) for e in result.errors]
        return 200, payload

    # -- rendering --------------------------------------------------------------------------

    def _object(self, obj: ObjectMeta) -> dict[str, Any]:
        label_field = obj.field("name")

        def fields() -> list[dict[str, Any]]:
            return [self._field(obj, f) for f in obj.fields]

        def fields_list(_info: Any) -> list[dict[str, Any]]:
            return fields()

        def fields_page(_info: Any, paging: Any = None, filter: Any = None) -> Any:
            return _page([f for f in fields() if _matches(f, filter)], paging)

        return {
            "id": obj.id,
            "universalIdentifier": obj.id,
            "nameSingular": obj.nameSingular,
            "namePlural": obj.namePlural,
            "labelSingular": obj.labelSingular,
            "labelPlural": obj.labelPlural,
            "description": obj.description,
            "icon": obj.icon,
            "shortcut": None,
            "color": None,
            "isRemote": obj.isRemote,
            "isActive": obj.isActive,
            "isSystem": obj.isSystem,
            "isUIEditable": True,
            "isUICreatable": True,
            "isUIReadOnly": False,
            "isSearchable": True,
            "applicationId": APPLICATION_ID,
            "createdAt": obj.createdAt,
            "updatedAt": obj.updatedAt,
            "labelIdentifierFieldMetadataId": label_field.id if label_field else None,
            "imageIdentifierFieldMetadataId": None,
            "isLabelSyncedWithName": False,
            "duplicateCriteria": None,
            "fieldsList": fields_list,
            "fields": fields_page,
        }

    def _field(self, obj: ObjectMeta, f: FieldMeta) -> dict[str, Any]:
        return {
            "id": f.id,
            "universalIdentifier": f.id,
            "type": f.type,
            "name": f.name,
            "label": f.label,
            "description": f.description,
            "icon": f.icon,
            "isActive": f.isActive,
            "isSystem": f.isSystem,
            "isUIEditable": not f.isSystem,
            "isUIReadOnly": f.isSystem,
            "isNullable": f.isNullable,
            # Twenty answers null for fields no one set isUnique on (69)
            "isUnique": True if f.isUnique else (False if f.isCustom else None),
            "defaultValue": f.defaultValue,
            "options": f.options,
            "settings": f.settings,
            "objectMetadataId": obj.id,
            "isLabelSyncedWithName": False,
            "morphId": None,
            "createdAt": f.createdAt,
            "updatedAt": f.updatedAt,
            "applicationId": APPLICATION_ID,
            "relation": (lambda _info: self._relation(obj, f)),
            "morphRelations": None,
            "object": (lambda _info: self._object(obj)),
        }

    def _relation(self, obj: ObjectMeta, f: FieldMeta) -> dict[str, Any] | None:
        if f.relation is None or f.relation.target not in self.meta.objects:
            return None
        target = self.meta.objects[f.relation.target]
        inverse = target.field(f.relation.inverse or "")
        return {
            "type": f.relation.kind,
            "sourceObjectMetadata": self._object(obj),
            "targetObjectMetadata": self._object(target),
            "sourceFieldMetadata": self._field(obj, f),
            "targetFieldMetadata": self._field(target, inverse) if inverse else None,
        }

    # -- resolvers --------------------------------------------------------------------------

    def _wire(self) -> None:
        query = self.schema.query_type
        mutation = self.schema.mutation_type
        assert query is not None and mutation is not None
        resolvers: dict[str, Callable[..., Any]] = {
            "objects": self._objects,
            "object": self._get_object,
            "fields": self._fields,
            "field": self._get_field,
            "currentWorkspace": self._current_workspace,
        }
        for name, fn in resolvers.items():
            if name in query.fields:
                query.fields[name].resolve = fn
        mutations: dict[str, Callable[..., Any]] = {
            "createOneObject": self._create_object,
            "updateOneObject": self._update_object,
            "deleteOneObject": self._delete_object,
            "createOneField": self._create_field,
            "updateOneField": self._update_field,
            "deleteOneField": self._delete_field,
        }
        for name, fn in mutations.items():
            if name in mutation.fields:
                mutation.fields[name].resolve = self._all_or_nothing(fn, name)

    def _all_or_nothing(self, change: Callable[..., Any], name: str) -> Callable[..., Any]:
        """Run a metadata change in one transaction; on failure restore the metadata too."""
        action = re.sub(r"([A-Z])", r" \1", name).lower().replace("one ", "")

        def run(*args: Any, **kwargs: Any) -> Any:
            snapshot = self.meta.to_json()
            try:
                with self.workspace.store.transaction():
                    return change(*args, **kwargs)
            except SandboxError:
                self.workspace.meta = WorkspaceMetadata.from_json(snapshot)
                raise
            except (TypeError, ValueError) as error:  # the records schema would not build
                self.workspace.meta = WorkspaceMetadata.from_json(snapshot)
                raise validation_failed(
                    f"{action.replace('create ', 'creating ')}",
                    "objectMetadata" if "object" in name.lower() else "fieldMetadata",
                    "INVALID_SCHEMA",
                    name,
                    f"The change would make an invalid records schema: {error}",
                ) from None

        return run

    def _objects(self, _: Any, __: Any, paging: Any = None, filter: Any = None) -> Any:
        nodes = [self._object(o) for o in self.meta.objects.values()]
        return _page([n for n in nodes if _matches(n, filter)], paging)

    def _get_object(self, _: Any, __: Any, id: str) -> Any:
        obj = self.meta.by_id(id)
        if obj is None:
            raise SandboxError("Object does not exist", "NOT_FOUND")
        return self._object(obj)

    def _fields(self, _: Any, __: Any, paging: Any = None, filter: Any = None) -> Any:
        nodes = [self._field(o, f) for o in self.meta.objects.values() for f in o.fields]
        return _page([n for n in nodes if _matches(n, filter)], paging)

    def _get_field(self, _: Any, __: Any, id: str) -> Any:
        found = self.meta.field_by_id(id)
        if found is None:
            raise SandboxError("Field does not exist", "NOT_FOUND")
        return self._field(*found)

    def _current_workspace(self, _: Any, __: Any) -> Any:
        return {
            "id": WORKSPACE_ID,
            "displayName": "Sandbox",
            "createdAt": "2026-01-01T00:00:00.000Z",
            "updatedAt": "2026-01-01T00:00:00.000Z",
            "metadataVersion": float(self.meta.version),
            "subdomain": "sandbox",
        }

    # -- objects ----------------------------------------------------------------------------

    def _name_taken(self, name: str, *, ignore: ObjectMeta | None = None) -> bool:
        return any(
            name in (o.nameSingular, o.namePlural)
            for o in self.meta.objects.values()
            if o is not ignore
        )

    def _create_object(self, _: Any, __: Any, input: dict[str, Any]) -> Any:
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
        return self._object(obj)

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

    def _update_object(self, _: Any, __: Any, input: dict[str, Any]) -> Any:
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
        return self._object(obj)

    def _delete_object(self, _: Any, __: Any, input: dict[str, Any]) -> Any:
        obj = self.meta.by_id(input["id"])
        if obj is None:
            raise SandboxError("Object does not exist", "NOT_FOUND")
        if not obj.isCustom:
            raise SandboxError("Standard objects cannot be deleted", "BAD_USER_INPUT")
        rendered = self._object(obj)
        rendered["fieldsList"] = [self._field(obj, f) for f in obj.fields]
        del self.meta.objects[obj.nameSingular]
        for other in self.meta.objects.values():
            other.fields = [
                f
                for f in other.fields
                if f.relation is None or f.relation.target != obj.nameSingular
            ]
        self.workspace.store.drop_table(obj.nameSingular)
        self.workspace.metadata_changed()
        return rendered

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

    def _create_field(self, _: Any, __: Any, input: dict[str, Any]) -> Any:
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
        return self._field(obj, field)

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
        table = f'"r_{obj.nameSingular}"'
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

    def _update_field(self, _: Any, __: Any, input: dict[str, Any]) -> Any:
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
            field.options = _normalise_options(update["options"])
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
        return self._field(obj, field)

    def _rename_data(self, obj: ObjectMeta, old: str, new: str) -> None:
        table = f'"r_{obj.nameSingular}"'
        self.workspace.store.scalar(
            f"UPDATE {table} SET data = json_remove(json_set(data, '$.{new}', "
            f"json_extract(data, '$.{old}')), '$.{old}')"
        )

    def _delete_field(self, _: Any, __: Any, input: dict[str, Any]) -> Any:
        found = self.meta.field_by_id(input["id"])
        if found is None:
            raise SandboxError("Field does not exist", "NOT_FOUND")
        obj, field = found
        if not field.isCustom:
            raise SandboxError("Standard fields cannot be deleted", "BAD_USER_INPUT")
        rendered = self._field(obj, field)
        rendered["relation"] = None
        rendered["object"] = None
        obj.fields.remove(field)
        table = f'"r_{obj.nameSingular}"'
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
        return rendered


def _camel(label: str) -> str:
    words: list[str] = re.findall(r"[A-Za-z0-9]+", label)
    if not words:
        return "related"
    first, *rest = words
    return first[:1].lower() + first[1:] + "".join(w[:1].upper() + w[1:] for w in rest)


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
