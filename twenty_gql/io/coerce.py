"""Turning input values (CSV text or JSON values) into what a field's GraphQL type accepts.

CSV cells are text; JSONL values may already be typed. An empty CSV cell means "not given"
(the caller drops it). Lists are written as a JSON array or as comma-separated items. Amounts
such as ``amountMicros`` stay integers when they are whole, so they keep every digit.
"""

from __future__ import annotations

import json
import math
import re
import uuid
from datetime import date, datetime
from typing import Any

from twenty_gql.io.object_schema import Leaf

__all__ = ["CoercionError", "coerce_value"]

_NUMBER_TYPES = frozenset({"Float", "BigFloat", "Position", "Int", "BigInt"})
_INTEGER_TYPES = frozenset({"Int", "BigInt"})
_TRUE = frozenset({"true", "t", "yes", "y", "1"})
_FALSE = frozenset({"false", "f", "no", "n", "0"})
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class CoercionError(ValueError):
    """A value the field's type cannot take; the message quotes the value and the type."""


def _shown(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value)
    return repr(text if len(text) <= 60 else text[:57] + "...")


def coerce_value(leaf: Leaf, value: Any) -> Any:
    """``value`` as the field's type wants it; :class:`CoercionError` when it cannot be."""
    if value is None:
        return None
    if leaf.is_list:
        items = _as_list(value)
        return [_coerce_scalar(leaf, item) for item in items]
    return _coerce_scalar(leaf, value)


def _as_list(value: Any) -> list[Any]:
    if isinstance(value, list):
        return value
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            try:
                parsed = json.loads(text)
            except json.JSONDecodeError:
                raise CoercionError(f"{_shown(value)} is not a valid JSON array") from None
            if isinstance(parsed, list):
                return parsed
        return [item.strip() for item in text.split(",") if item.strip()]
    return [value]


def _coerce_scalar(leaf: Leaf, value: Any) -> Any:
    name = leaf.type_name
    if leaf.enum_values is not None:
        return _enum(leaf, value)
    if name in _NUMBER_TYPES:
        return _number(value, integer=name in _INTEGER_TYPES)
    if name == "Boolean":
        return _boolean(value)
    if name == "Date":
        return _date(value)
    if name == "DateTime":
        return _datetime(value)
    if name in ("ID", "UUID"):
        return _uuid(value)
    if name in ("JSON", "RawJSONScalar"):
        return _json(value)
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise CoercionError(f"{_shown(value)} is not text")
    return str(value)


def _enum(leaf: Leaf, value: Any) -> str:
    options = leaf.enum_values or ()
    if isinstance(value, str):
        text = value.strip()
        if text in options:
            return text
        folded = {option.casefold(): option for option in options}
        match = folded.get(text.casefold().replace("-", "_").replace(" ", "_"))
        if match is not None:
            return match
    raise CoercionError(f"{_shown(value)} is not one of {', '.join(options)}")


def _number(value: Any, *, integer: bool) -> int | float:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise CoercionError(f"{_shown(value)} is not a number")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        number = value
    else:
        text = value.strip().replace("_", "")
        try:
            return int(text)
        except ValueError:
            pass
        try:
            number = float(text)
        except ValueError:
            raise CoercionError(f"{_shown(value)} is not a number") from None
    if not math.isfinite(number):
        raise CoercionError(f"{_shown(value)} is not a finite number")
    if integer:
        if not number.is_integer():
            raise CoercionError(f"{_shown(value)} is not a whole number")
        return int(number)
    return number


def _boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().casefold()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise CoercionError(f"{_shown(value)} is not a boolean (true/false)")


def _date(value: Any) -> str:
    text = str(value).strip()
    if _DATE.fullmatch(text):
        try:
            return date.fromisoformat(text).isoformat()
        except ValueError:
            pass
    raise CoercionError(f"{_shown(value)} is not a date (YYYY-MM-DD)")


def _datetime(value: Any) -> str:
    text = str(value).strip()
    try:
        datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise CoercionError(
            f"{_shown(value)} is not a date-time (ISO 8601, e.g. 2026-11-28T09:30:00Z)"
        ) from None
    return text


def _uuid(value: Any) -> str:
    text = str(value).strip()
    try:
        uuid.UUID(text)
    except ValueError:
        raise CoercionError(f"{_shown(value)} is not a UUID") from None
    return text


def _json(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except json.JSONDecodeError:
        raise CoercionError(f"{_shown(value)} is not valid JSON") from None
