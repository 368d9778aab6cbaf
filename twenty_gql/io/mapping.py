"""Which field each input column sets: dotted headers, ``--map column=field.sub`` overrides.

A header such as ``emails.primaryEmail`` or ``annualRevenue.amountMicros`` names a sub-field
directly; ``--map "E-mail=emails.primaryEmail"`` renames a column; ``--map column=`` drops one.
A relation is set through a unique field of the target: ``company.domainName`` or ``company.id``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from twenty_gql.io.object_schema import Leaf, ObjectSchema, RelationPath, UnknownFieldError
from twenty_gql.io.writable import is_read_only

__all__ = ["ColumnPlan", "MappingError", "parse_map_options", "plan_columns"]


class MappingError(ValueError):
    """A column or ``--map`` option that names no field; the message names the culprit."""


def parse_map_options(options: Iterable[str]) -> dict[str, str]:
    """``["E-mail=emails.primaryEmail", "notes="]`` -> ``{"E-mail": "emails.primaryEmail",
    "notes": ""}`` (an empty target drops the column)."""
    mapping: dict[str, str] = {}
    for option in options:
        column, sep, target = option.partition("=")
        if not sep or not column.strip():
            raise MappingError(
                f"--map {option!r}: expected COLUMN=FIELD (e.g. Mail=emails.primaryEmail)"
            )
        mapping[column.strip()] = target.strip()
    return mapping


@dataclass(frozen=True, slots=True)
class ColumnPlan:
    column: str
    target: Leaf | RelationPath


def plan_columns(
    obj: ObjectSchema, headers: Sequence[str], mapping: dict[str, str]
) -> list[ColumnPlan]:
    """The field each CSV column sets; :class:`MappingError` for the first one that names none."""
    missing = [column for column in mapping if column not in headers]
    if missing:
        raise MappingError(
            f"--map names column {missing[0]!r}, which the header does not have "
            f"(columns: {', '.join(headers)})"
        )
    plans: list[ColumnPlan] = []
    for column in headers:
        path = mapping.get(column, column)
        if not path:
            continue
        try:
            plans.append(ColumnPlan(column, obj.resolve(path)))
        except UnknownFieldError as exc:
            if column not in mapping and is_read_only(obj, path):
                continue
            where = f"--map {column}={path}" if column in mapping else f"column {column!r}"
            hint = (
                ""
                if column in mapping
                else f"; map it with --map {column!r}=FIELD or drop it with --map {column!r}="
            )
            raise MappingError(f"{where}: {exc}{hint}") from None
    return plans
