"""``<plural>GroupBy``: records grouped by dimensions, each group with its aggregates and its
first records, as Twenty 2.21 answers (NOTES (r), transcripts 140-146, 228).

- A dimension is ``{field: true}``, ``{composite: {subField: true}}``, ``{dateField:
  {granularity, timeZone, weekStartDay}}`` or ``{relation: {<target's dimension>}}``; the
  group's ``groupByDimensionValues`` lists one value per dimension, in order.
- Empty values (``""``, an empty list, null) form the ``null`` group; a MULTI_SELECT value is
  the Postgres array literal (``"{REMOTE_WORK,HYBRID}"``), one group per distinct array.
- Date granularities DAY, WEEK, MONTH, QUARTER and YEAR need a ``timeZone``; the value is the
  first day of the period in that zone (``2026-12-02``).
- Groups come in dimension order (ascending, nulls last); ``orderBy`` (an aggregate or a
  dimension) sorts them first, ``limit`` keeps the first 50 by default.
- Each group carries at most 10 records (``RECORDS_PER_GROUP_LIMIT``), in ``orderByForRecords``
  order from ``offsetForRecords``, and ``hasNextPage`` is false however large the group.

Not recorded, so inferred from Twenty's SQL: DAY_OF_THE_WEEK / MONTH_OF_THE_YEAR /
QUARTER_OF_THE_YEAR answer the English day name, the English month name and ``Q1``..``Q4``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from twenty_gql.naming import capitalize

from .aggregates import AGGREGATOR_KEY, Aggregate, Aggregator, aggregates_of, is_empty
from .errors import bad_input
from .filters import compile_filter, compile_order, encode_cursor
from .metadata import COMPOSITE_TYPES, FieldMeta, ObjectMeta, WorkspaceMetadata
from .store import Store

__all__ = [
    "DEFAULT_GROUPS",
    "RECORDS_PER_GROUP",
    "group_by",
    "group_by_root_sdl",
    "group_by_sdl",
]

DEFAULT_GROUPS = 50
"""Twenty's ``DEFAULT_NUMBER_OF_GROUPS_LIMIT``."""
RECORDS_PER_GROUP = 10
"""Twenty's ``RECORDS_PER_GROUP_LIMIT``."""

_NOT_DIMENSIONS = frozenset(
    {"id", "deletedAt", "position", "createdBy", "updatedBy", "searchVector"}
)
_NOT_DIMENSION_TYPES = frozenset({"TS_VECTOR", "FILES", "RAW_JSON", "POSITION", "ACTOR"})
_DATES = ("DATE_TIME", "DATE")
_NEEDS_TIME_ZONE = ("DAY", "WEEK", "MONTH", "QUARTER", "YEAR")
_WEEK_STARTS = {"MONDAY": 0, "SUNDAY": 6, "SATURDAY": 5}
_DIRECTIONS = {
    "AscNullsFirst": (True, True),
    "AscNullsLast": (True, False),
    "DescNullsFirst": (False, True),
    "DescNullsLast": (False, False),
}


def _error(message: str, sub_code: str) -> Exception:
    return bad_input(message, sub_code, "An error occurred.")


# -- schema ---------------------------------------------------------------------------------


def _dimension_fields(obj: ObjectMeta, meta: WorkspaceMetadata) -> list[FieldMeta]:
    out = []
    for f in obj.active_fields():
        if f.name in _NOT_DIMENSIONS or f.type in _NOT_DIMENSION_TYPES:
            continue
        if f.isSystem and f.name not in ("createdAt", "updatedAt"):
            continue
        if f.relation is not None:
            target = meta.objects.get(f.relation.target)
            if not f.is_many_to_one or target is None or not target.isActive:
                continue
        out.append(f)
    return out


