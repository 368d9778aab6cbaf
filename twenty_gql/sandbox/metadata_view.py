"""How ``/metadata`` shows objects and fields: Twenty's Object/Field shapes and its
offset cursors (``arrayconnection:N``)."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

from .errors import SandboxError
from .metadata import FieldMeta, ObjectMeta, WorkspaceMetadata, stable_id

__all__ = ["APPLICATION_ID", "WORKSPACE_ID", "MetadataView", "matches", "page"]

APPLICATION_ID = stable_id("application", "sandbox")
WORKSPACE_ID = stable_id("workspace", "sandbox")


def _cursor(index: int) -> str:
    return base64.b64encode(f"arrayconnection:{index}".encode()).decode()


def page(items: list[Any], paging: dict[str, Any] | None) -> dict[str, Any]:
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


def matches(node: dict[str, Any], filt: dict[str, Any] | None) -> bool:
    if not filt:
        return True
    for key, cond in filt.items():
        if cond is None:
            continue
        if key == "and":
            if not all(matches(node, c) for c in cond):
                return False
        elif key == "or":
            if cond and not any(matches(node, c) for c in cond):
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


class MetadataView:
    """Renders metadata as the dicts the metadata schema's default resolvers read."""

    def __init__(self, current: Callable[[], WorkspaceMetadata]) -> None:
        self._current = current

    @property
    def meta(self) -> WorkspaceMetadata:
        """The workspace's metadata now (a failed change may replace the object)."""
        return self._current()

    def object(self, obj: ObjectMeta) -> dict[str, Any]:
        label_field = obj.field("name")

        def fields() -> list[dict[str, Any]]:
            return [self.field(obj, f) for f in obj.fields]

        def fields_list(_info: Any) -> list[dict[str, Any]]:
            return fields()

        def fields_page(_info: Any, paging: Any = None, filter: Any = None) -> Any:
            return page([f for f in fields() if matches(f, filter)], paging)

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

    def field(self, obj: ObjectMeta, f: FieldMeta, *, detached: bool = False) -> dict[str, Any]:
        """``detached``: a deleted field, shown without its relation and object."""
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
            "relation": None if detached else (lambda _info: self.relation(obj, f)),
            "morphRelations": None,
            "object": None if detached else (lambda _info: self.object(obj)),
        }

    def relation(self, obj: ObjectMeta, f: FieldMeta) -> dict[str, Any] | None:
        if f.relation is None or f.relation.target not in self.meta.objects:
            return None
        target = self.meta.objects[f.relation.target]
        inverse = target.field(f.relation.inverse or "")
        return {
            "type": f.relation.kind,
            "sourceObjectMetadata": self.object(obj),
            "targetObjectMetadata": self.object(target),
            "sourceFieldMetadata": self.field(obj, f),
            "targetFieldMetadata": self.field(target, inverse) if inverse else None,
        }

    def current_workspace(self) -> dict[str, Any]:
        return {
            "id": WORKSPACE_ID,
            "displayName": "Sandbox",
            "createdAt": "2026-01-01T00:00:00.000Z",
            "updatedAt": "2026-01-01T00:00:00.000Z",
            "metadataVersion": float(self.meta.version),
            "subdomain": "sandbox",
        }
