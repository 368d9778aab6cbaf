"""Building the record to send from one input row: nested fields, typed values, relations.

A value that does not fit its field rejects the row (with the field and the reason), never the
file. Relations named by a unique key (``company.domainName``) are left for
:mod:`twenty_gql.io.relations` to turn into ``companyId``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from twenty_gql.batch.dedupe import get_path
from twenty_gql.batch.sender import Rejection, RejectionKind
from twenty_gql.io.coerce import CoercionError, coerce_value
from twenty_gql.io.mapping import ColumnPlan
from twenty_gql.io.object_schema import Leaf, ObjectSchema, RelationPath, UnknownFieldError
from twenty_gql.io.readers import SourceRow
from twenty_gql.io.writable import is_read_only

__all__ = ["CLIENT_VALIDATION", "BuiltRow", "RowBuilder", "set_path"]

CLIENT_VALIDATION = "CLIENT_VALIDATION"
"""The ``code`` of rows rejected before sending."""


@dataclass(slots=True)
class BuiltRow:
    index: int
    line: int
    data: dict[str, Any] | None
    relations: list[tuple[RelationPath, str]] = field(default_factory=list)
    error: Rejection | None = None


def set_path(data: dict[str, Any], path: str, value: Any) -> None:
    parts = path.split(".")
    for part in parts[:-1]:
        data = data.setdefault(part, {})
    data[parts[-1]] = value


def _reject(row: SourceRow, message: str, field_name: str | None = None) -> BuiltRow:
    return BuiltRow(
        row.index,
        row.line,
        None,
        error=Rejection(RejectionKind.CONTENT, message, code=CLIENT_VALIDATION, field=field_name),
    )


class RowBuilder:
    """``build(source_row)`` for CSV rows (with planned columns) and JSONL rows (nested)."""

    def __init__(
        self,
        obj: ObjectSchema,
        *,
        columns: list[ColumnPlan] | None = None,
        mapping: Mapping[str, str] | None = None,
        key_paths: tuple[str, ...] = (),
    ) -> None:
        self._obj = obj
        self._columns = columns
        self._mapping = dict(mapping or {})
        self._key_paths = key_paths

    def build(self, row: SourceRow) -> BuiltRow:
        if row.values is None:
            return _reject(row, row.error or "unreadable row")
        built = BuiltRow(row.index, row.line, {})
        try:
            if self._columns is not None:
                self._from_columns(row.values, built)
            else:
                self._from_object("", row.values, built)
        except _RowProblem as problem:
            return _reject(row, str(problem), problem.field)
        assert built.data is not None
        for path in self._key_paths:
            if not _has(built, path):
                return _reject(row, f"the key {path} is empty", path)
        return built

    def _from_columns(self, values: Mapping[str, Any], built: BuiltRow) -> None:
        assert self._columns is not None
        for plan in self._columns:
            raw = values.get(plan.column)
            if raw is None or (isinstance(raw, str) and not raw.strip()):
                continue
            self._set(plan.target, raw, built)

    def _from_object(self, prefix: str, values: Mapping[str, Any], built: BuiltRow) -> None:
        for key, raw in values.items():
            path = self._mapping.get(f"{prefix}{key}", f"{prefix}{key}")
            if not path:
                continue
            try:
                target = self._obj.resolve(path)
            except UnknownFieldError as exc:
                if isinstance(raw, Mapping):
                    self._from_object(f"{path}.", raw, built)
                    continue
                if is_read_only(self._obj, path):
                    continue
                raise _RowProblem(str(exc), path) from None
            if isinstance(target, Leaf) and isinstance(raw, Mapping) and target.type_name != "JSON":
                raise _RowProblem(f"{path} takes a value, not an object", path)
            self._set(target, raw, built)

    def _set(self, target: Leaf | RelationPath, raw: Any, built: BuiltRow) -> None:
        assert built.data is not None
        if isinstance(target, RelationPath):
            if isinstance(raw, Mapping | list):
                raise _RowProblem(
                    f"{target.path} takes a value, not {type(raw).__name__}", target.path
                )
            text = str(raw).strip()
            if target.key.name == "id":
                try:
                    set_path(built.data, target.id_field, coerce_value(_ID, text))
                except CoercionError as exc:
                    raise _RowProblem(f"{target.path}: {exc}", target.path) from None
            else:
                built.relations.append((target, text))
            return
        try:
            set_path(built.data, target.path, coerce_value(target, raw))
        except CoercionError as exc:
            raise _RowProblem(_reason(target.path, exc), target.path) from None


_ID = Leaf(path="id", type_name="ID")


def _reason(path: str, exc: CoercionError) -> str:
    """The refusal, naming the field once (Twenty's words usually quote it already)."""
    text = str(exc)
    return text if f'"{path}"' in text else f"{path}: {text}"


def _has(built: BuiltRow, path: str) -> bool:
    if any(relation.path == path for relation, _ in built.relations):
        return True
    assert built.data is not None
    return get_path(built.data, path) not in (None, "")


class _RowProblem(ValueError):
    def __init__(self, message: str, field_name: str | None) -> None:
        super().__init__(message)
        self.field = field_name