def group_by_sdl(obj: ObjectMeta, meta: WorkspaceMetadata) -> list[str]:
    """``<T>GroupByInput``, ``<T>OrderByWithGroupBy[Aggregate]Input``, ``<T>GroupByConnection``."""
    t = obj.type_name
    dims: list[str] = []
    for f in _dimension_fields(obj, meta):
        if f.relation is not None:
            kind = f"{capitalize(f.relation.target)}GroupByInput"
        elif f.type in _DATES:
            kind = "GroupByDateGranularityInput"
        elif f.is_composite:
            kind = f"{COMPOSITE_TYPES[f.type][0]}GroupByInput"
        else:
            kind = "Boolean"
        dims.append(f"  {f.name}: {kind}")
    order = [f"  aggregate: {t}OrderByWithGroupByAggregateInput"]
    for f in obj.active_fields():
        if f.is_one_to_many:
            continue
        if f.relation is not None:
            target = meta.objects.get(f.relation.target)
            if target is None or not target.isActive:
                continue
            order.append(f"  {f.relation.joinColumn}: OrderByDirection")
            order.append(f"  {f.name}: {capitalize(f.relation.target)}OrderByWithGroupByInput")
        elif f.type in _DATES:
            order.append(f"  {f.name}: OrderByDateGranularityInput")
        elif f.is_composite:
            order.append(f"  {f.name}: {COMPOSITE_TYPES[f.type][0]}OrderByInput")
        else:
            order.append(f"  {f.name}: OrderByDirection")
    aggregates = aggregates_of(obj)
    by_aggregate = ["  totalCount: OrderByDirection"]
    by_aggregate += [f"  {a.name}: OrderByDirection" for a in aggregates]
    connection = [
        '  """Total number of records in the connection"""',
        "  totalCount: Int",
        *(f'  """{a.description}"""\n  {a.name}: {a.graphql_type}' for a in aggregates),
        "  edges: [" + t + "Edge!]!",
        "  pageInfo: PageInfo!",
        "  groupByDimensionValues: JSON",
    ]
    out = [
        f"type {t}GroupByConnection {{\n" + "\n".join(connection) + "\n}",
        f"input {t}OrderByWithGroupByAggregateInput {{\n" + "\n".join(by_aggregate) + "\n}",
        f"input {t}OrderByWithGroupByInput {{\n" + "\n".join(order) + "\n}",
    ]
    if dims:
        out.append(f"input {t}GroupByInput {{\n" + "\n".join(dims) + "\n}")
    else:
        # an input type needs a field; Twenty's objects always have createdAt
        out.append(f"input {t}GroupByInput {{\n  createdAt: GroupByDateGranularityInput\n}}")
    return out


def group_by_root_sdl(obj: ObjectMeta) -> str:
    t = obj.type_name
    return (
        f"  {obj.names.root_fields.group_by}(groupBy: [{t}GroupByInput!]!, "
        f"filter: {t}FilterInput, orderBy: [{t}OrderByWithGroupByInput], "
        f"orderByForRecords: [{t}OrderByInput], viewId: UUID, limit: Int, "
        f"offsetForRecords: Int): [{t}GroupByConnection!]"
    )


# -- dimensions -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Dimension:
    path: tuple[str, ...]
    """The field names from the grouped object, through relations (for ``orderBy``)."""
    value: Callable[[dict[str, Any]], Any]
    rank: Callable[[Any], Any] = lambda value: value
    """What a non-null value sorts by: Postgres sorts enums by option position."""


def _option_rank(f: FieldMeta) -> Callable[[Any], Any]:
    positions = {str(o["value"]): i for i, o in enumerate(f.options or [])}
    if f.type == "MULTI_SELECT":
        return lambda text: tuple(positions.get(v, -1) for v in str(text).strip("{}").split(","))
    return lambda value: positions.get(str(value), -1)


def _plain(f: FieldMeta, value: Any) -> Any:
    if is_empty(f, value):
        return None
    if f.type == "MULTI_SELECT" and isinstance(value, list):
        return "{" + ",".join(str(v) for v in value) + "}"
    return value


def _period(moment: datetime, granularity: str, week_start: str) -> Any:
    day = moment.date()
    if granularity == "DAY":
        return day.isoformat()
    if granularity == "WEEK":
        start = _WEEK_STARTS.get(week_start, 0)
        return (day - timedelta(days=(day.weekday() - start) % 7)).isoformat()
    if granularity == "MONTH":
        return day.replace(day=1).isoformat()
    if granularity == "QUARTER":
        return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1).isoformat()
    if granularity == "YEAR":
        return date(day.year, 1, 1).isoformat()
    if granularity == "DAY_OF_THE_WEEK":
        return moment.strftime("%A")
    if granularity == "MONTH_OF_THE_YEAR":
        return moment.strftime("%B")
    return f"Q{(day.month - 1) // 3 + 1}"  # QUARTER_OF_THE_YEAR


