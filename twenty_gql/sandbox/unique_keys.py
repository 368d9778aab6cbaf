"""Unique keys: which rows of a batch, and which stored records, share an upsert key.

The keys of a record are its ``id`` plus every unique field; for a composite field, the
sub-fields a unique constraint covers (``domainName.primaryLinkUrl``, ``emails.primaryEmail``
compared without regard to case, the three phone sub-fields). Each key column has an expression
index, so matching a batch is one indexed query per key column.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .errors import SandboxError, bad_input, duplicate_entry
from .metadata import UNIQUE_SUBFIELDS, FieldMeta, ObjectMeta
from .store import Store, table_name
from .values import path_value

__all__ = ["Match", "UniqueKeys", "multiple_matches", "unique_index_sql"]

Match = tuple[str, SandboxError, dict[str, Any]]
"""``("field|label|value", the error a plain create would raise, the matching record)``."""


_SEPARATOR = "\x1f"


def _unique_exprs(f: FieldMeta) -> list[tuple[str, str, bool]]:
    """``(label, sql expression, case-insensitive)`` of the key a unique field makes.

    A composite whose constraint covers several sub-fields (PHONES) is one key over all of them,
    joined with a separator, so two phones sharing only a country code do not collide."""
    if not f.is_composite:
        return [(f.name, f"json_extract(data, '$.{f.name}')", False)]
    subs = UNIQUE_SUBFIELDS.get(f.type, ())
    label = ",".join(f"{f.name}.{s}" for s in subs)
    columns = [f"json_extract(data, '$.{f.name}.{s}')" for s in subs]
    if len(columns) == 1:
        return [(label, columns[0], f.type == "EMAILS")]
    expr = " || char(31) || ".join(f"coalesce({c}, '')" for c in columns)
    return [(label, expr, f.type == "EMAILS")]


def unique_index_sql(obj: ObjectMeta) -> list[str]:
    statements = []
    table = table_name(obj.nameSingular)
    for f in obj.unique_fields():
        for i, (_, expr, ci) in enumerate(_unique_exprs(f)):
            index = f'"ix_{obj.nameSingular}_{f.name}_{i}"'
            column = f"lower({expr})" if ci else expr
            statements.append(f"CREATE INDEX IF NOT EXISTS {index} ON {table} ({column})")
    return statements


def _record_value(record: dict[str, Any], label: str) -> Any:
    """The key value a record has under ``label`` (None when it sets none of its parts)."""
    paths = label.split(",")
    if len(paths) == 1:
        return path_value(record, label)
    values = ["" if (v := path_value(record, p)) is None else str(v) for p in paths]
    return _SEPARATOR.join(values) if any(values) else None


class UniqueKeys:
    def __init__(self, store: Store) -> None:
        self.store = store

    def keys_of(self, obj: ObjectMeta, data: dict[str, Any]) -> list[tuple[str, str, Any]]:
        """``(field, label, value)`` for id and each unique column the row sets."""
        keys: list[tuple[str, str, Any]] = []
        if data.get("id"):
            keys.append(("id", "id", data["id"]))
        for f in obj.unique_fields():
            for label, _, ci in _unique_exprs(f):
                value = _record_value(data, label)
                if value in (None, ""):
                    continue
                keys.append(
                    (f.name, label, value.lower() if ci and isinstance(value, str) else value)
                )
        return keys

    def check_batch(self, obj: ObjectMeta, rows: Sequence[dict[str, Any]]) -> None:
        seen: set[tuple[str, Any]] = set()
        for row in rows:
            for _, label, value in self.keys_of(obj, row):
                if (label, value) in seen:
                    raise duplicate_entry()
                seen.add((label, value))

    def find_matches(self, obj: ObjectMeta, rows: Sequence[dict[str, Any]]) -> list[list[Match]]:
        """For each row, the existing records (live or soft-deleted) sharing a key with it."""
        wanted: dict[str, set[Any]] = {}
        for row in rows:
            for _, label, value in self.keys_of(obj, row):
                wanted.setdefault(label, set()).add(value)
        index: dict[tuple[str, Any], dict[str, Any]] = {}
        for label, values in wanted.items():
            expr, ci = self.expr_for(obj, label)
            column = f"lower({expr})" if ci else expr
            vals = list(values)
            for start in range(0, len(vals), 500):
                chunk = vals[start : start + 500]
                where = f"{column} IN ({','.join('?' * len(chunk))})"
                for rec in self.store.select(obj.nameSingular, where, chunk):
                    value = _record_value(rec, label)
                    if ci and isinstance(value, str):
                        value = value.lower()
                    index[(label, value)] = rec
        result = []
        for row in rows:
            found = []
            for fname, label, value in self.keys_of(obj, row):
                match = index.get((label, value))
                if match is None:
                    continue
                if fname == "id":
                    error = duplicate_entry()
                else:
                    f = obj.field(fname)
                    shown_as = f.label if f is not None and f.label else fname
                    error = duplicate_entry(match["id"], obj.nameSingular, shown_as)
                found.append((f"{fname}|{label}|{value}", error, match))
            result.append(found)
        return result

    def expr_for(self, obj: ObjectMeta, label: str) -> tuple[str, bool]:
        if label == "id":
            return "id", False
        f = obj.field(label.split(".")[0])
        assert f is not None
        for lab, expr, ci in _unique_exprs(f):
            if lab == label:
                return expr, ci
        raise KeyError(label)


def multiple_matches(found: list[Match]) -> SandboxError:
    by_field: dict[str, list[str]] = {}
    for key, _, _ in found:
        fname, label, value = key.split("|", 2)
        shown = value.replace(_SEPARATOR, " ")
        by_field.setdefault(fname, []).append(f"{label}: {shown}")
    details = "; ".join(f"{name} ({', '.join(values)})" for name, values in by_field.items())
    return bad_input(
        f"Multiple records found with the same unique field values for {details}. "
        "Cannot determine which record to update.",
        "UPSERT_MULTIPLE_MATCHING_RECORDS_CONFLICT",
    )
