"""Compile Twenty filters and sort orders to SQL over the JSON record documents."""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .errors import bad_input
from .metadata import COMPOSITE_TYPES, FieldMeta, ObjectMeta, WorkspaceMetadata
from .store import table_name
from .value_checks import table_of
from .values import parse_date, parse_datetime, path_value

WORKSPACE_SCHEMA = "workspace_sandbox"
"""The Postgres schema Twenty's database errors name (``workspace_<base36 id>`` on a server)."""

__all__ = [
    "SortKey",
    "after_condition",
    "compile_filter",
    "compile_order",
    "decode_cursor",
    "encode_cursor",
    "mentions_deleted_at",
]


def _path(field: str, sub: str | None = None) -> str:
    if field == "id" and sub is None:
        return "id"  # the primary key column holds the record's id: filters and order use its index
    path = f"$.{field}" if sub is None else f"$.{field}.{sub}"
    return f"json_extract(data, '{path}')"


def mentions_deleted_at(filt: Any) -> bool:
    if isinstance(filt, dict):
        return any(k == "deletedAt" or mentions_deleted_at(v) for k, v in filt.items())
    if isinstance(filt, list):
        return any(mentions_deleted_at(v) for v in filt)
    return False


class _Compiler:
    def __init__(self, meta: WorkspaceMetadata, obj: ObjectMeta) -> None:
        self.meta = meta
        self.obj = obj
        self.params: list[Any] = []

    def compile(self, filt: dict[str, Any] | None) -> str:
        if not filt:
            return "1"
        parts: list[str] = []
        for key, value in filt.items():
            if value is None:
                continue
            if key == "and":
                parts.append("(" + " AND ".join(self.compile(v) for v in value if v) + ")")
            elif key == "or":
                ors = [self.compile(v) for v in value if v is not None]
                parts.append("(" + (" OR ".join(ors) or "0") + ")")
            elif key == "not":
                parts.append(f"NOT ({self.compile(value)})")
            else:
                parts.append(self.field(key, value))
        parts = [p for p in parts if p not in ("()", "")]
        return " AND ".join(parts) if parts else "1"

    def field(self, name: str, value: dict[str, Any]) -> str:
        f = self.obj.field(name)
        if f is None:
            for candidate in self.obj.fields:
                rel = candidate.relation
                if rel is not None and rel.joinColumn == name:
                    return self.ops(_path(name), value, "UUID", name)
            raise bad_input(
                f'Object {self.obj.nameSingular} doesn\'t have any "{name}" field.',
                "INVALID_ARGS_FILTER",
            )
        if f.is_many_to_one:
            assert f.relation is not None and f.relation.joinColumn
            target = self.meta.objects[f.relation.target]
            sub = _Compiler(self.meta, target)
            inner = sub.compile(value)
            self.params += sub.params
            table = table_name(target.nameSingular)
            return f"{_path(f.relation.joinColumn)} IN (SELECT id FROM {table} WHERE {inner})"
        if f.is_composite:
            parts = [
                self.ops(_path(name, sub), ops, "TEXT", f"{name}.{sub}")
                for sub, ops in value.items()
                if ops is not None
            ]
            return " AND ".join(parts) if parts else "1"
        if f.type in ("SELECT", "RATING"):
            self.check_enum(f, value)
        return self.ops(_path(name), value, f.type, name)

    def check_enum(self, f: FieldMeta, ops: dict[str, Any]) -> None:
        """Twenty does not check a select value in a filter: Postgres's enum cast refuses an
        unknown one, in its own words and without a subCode (133)."""
        options = {str(o["value"]) for o in f.options or []}
        for op in ("eq", "neq", "in"):
            values = ops.get(op)
            for value in values if isinstance(values, list) else [values]:
                if value is not None and value not in options:
                    enum = f"{table_of(self.obj)}_{f.name}_enum"
                    raise bad_input(
                        f'invalid input value for enum {WORKSPACE_SCHEMA}.{enum}: "{value}"',
                        None,
                        "Invalid input provided.",
                    )

    def ops(self, expr: str, ops: dict[str, Any], kind: str, label: str) -> str:
        parts: list[str] = []
        for op, raw in ops.items():
            if raw is None:
                continue
            value = raw if op in ("is", "isEmptyArray") else self.coerce(raw, kind, label)
            if op == "is":
                parts.append(f"{expr} IS NULL" if raw == "NULL" else f"{expr} IS NOT NULL")
            elif op in ("eq", "neq", "gt", "gte", "lt", "lte"):
                sql_op = {"eq": "=", "neq": "!=", "gt": ">", "gte": ">=", "lt": "<", "lte": "<="}
                parts.append(f"{expr} {sql_op[op]} ?")
                self.params.append(value)
            elif op == "in":
                if not value:
                    parts.append("0")
                    continue
                parts.append(f"{expr} IN ({','.join('?' * len(value))})")
                self.params.extend(value)
            elif op == "like":
                parts.append(f"{expr} LIKE ?")
                self.params.append(value)
            elif op == "ilike":
                parts.append(f"lower({expr}) LIKE lower(?)")
                self.params.append(value)
            elif op == "startsWith":
                parts.append(f"substr({expr}, 1, length(?)) = ?")
                self.params += [value, value]
            elif op == "endsWith":
                parts.append(f"substr({expr}, -length(?)) = ?")
                self.params += [value, value]
            elif op in ("regex", "iregex"):
                pattern = value if op == "regex" else f"(?i){value}"
                parts.append(f"{expr} REGEXP ?")
                self.params.append(pattern)
            elif op in ("containsAny",):
                marks = ",".join("?" * len(value))
                parts.append(
                    f"EXISTS (SELECT 1 FROM json_each({expr}) WHERE json_each.value IN ({marks}))"
                )
                self.params.extend(value)
            elif op == "containsIlike":
                parts.append(
                    f"EXISTS (SELECT 1 FROM json_each({expr}) "
                    "WHERE lower(json_each.value) LIKE lower(?))"
                )
                self.params.append(value)
            elif op == "isEmptyArray":
                cond = f"coalesce(json_array_length({expr}), 0) = 0"
                parts.append(cond if raw else f"NOT ({cond})")
            elif op == "search":
                parts.append("lower(data) LIKE lower(?)")
                self.params.append(f"%{value}%")
            else:
                raise bad_input(
                    f'Operator "{op}" is not supported for field "{label}"', "INVALID_ARGS_FILTER"
                )
        return " AND ".join(parts) if parts else "1"

    def coerce(self, raw: Any, kind: str, label: str) -> Any:
        if isinstance(raw, list):
            return [self.coerce(v, kind, label) for v in raw]
        if kind == "DATE_TIME" and isinstance(raw, str):
            try:
                return parse_datetime(raw)
            except ValueError:
                raise bad_input(
                    f"Invalid value '{raw}' for date-time field \"{label}\". "
                    "Expected format: 'YYYY-MM-DDTHH:mm:ssZ'",
                    "INVALID_ARGS_FILTER",
                ) from None
        if kind == "DATE" and isinstance(raw, str):
            try:
                return parse_date(raw)
            except ValueError:
                raise bad_input(
                    f"Invalid value '{raw}' for date field \"{label}\". "
                    "Expected format: 'YYYY-MM-DD'",
                    "INVALID_ARGS_FILTER",
                ) from None
        if isinstance(raw, bool):
            return int(raw)
        return raw