def _date_dimension(f: FieldMeta, spec: dict[str, Any]) -> Callable[[dict[str, Any]], Any]:
    granularity = spec.get("granularity") or "NONE"
    zone_name = spec.get("timeZone")
    if granularity in _NEEDS_TIME_ZONE and not zone_name:
        raise _error(
            "Time zone should be specified for a group by date on Day, Week, Month, Quarter or "
            "Year",
            "MISSING_TIMEZONE_FOR_DATE_GROUP_BY",
        )
    try:
        zone = ZoneInfo(zone_name) if zone_name else UTC
    except (ZoneInfoNotFoundError, ValueError):
        raise _error(f"Invalid time zone: {zone_name}", "INVALID_QUERY_INPUT") from None
    week_start = spec.get("weekStartDay") or "MONDAY"

    def value(record: dict[str, Any]) -> Any:
        raw = record.get(f.name)
        if not raw or granularity == "NONE":
            return raw or None
        if f.type == "DATE":
            moment = datetime.fromisoformat(str(raw)[:10]).replace(tzinfo=zone)
        else:
            moment = datetime.fromisoformat(str(raw).replace("Z", "+00:00")).astimezone(zone)
        return _period(moment, granularity, week_start)

    return value


def _dimensions(
    records_api: _Lookup, obj: ObjectMeta, spec: dict[str, Any], path: tuple[str, ...] = ()
) -> list[_Dimension]:
    allowed = {f.name: f for f in _dimension_fields(obj, records_api.meta)}
    out: list[_Dimension] = []
    for name, value in spec.items():
        if value is None or value is False:
            continue
        f = allowed.get(name)
        if f is None:
            raise _error(f"Unidentified field in groupBy: {name}", "INVALID_QUERY_INPUT")
        here = (*path, name)
        if f.relation is not None:
            assert f.relation.joinColumn is not None
            target = records_api.meta.objects[f.relation.target]
            join = f.relation.joinColumn
            for inner in _dimensions(records_api, target, value, here):
                through = records_api.through(target, join, inner.value)
                out.append(_Dimension(inner.path, through, inner.rank))
        elif f.type in _DATES:
            out.append(
                _Dimension(here, _date_dimension(f, value if isinstance(value, dict) else {}))
            )
        elif f.is_composite:
            for sub, wanted in (value if isinstance(value, dict) else {}).items():
                if wanted:
                    out.append(_Dimension((*here, sub), _sub_value(f, sub)))
        elif f.type in ("SELECT", "MULTI_SELECT", "RATING"):
            out.append(_Dimension(here, _field_value(f), _option_rank(f)))
        else:
            out.append(_Dimension(here, _field_value(f)))
    return out


def _field_value(f: FieldMeta) -> Callable[[dict[str, Any]], Any]:
    return lambda record: _plain(f, record.get(f.name))


def _sub_value(f: FieldMeta, sub: str) -> Callable[[dict[str, Any]], Any]:
    def value(record: dict[str, Any]) -> Any:
        composite = record.get(f.name)
        part = composite.get(sub) if isinstance(composite, dict) else None
        return None if part in (None, "", []) else part

    return value


class _Lookup:
    """Related records, read once each, for dimensions through a relation."""

    def __init__(self, store: Store, meta: WorkspaceMetadata) -> None:
        self.store = store
        self.meta = meta
        self._cache: dict[tuple[str, str], dict[str, Any] | None] = {}

    def through(
        self, target: ObjectMeta, join: str, inner: Callable[[dict[str, Any]], Any]
    ) -> Callable[[dict[str, Any]], Any]:
        def value(record: dict[str, Any]) -> Any:
            related_id = record.get(join)
            if not related_id:
                return None
            key = (target.nameSingular, related_id)
            if key not in self._cache:
                self._cache[key] = self.store.get(target.nameSingular, related_id)
            related = self._cache[key]
            return None if related is None else inner(related)

        return value


# -- grouping -------------------------------------------------------------------------------


def _sort_key(value: Any, ascending: bool, nulls_first: bool) -> tuple[int, Any]:
    if value is None:
        return (0 if nulls_first else 2, 0)
    return (1, value if ascending else _Reversed(value))


@dataclass(frozen=True, slots=True)
class _Reversed:
    value: Any

    def __lt__(self, other: _Reversed) -> bool:
        return bool(self.value > other.value)


_GroupValue = Callable[[dict[str, Any]], Any]


def _by_dimension(dimensions: Sequence[_Dimension], i: int) -> _GroupValue:
    def value(group: dict[str, Any]) -> Any:
        found = group["groupByDimensionValues"][i]
        return None if found is None else dimensions[i].rank(found)

    return value


