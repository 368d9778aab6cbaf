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
- ``BigInt``, and ``Int`` on a record's fields -> :data:`Number` (``int | float``): Twenty
  stores every NUMBER field as double precision whatever its GraphQL type (``Float``, ``Int``
  for ``dataType: int``, ``BigInt`` for ``bigint``). It accepts ``1.5`` for an ``int`` field and
  answers ``1.5`` (reference transcript 122), and answers a large whole number as a JSON float
  (``7.866767199974241e+73`` for a ``BigInt``). An integral value reads as the exact ``int`` of
  that double, any other as ``float``: nothing is rounded and nothing is refused.
  ``Int`` elsewhere (``totalCount``, aggregate counts, arguments) stays ``int``.
- ``Float`` and ``Position`` -> ``float`` (a JSON integer reads exactly: Twenty sends doubles).
- cursors and ``TSVector`` -> ``str``; ``JSON``/``RawJSON``/``JSONObject`` -> ``Any`` (decoded
  JSON).
"""

from __future__ import annotations

import datetime
import decimal
import uuid
from typing import Annotated, Any, TypeAlias

from pydantic import GetCoreSchemaHandler
from pydantic_core import core_schema

__all__ = [
    "Date",
    "DateTime",
    "Number",
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


def _integral_as_int(value: float) -> int | float:
    return int(value) if value.is_integer() else value


class _NumberSchema:
    """A JSON integer as ``int`` (strict: the happy path is pydantic-core's own int check); a
    JSON float as the exact ``int`` when integral, else as the ``float`` itself."""

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.union_schema(
            [
                (core_schema.int_schema(strict=True), "int"),
                (
                    core_schema.no_info_after_validator_function(
                        _integral_as_int, core_schema.float_schema(strict=True)
                    ),
                    "float",
                ),
            ],
            mode="left_to_right",
        )


Number: TypeAlias = Annotated[int | float, _NumberSchema()]
"""What a Twenty NUMBER field holds: a double, read as ``int`` when integral (see above)."""