def compile_filter(
    meta: WorkspaceMetadata, obj: ObjectMeta, filt: dict[str, Any] | None
) -> tuple[str, list[Any]]:
    """``(where, params)``; soft-deleted records are hidden unless the filter names deletedAt."""
    compiler = _Compiler(meta, obj)
    where = compiler.compile(filt)
    if not mentions_deleted_at(filt):
        where = f"({where}) AND json_extract(data, '$.deletedAt') IS NULL"
    return where, compiler.params


@dataclass(frozen=True, slots=True)
class SortKey:
    name: str
    """The cursor key: ``name`` or ``domainName.primaryLinkUrl``."""
    expr: str
    ascending: bool
    nulls_first: bool

    def flipped(self) -> SortKey:
        return SortKey(self.name, self.expr, not self.ascending, not self.nulls_first)

    def sql(self) -> str:
        direction = "ASC" if self.ascending else "DESC"
        nulls = "FIRST" if self.nulls_first else "LAST"
        return f"{self.expr} {direction} NULLS {nulls}"


_DIRECTIONS = {
    "AscNullsFirst": (True, True),
    "AscNullsLast": (True, False),
    "DescNullsFirst": (False, True),
    "DescNullsLast": (False, False),
}


def compile_order(obj: ObjectMeta, order_by: Sequence[dict[str, Any]] | None) -> list[SortKey]:
    """Sort keys, always ending with ``id`` as the tie-breaker."""
    keys: list[SortKey] = []
    for item in order_by or []:
        for name, direction in (item or {}).items():
            if direction is None:
                continue
            if isinstance(direction, dict):
                f = obj.field(name)
                if f is None or not f.is_composite:
                    raise bad_input(
                        f'Ordering by the fields of the related "{name}" record is not supported '
                        "by the sandbox",
                        "INVALID_QUERY_INPUT",
                    )
                for sub, d in direction.items():
                    if d is None or sub not in COMPOSITE_TYPES[f.type][1]:
                        continue
                    asc, nf = _DIRECTIONS[d]
                    keys.append(SortKey(f"{name}.{sub}", _path(name, sub), asc, nf))
                continue
            asc, nf = _DIRECTIONS[direction]
            keys.append(SortKey(name, _path(name), asc, nf))
    if not any(k.name == "id" for k in keys):
        keys.append(SortKey("id", "id", True, True))
    return keys


