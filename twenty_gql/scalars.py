"""How Twenty's custom GraphQL scalars become Python values, and back to JSON.

Generated models (``twenty_gql.generated``) annotate scalar fields with the types below;
``codegen.toml`` names these functions as the serializers of input values, so a variable always
reaches the runtime as plain JSON data:

- ``UUID`` -> ``uuid.UUID``: a malformed id is caught by the client with a clear message (Twenty
  answers a bad UUID with the misleading "Missing required argument: id").
- ``DateTime`` -> ``datetime.datetime`` (ISO 8601), ``Date`` -> ``datetime.date`` (YYYY-MM-DD),
  imported under the aliases ``DateTime`` and ``Date`` below.
- ``BigFloat`` -> ``decimal.Decimal``: ``amountMicros`` can exceed 2**53, where a float loses
  digits. Integral values travel as JSON integers, which Python's ``json`` reads and writes exactly.
- ``BigInt`` -> ``int``; ``Position`` -> ``float``; cursors and ``TSVector`` -> ``str``;
  ``JSON``/``RawJSON``/``JSONObject`` -> ``Any`` (decoded JSON).
"""

from __future__ import annotations

import datetime
import decimal
import uuid
from typing import TypeAlias

__all__ = [
    "Date",
    "DateTime",
    "serialize_big_float",
    "serialize_date",
    "serialize_datetime",
    "serialize_uuid",
]


# Aliases the generated modules import: capitalised so that no Twenty field name (always
# camelCase, starting lowercase) can shadow them; a custom field may well be named ``date``.
Date: TypeAlias = datetime.date
DateTime: TypeAlias = datetime.datetime


def serialize_uuid(value: object) -> object:
    """``str`` of a UUID. ariadne-codegen hands a ``[UUID]`` variable over whole (``ids`` of
    merge and duplicates) and an optional one unset, so lists go element by element and anything
    else (None, UNSET, a str) stays as it is."""
    if isinstance(value, list | tuple):
        return [serialize_uuid(item) for item in value]
    return str(value) if isinstance(value, uuid.UUID) else value


def serialize_datetime(value: DateTime) -> str:
    return value.isoformat()


def serialize_date(value: Date) -> str:
    return value.isoformat()


def serialize_big_float(value: decimal.Decimal) -> int | float:
    """An integral amount as an exact JSON integer; a fractional one as a float.

    Twenty reads BigFloat into a JavaScript number, so a fraction is no more precise on the
    server than a float is here.
    """
    if not value.is_finite():
        raise ValueError(f"BigFloat must be a finite number, got {value}")
    if value == value.to_integral_value():
        return int(value)
    return float(value)
