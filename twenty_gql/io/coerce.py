"""Turning input values (CSV text or JSON values) into what a field's GraphQL type accepts.

CSV cells are text; JSONL values may already be typed. An empty CSV cell means "not given"
(the caller drops it). Lists are written as a JSON array or as comma-separated items. Amounts
such as ``amountMicros`` stay integers when they are whole, so they keep every digit.

Once converted, a value goes through Twenty's own value rules (:mod:`twenty_gql.value_rules`,
shared with the sandbox), so a row is refused here exactly when Twenty would refuse it, in
Twenty's words and naming the same field.
"""

from __future__ import annotations

import contextlib
import json
from typing import Any

from twenty_gql.io.object_schema import Leaf
from twenty_gql.value_rules import (
    ValueRuleError,
    check_date,
    check_datetime,
    check_email,
    check_multi_select,
    check_number,
    check_select,
    check_url,
    check_uuid,
)

__all__ = ["CoercionError", "coerce_value"]

_NUMBER_TYPES = frozenset({"Float", "BigFloat", "Position", "Int", "BigInt"})
_TRUE = frozenset({"true", "t", "yes", "y", "1"})
_FALSE = frozenset({"false", "f", "no", "n", "0"})


class CoercionError(ValueError):
    """A value the field's type cannot take; the message quotes the value and the type."""


def _shown(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value)
    return repr(text if len(text) <= 60 else text[:57] + "...")


def coerce_value(leaf: Leaf, value: Any) -> Any:
    """``value`` as the field's type wants it; :class:`CoercionError` when it cannot be."""
    if value is None:
        return None
    try:
        if leaf.is_list:
            items = _as_list(value)
            if leaf.enum_values is not None:
                folded = [_enum_spelling(leaf, item) for item in items]
                return check_multi_select(leaf.path, folded, leaf.enum_values)
            return [_coerce_scalar(leaf, item) for item in items]
        return _twenty_rule(leaf, _coerce_scalar(leaf, value))
    except ValueRuleError as refused:
        raise CoercionError(refused.message) from None


def _twenty_rule(leaf: Leaf, value: Any) -> Any:
    """The converted value through the rule Twenty applies to that field."""
    if leaf.path.endswith(".primaryEmail"):
        return check_email(leaf.path, value)
    if leaf.path.endswith(".primaryLinkUrl"):
        return check_url(value)
    return value


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
        number = _number(leaf.path, value)
        whole = name in ("Int", "BigInt") and isinstance(number, float) and number.is_integer()
        return int(number) if whole else number
    if name == "Boolean":
        return _boolean(value)
    if name == "Date":
        return check_date(leaf.path, str(value).strip())
    if name == "DateTime":
        return check_datetime(leaf.path, str(value).strip())
    if name in ("ID", "UUID"):
        return check_uuid(leaf.path, str(value).strip())
    if name in ("JSON", "RawJSONScalar"):
        return _json(value)
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise CoercionError(f"{_shown(value)} is not text")
    return str(value)


def _enum_spelling(leaf: Leaf, value: Any) -> Any:
    """The option a cell spells loosely (``remote work`` for ``REMOTE_WORK``), else the cell."""
    options = leaf.enum_values or ()
    if isinstance(value, str):
        text = value.strip()
        if text in options:
            return text
        folded = {option.casefold(): option for option in options}
        return folded.get(text.casefold().replace("-", "_").replace(" ", "_"), text)
    return value


def _enum(leaf: Leaf, value: Any) -> str:
    options = leaf.enum_values or ()
    return str(check_select(leaf.path, _enum_spelling(leaf, value), options))


def _number(path: str, value: Any) -> int | float:
    """A cell's number (text is converted: a CSV cell is always text); 1.5 is kept even for an
    Int field, as Twenty keeps it (122)."""
    if isinstance(value, str):
        text = value.strip().replace("_", "")
        try:
            return int(text)
        except ValueError:
            pass
        with contextlib.suppress(ValueError):
            value = float(text)
    number: int | float = check_number(path, value)
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


def _json(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except json.JSONDecodeError:
        raise CoercionError(f"{_shown(value)} is not valid JSON") from None
