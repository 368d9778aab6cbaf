"""Turn a pydantic ``ValidationError`` on an answer into one :class:`SchemaDriftError`.

Only the error path runs this (the happy path validates from bytes and never gets here): it
walks pydantic's ``loc`` through the decoded ``data`` to name the GraphQL path as the answer
spells it (``opportunities.edges.0.node.stage``), the value found there and the id of the
nearest record around it. Steps of ``loc`` that are not in the data (the labels of a union's
choices) are skipped.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import ValidationError

from twenty_gql.errors import SchemaDriftError

__all__ = ["schema_drift_error"]

_NULL = "the generated model requires a value, but null came back"
_MISSING = "the generated model requires this field, but the answer left it out"


def schema_drift_error(
    operation_name: str | None, error: ValidationError, data: Mapping[str, Any]
) -> SchemaDriftError:
    problems: list[tuple[str, object, str]] = []
    record_ids: dict[str, str | None] = {}
    for detail in error.errors(include_url=False, include_context=False):
        path, value, record_id = _locate(data, detail["loc"], missing=detail["type"] == "missing")
        if path in record_ids:
            continue  # one entry per place: a union reports each of its choices
        record_ids[path] = record_id
        if detail["type"] == "missing":
            problem = _MISSING
        elif value is None:
            problem = _NULL
        else:
            problem = str(detail["msg"])
        problems.append((path, value, problem))
    path, value, problem = problems[0]
    return SchemaDriftError(
        operation_name=operation_name,
        path=path,
        record_id=record_ids[path],
        value=value,
        problem=problem,
        problems=problems,
        data=data,
    )


def _locate(
    data: Mapping[str, Any], loc: Sequence[int | str], *, missing: bool
) -> tuple[str, object, str | None]:
    """The dotted path of ``loc`` in ``data``, the value there and the innermost record id."""
    current: object = data
    parts: list[str] = []
    record_id = _id_of(current)
    for step in loc:
        found, child = _step(current, step)
        if found:
            current = child
        elif missing and step == loc[-1] and isinstance(current, Mapping):
            parts.append(str(step))
            return ".".join(parts), None, record_id
        else:
            continue
        parts.append(str(step))
        record_id = _id_of(current) or record_id
    return ".".join(parts), current, record_id


def _step(value: object, step: int | str) -> tuple[bool, object]:
    if isinstance(value, Mapping) and step in value:
        return True, value[step]
    if isinstance(value, list) and isinstance(step, int) and 0 <= step < len(value):
        return True, value[step]
    return False, None


def _id_of(value: object) -> str | None:
    if isinstance(value, Mapping):
        record_id = value.get("id")
        if isinstance(record_id, str):
            return record_id
    return None