def encode_cursor(record: dict[str, Any], keys: Sequence[SortKey]) -> str:
    payload = {k.name: path_value(record, k.name) for k in keys if k.name != "id"}
    payload["id"] = record["id"]
    return base64.b64encode(json.dumps(payload, separators=(",", ":")).encode()).decode()


def decode_cursor(cursor: str) -> dict[str, Any]:
    try:
        data = json.loads(base64.b64decode(cursor.encode(), validate=False))
    except ValueError:
        raise bad_input(f"Invalid cursor: {cursor}", "INVALID_CURSOR") from None
    if not isinstance(data, dict) or "id" not in data:
        raise bad_input(f"Invalid cursor: {cursor}", "INVALID_CURSOR")
    return data


def after_condition(keys: Sequence[SortKey], cursor: dict[str, Any]) -> tuple[str, list[Any]]:
    """Rows strictly after ``cursor`` in the order of ``keys`` (keyset pagination)."""

    # keys the cursor does not carry are left out (Twenty's cursors may hold only the id)
    keys = [k for k in keys if k.name in cursor]

    def build(i: int) -> tuple[str, list[Any]]:
        key = keys[i]
        value = cursor.get(key.name)
        rest, rest_params = build(i + 1) if i + 1 < len(keys) else ("0", [])
        if value is None:
            if key.nulls_first:
                sql = f"({key.expr} IS NOT NULL OR ({key.expr} IS NULL AND {rest}))"
            else:
                sql = f"({key.expr} IS NULL AND {rest})"
            return sql, rest_params
        op = ">" if key.ascending else "<"
        sql = f"({key.expr} {op} ? OR ({key.expr} = ? AND {rest})"
        if not key.nulls_first:
            sql += f" OR {key.expr} IS NULL"
        return sql + ")", [value, value, *rest_params]

    return build(0)