def _by_aggregate(aggregate: Aggregate) -> _GroupValue:
    def value(group: dict[str, Any]) -> Any:
        aggregator: Aggregator = group[AGGREGATOR_KEY]
        return aggregator.value(aggregate)

    return value


def _ordered(value_of: _GroupValue, direction: str) -> Callable[[dict[str, Any]], tuple[int, Any]]:
    ascending, nulls_first = _DIRECTIONS[direction]
    return lambda group: _sort_key(value_of(group), ascending, nulls_first)


def _sort_groups(
    groups: list[dict[str, Any]],
    dimensions: Sequence[_Dimension],
    order_by: Sequence[dict[str, Any]] | None,
    obj: ObjectMeta,
) -> None:
    for i in reversed(range(len(dimensions))):
        groups.sort(key=_ordered(_by_dimension(dimensions, i), "AscNullsLast"))
    by_name = {a.name: a for a in aggregates_of(obj)}
    keys: list[tuple[Callable[[dict[str, Any]], Any], str]] = []
    for item in order_by or []:
        for name, direction in (item or {}).items():
            if direction is None:
                continue
            if name == "aggregate":
                for aggregate_name, d in direction.items():
                    if aggregate_name == "totalCount":
                        keys.append((lambda g: g["totalCount"], d))
                    elif aggregate_name in by_name:
                        aggregate = by_name[aggregate_name]
                        keys.append((_by_aggregate(aggregate), d))
                continue
            keys += _dimension_order(name, direction, dimensions)
    for value_of, d in reversed(keys):
        groups.sort(key=_ordered(value_of, d))


def _dimension_order(
    name: str, direction: Any, dimensions: Sequence[_Dimension]
) -> list[tuple[Callable[[dict[str, Any]], Any], str]]:
    out: list[tuple[Callable[[dict[str, Any]], Any], str]] = []
    if isinstance(direction, dict) and "orderBy" in direction:  # a date: {orderBy, granularity}
        wanted: list[tuple[tuple[str, ...], str]] = [((name,), direction["orderBy"])]
    elif isinstance(direction, dict):
        wanted = [((name, sub), d) for sub, d in direction.items() if d is not None]
    else:
        wanted = [((name,), direction)]
    for path, d in wanted:
        for i, dimension in enumerate(dimensions):
            if dimension.path == path:
                out.append((_by_dimension(dimensions, i), d))
    return out


def group_by(
    store: Store, meta: WorkspaceMetadata, obj: ObjectMeta, args: dict[str, Any]
) -> list[dict[str, Any]]:
    lookup = _Lookup(store, meta)
    dimensions: list[_Dimension] = []
    for spec in args.get("groupBy") or []:
        dimensions += _dimensions(lookup, obj, spec or {})
    where, params = compile_filter(meta, obj, args.get("filter"))
    record_order = args.get("orderByForRecords")
    keys = compile_order(obj, record_order)
    order = ", ".join(k.sql() for k in keys) if record_order else "rowid"
    rows = store.select(obj.nameSingular, where, params, order)
    members: dict[str, tuple[list[Any], list[dict[str, Any]]]] = {}
    for row in rows:
        values = [d.value(row) for d in dimensions]
        key = json.dumps(values, sort_keys=True, default=str)
        members.setdefault(key, (values, []))[1].append(row)
    offset = args.get("offsetForRecords") or 0
    groups = [_group(values, records, keys, offset) for values, records in members.values()]
    _sort_groups(groups, dimensions, args.get("orderBy"), obj)
    limit = args.get("limit")
    return groups[: DEFAULT_GROUPS if limit is None else max(limit, 0)]


def _group(
    values: list[Any], records: list[dict[str, Any]], keys: Any, offset: int
) -> dict[str, Any]:
    shown = records[offset : offset + RECORDS_PER_GROUP]
    edges = [{"cursor": encode_cursor(r, keys), "node": r} for r in shown]
    return {
        "groupByDimensionValues": values,
        "totalCount": len(records),
        "edges": edges,
        "pageInfo": {
            "hasNextPage": False,
            "hasPreviousPage": False,
            "startCursor": edges[0]["cursor"] if edges else None,
            "endCursor": edges[-1]["cursor"] if edges else None,
        },
        AGGREGATOR_KEY: Aggregator(lambda: records),
    }
