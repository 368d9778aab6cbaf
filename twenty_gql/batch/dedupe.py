"""Unique keys of an object, and the key values a record carries.

Twenty's upsert matches a record by ``id`` and by every unique index of the object; for a
composite field only its ``isIncludedInUniqueConstraint`` sub-fields count (LINKS ->
``primaryLinkUrl``, EMAILS -> ``primaryEmail``, PHONES -> number + country code + calling code).
Emails match without regard to case; URLs are compared as written. Two rows of one batch that
share a key make the whole batch fail, so the planner keeps them in different batches.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = [
    "ID_KEY",
    "KeyValue",
    "UniqueKey",
    "default_unique_keys",
    "get_path",
    "key_values",
    "unique_key_for_field",
    "unique_keys_from_metadata",
]

KeyValue = tuple[str, tuple[str, ...]]
"""``(key name, normalised values)``: equal for two records the server would match."""

_MISSING = object()


def get_path(data: Mapping[str, Any], path: str) -> Any:
    """The value at a dotted path (``emails.primaryEmail``), or ``None`` when absent."""
    current: Any = data
    for part in path.split("."):
        if not isinstance(current, Mapping):
            return None
        current = current.get(part, _MISSING)
        if current is _MISSING:
            return None
    return current


@dataclass(frozen=True, slots=True)
class UniqueKey:
    """One way the server can match a record: the values at ``paths`` taken together."""

    name: str
    paths: tuple[str, ...]
    casefold: bool = False

    def value(self, data: Mapping[str, Any]) -> KeyValue | None:
        """The key this record carries, or ``None`` when it carries none (all parts empty)."""
        parts: list[str] = []
        for path in self.paths:
            raw = get_path(data, path)
            text = "" if raw is None else str(raw)
            parts.append(text.casefold() if self.casefold else text)
        if not any(parts):
            return None
        return (self.name, tuple(parts))


ID_KEY = UniqueKey("id", ("id",), casefold=True)
"""Ids are UUIDs: the server compares them without regard to case."""

_COMPOSITE_UNIQUE_PARTS: dict[str, tuple[tuple[str, ...], bool]] = {
    "LINKS": (("primaryLinkUrl",), False),
    "EMAILS": (("primaryEmail",), True),
    "PHONES": (("primaryPhoneNumber", "primaryPhoneCountryCode", "primaryPhoneCallingCode"), False),
}


def unique_key_for_field(name: str, field_type: str) -> UniqueKey:
    """The key of a field marked ``isUnique`` in /metadata, from its metadata type."""
    composite = _COMPOSITE_UNIQUE_PARTS.get(field_type.upper())
    if composite is None:
        return UniqueKey(name, (name,))
    parts, casefold = composite
    return UniqueKey(name, tuple(f"{name}.{part}" for part in parts), casefold=casefold)


_STANDARD_KEYS: dict[str, tuple[UniqueKey, ...]] = {
    "company": (unique_key_for_field("domainName", "LINKS"),),
    "person": (unique_key_for_field("emails", "EMAILS"),),
    "workspaceMember": (UniqueKey("userEmail", ("userEmail",), casefold=True),),
}


def default_unique_keys(
    object_singular: str, extra: Iterable[UniqueKey] = ()
) -> tuple[UniqueKey, ...]:
    """``id``, the standard unique keys of a Twenty object, then ``extra`` (custom fields)."""
    keys: list[UniqueKey] = [ID_KEY, *_STANDARD_KEYS.get(object_singular, ())]
    for key in extra:
        if all(existing.paths != key.paths for existing in keys):
            keys.append(key)
    return tuple(keys)


def unique_keys_from_metadata(fields: Iterable[Mapping[str, Any]]) -> tuple[UniqueKey, ...]:
    """Keys of the fields a /metadata answer marks ``isUnique`` (``{name, type, isUnique}``
    each, as ``fields`` of an object node lists them); pass them as ``extra_keys``."""
    return tuple(
        unique_key_for_field(str(f["name"]), str(f.get("type", "")))
        for f in fields
        if f.get("isUnique") and f.get("name") != "id"
    )


def key_values(data: Mapping[str, Any], keys: Iterable[UniqueKey]) -> list[KeyValue]:
    return [value for key in keys if (value := key.value(data)) is not None]
