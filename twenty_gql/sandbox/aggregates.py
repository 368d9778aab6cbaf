"""Aggregates: the extra fields of every ``<Object>Connection`` (and group), computed as Twenty
computes them (NOTES (r), transcripts 138-139).

For each value field (relations and their join columns excepted), in the record's field order:
``countUniqueValues<F>``, ``countEmpty<F>``, ``countNotEmpty<F>``, ``percentageEmpty<F>``,
``percentageNotEmpty<F>``; then ``min/max<F>`` for DATE_TIME and DATE, ``min/max/avg/sum<F>``
for NUMBER, ``min/max/sum/avg<F>AmountMicros`` for CURRENCY, ``countTrue/countFalse<F>`` for
BOOLEAN. Empty means null, ``""``, an empty list, or a composite whose meaningful sub-fields
are all empty; percentages are fractions (0.2), null over no record; sums, averages, minima and
maxima skip empty values and are null when nothing is left.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from twenty_gql.naming import capitalize

from .metadata import COMPOSITE_TYPES, FieldMeta, ObjectMeta

__all__ = ["AGGREGATOR_KEY", "Aggregate", "Aggregator", "aggregates_of", "is_empty"]

AGGREGATOR_KEY = "__aggregator"
"""The key of a connection result that holds its :class:`Aggregator`."""

_KEY_SUBFIELDS = {
    # the sub-fields that make a composite value empty or distinct
    "LINKS": ("primaryLinkUrl",),
    "EMAILS": ("primaryEmail",),
    "PHONES": ("primaryPhoneNumber",),
    "CURRENCY": ("amountMicros",),
}


@dataclass(frozen=True, slots=True)
class Aggregate:
    name: str
    graphql_type: str
    description: str
    field: FieldMeta
    operation: str
    """countUniqueValues, countEmpty, countNotEmpty, percentageEmpty, percentageNotEmpty,
    min, max, avg, sum, countTrue or countFalse."""


def _count_aggregates(f: FieldMeta) -> list[Aggregate]:
    cap = capitalize(f.name)
    return [
        Aggregate(
            f"countUniqueValues{cap}",
            "Int",
            f"Number of unique values for {f.name}",
            f,
            "countUniqueValues",
        ),
        Aggregate(
            f"countEmpty{cap}", "Int", f"Number of empty values for {f.name}", f, "countEmpty"
        ),
        Aggregate(
            f"countNotEmpty{cap}",
            "Int",
            f"Number of non-empty values for {f.name}",
            f,
            "countNotEmpty",
        ),
        Aggregate(
            f"percentageEmpty{cap}",
            "Float",
            f"Percentage of empty values for {f.name}",
            f,
            "percentageEmpty",
        ),
        Aggregate(
            f"percentageNotEmpty{cap}",
            "Float",
            f"Percentage of non-empty values for {f.name}",
            f,
            "percentageNotEmpty",
        ),
    ]


def _amounts(f: FieldMeta, suffix: str, ops: tuple[tuple[str, str], ...]) -> list[Aggregate]:
    """min/max/avg/sum of a number or a currency, in Twenty's order and words for each."""
    return [
        Aggregate(
            f"{op}{suffix}",
            "Float",
            f"{word} {'amounts' if op == 'sum' else 'amount'} contained in the field {f.name}",
            f,
            op,
        )
        for op, word in ops
    ]


def _typed_aggregates(f: FieldMeta) -> list[Aggregate]:
    cap = capitalize(f.name)
    if f.type in ("DATE_TIME", "DATE"):
        kind = "DateTime" if f.type == "DATE_TIME" else "Date"
        return [
            Aggregate(
                f"min{cap}", kind, f"Earliest date contained in the field {f.name}", f, "min"
            ),
            Aggregate(f"max{cap}", kind, f"Latest date contained in the field {f.name}", f, "max"),
        ]
    if f.type == "NUMBER":
        ops = (("min", "Minimum"), ("max", "Maximum"), ("avg", "Average"), ("sum", "Sum of"))
        return _amounts(f, cap, ops)
    if f.type == "CURRENCY":
        ops = (("min", "Minimum"), ("max", "Maximal"), ("sum", "Sum of"), ("avg", "Average"))
        return _amounts(f, f"{cap}AmountMicros", ops)
    if f.type == "BOOLEAN":
        return [
            Aggregate(
                f"countTrue{cap}",
                "Int",
                f"Count of true values in the field {f.name}",
                f,
                "countTrue",
            ),
            Aggregate(
                f"countFalse{cap}",
                "Int",
                f"Count of false values in the field {f.name}",
                f,
                "countFalse",
            ),
        ]
    return []


def aggregates_of(obj: ObjectMeta) -> list[Aggregate]:
    """The aggregate fields of ``obj``'s connection, in Twenty's order."""
    out: list[Aggregate] = []
    for f in obj.active_fields():
        if f.relation is not None:
            continue
        out += _count_aggregates(f) + _typed_aggregates(f)
    return out


def _key(f: FieldMeta, value: Any) -> Any:
    """What makes two values the same, or None for an empty value."""
    if f.is_composite:
        if not isinstance(value, dict):
            return None
        subs = _KEY_SUBFIELDS.get(f.type, COMPOSITE_TYPES[f.type][1])
        parts = tuple(_key_part(value.get(s)) for s in subs)
        return None if all(p is None for p in parts) else parts
    return _key_part(value)


def _key_part(value: Any) -> Any:
    if value is None or value == "" or value == [] or value == {}:
        return None
    if isinstance(value, list):
        return tuple(_key_part(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((k, repr(v)) for k, v in value.items()))
    return value


def is_empty(f: FieldMeta, value: Any) -> bool:
    return _key(f, value) is None


def _numbers(f: FieldMeta, records: Iterable[dict[str, Any]]) -> list[Any]:
    values = []
    for record in records:
        value = record.get(f.name)
        if f.type == "CURRENCY":
            value = value.get("amountMicros") if isinstance(value, dict) else None
        if value is not None and value != "":
            values.append(value)
    return values


def _fraction(part: int, total: int) -> float | None:
    return part / total if total else None


_NUMERIC: dict[str, Callable[[list[Any]], Any]] = {
    "min": min,
    "max": max,
    "sum": sum,
    "avg": lambda values: sum(values) / len(values),
}


def compute(aggregate: Aggregate, records: list[dict[str, Any]]) -> Any:
    f, op = aggregate.field, aggregate.operation
    if op in _NUMERIC:
        values = _numbers(f, records)
        return _NUMERIC[op](values) if values else None
    if op in ("countTrue", "countFalse"):
        wanted = op == "countTrue"
        return sum(1 for r in records if r.get(f.name) is wanted)
    keys = [_key(f, r.get(f.name)) for r in records]
    empty = sum(1 for k in keys if k is None)
    total = len(keys)
    if op == "countUniqueValues":
        return len({k for k in keys if k is not None})
    if op == "countEmpty":
        return empty
    if op == "countNotEmpty":
        return total - empty
    if op == "percentageEmpty":
        return _fraction(empty, total)
    return _fraction(total - empty, total)


class Aggregator:
    """The aggregates of one set of records, loaded once on the first aggregate asked for."""

    def __init__(self, load: Callable[[], list[dict[str, Any]]]) -> None:
        self._load = load
        self._records: list[dict[str, Any]] | None = None

    @property
    def records(self) -> list[dict[str, Any]]:
        if self._records is None:
            self._records = self._load()
        return self._records

    def value(self, aggregate: Aggregate) -> Any:
        return compute(aggregate, self.records)
