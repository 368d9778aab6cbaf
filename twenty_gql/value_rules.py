"""Which field values Twenty 2.21 accepts on create and update, and its words when it refuses.

One table of value rules, shared by the sandbox (which answers with these errors) and the
import's client-side check (which refuses a row before sending it): both refuse exactly what
Twenty refuses, accept what it accepts, and name the same field. Recorded in the reference
transcripts 115-137 (NOTES (q)).

Each rule takes the value as it arrives after GraphQL input coercion (a bare enum for a
MULTI_SELECT is already a one-element list) and returns the value Twenty stores, or raises
:class:`ValueRuleError` carrying Twenty's ``message``, ``subCode`` and ``userFriendlyMessage``.
Values are quoted in messages the way Node's ``util.inspect`` prints them (``'lots'``,
``[ 'A', 'B' ]``, ``NaN``), because Twenty interpolates them that way.

What Twenty accepts without complaint (and so do these rules): 1.5 for a NUMBER field even with
``dataType: "int"``, any currency code, a full date-time for a DATE field (stored as the date),
``null`` for any value (the NOT NULL columns are checked by the database, see
:func:`not_null_violation`).
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlsplit

__all__ = [
    "ValueRuleError",
    "check_date",
    "check_datetime",
    "check_email",
    "check_multi_select",
    "check_number",
    "check_object",
    "check_select",
    "check_url",
    "check_uuid",
    "foreign_key_violation",
    "js_inspect",
    "not_null_violation",
]

INVALID_ARGS_DATA = "INVALID_ARGS_DATA"


@dataclass(frozen=True, slots=True)
class ValueRuleError(ValueError):
    """A value Twenty refuses, with its three texts (``sub_code`` None: a database error)."""

    message: str
    user_message: str
    sub_code: str | None = INVALID_ARGS_DATA

    def __str__(self) -> str:
        return self.message


def js_inspect(value: Any) -> str:
    """``value`` as Node's ``util.inspect`` prints it: ``'lots'``, ``[ 'A' ]``, ``NaN``, ``1.5``."""
    if isinstance(value, str):
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, list):
        return "[ " + ", ".join(js_inspect(v) for v in value) + " ]" if value else "[]"
    if isinstance(value, dict):
        if not value:
            return "{}"
        return "{ " + ", ".join(f"{k}: {js_inspect(v)}" for k, v in value.items()) + " }"
    return str(value)


def _json_quoted(value: Any) -> str:
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def check_select(field: str, value: Any, options: Sequence[str]) -> Any:
    """SELECT and RATING: one of the options (117, 118)."""
    if value is None or value in options:
        return value
    raise ValueRuleError(
        f"Invalid value {_json_quoted(value)} for field {_json_quoted(field)}. "
        f"Valid values are: {', '.join(options)}",
        f"Invalid value for field {_json_quoted(field)}",
    )


def check_multi_select(field: str, value: Any, options: Sequence[str]) -> Any:
    """MULTI_SELECT: a list of options; a bare option is a one-element list (115, 116)."""
    if value is None:
        return None
    values = value if isinstance(value, list) else [value]
    if all(v in options for v in values):
        return values
    shown = js_inspect(values)
    raise ValueRuleError(
        f"Invalid value {shown} for multi select field {_json_quoted(field)}",
        f'Invalid value for multi-select: "{shown}"',
    )


def _number_error(label: str, shown: str) -> ValueRuleError:
    return ValueRuleError(
        f"Invalid number value {shown} for field {_json_quoted(label)}",
        f'Invalid value for number: "{shown}"',
    )


def check_number(label: str, value: Any, *, from_text: bool = False) -> Any:
    """NUMBER: a JSON number (1.5 even for ``dataType: "int"``); a string, even "12", is
    refused (119, 121, 122). ``from_text``: the amount of a CURRENCY, which Twenty converts
    with ``Number()`` first, so "12" is 12 and "a lot" is NaN (127)."""
    if value is None:
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        if isinstance(value, float) and not math.isfinite(value):
            raise _number_error(label, js_inspect(value))
        return value
    if from_text and isinstance(value, str):
        try:
            number = float(value.strip() or "0")
        except ValueError:
            number = math.nan
        if math.isfinite(number):
            return int(number) if number.is_integer() else number
        raise _number_error(label, "NaN")
    raise _number_error(label, js_inspect(value))


_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _parse_moment(text: str) -> datetime:
    if not _DATE.match(text):
        raise ValueError(text)
    moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def check_date(label: str, value: Any) -> Any:
    """DATE: ``YYYY-MM-DD``; a full date-time is accepted and stored as its date (123, 124)."""
    if value is None:
        return None
    if isinstance(value, str):
        try:
            if len(value) == 10:
                return date.fromisoformat(value).isoformat()
            return _parse_moment(value).date().isoformat()
        except ValueError:
            pass
    shown = js_inspect(value)
    raise ValueRuleError(
        f"Invalid value {shown} for date field {_json_quoted(label)}. Expected format: "
        "'YYYY-MM-DD'",
        f"Invalid value for date: \"{shown}\". Expected format: 'YYYY-MM-DD'",
    )


def check_datetime(label: str, value: Any) -> Any:
    """DATE_TIME: an ISO 8601 date-time (or date); Feb 30 and hour 25 are refused (125).
    Returns ``YYYY-MM-DDTHH:MM:SS.mmmZ``, as Twenty prints it."""
    if value is None:
        return None
    if isinstance(value, str):
        try:
            moment = _parse_moment(value).astimezone(UTC)
        except ValueError:
            pass
        else:
            text = moment.strftime("%Y-%m-%dT%H:%M:%S.")
            return text + f"{moment.microsecond // 1000:03d}Z"
    shown = js_inspect(value)
    raise ValueRuleError(
        f"Invalid value {shown} for date-time field {_json_quoted(label)}. Expected format: "
        "'YYYY-MM-DDTHH:mm:ssZ'",
        f"Invalid value for date-time: \"{shown}\". Expected format: 'YYYY-MM-DDTHH:mm:ssZ'",
    )


_EMAIL = re.compile(r"[^\s@]+@[^\s@]+\.[^\s@]+")


def check_email(label: str, value: Any) -> Any:
    """EMAILS ``primaryEmail``: empty or an address (128)."""
    if value is None or value == "" or (isinstance(value, str) and _EMAIL.fullmatch(value)):
        return value
    shown = js_inspect(value)
    raise ValueRuleError(
        f"Invalid string value {shown} for email field {_json_quoted(label)}",
        f'Invalid value: "{shown}"',
    )


_HOST = re.compile(r"(?=.{1,253}$)([A-Za-z0-9-]+\.)+[A-Za-z0-9-]{2,}|localhost|\d+(\.\d+){3}")


def check_url(value: Any) -> Any:
    """LINKS ``primaryLinkUrl``: empty, a bare domain, or an http(s) URL with a host; "not a
    url", "http://" and "ftp://..." are refused with ``INVALID_URL`` (129)."""
    if value is None or value == "":
        return value
    if isinstance(value, str) and " " not in value.strip():
        text = value.strip()
        has_scheme = "://" in text
        parts = urlsplit(text if has_scheme else f"https://{text}")
        if parts.scheme in ("http", "https") and _HOST.fullmatch(parts.hostname or ""):
            return value
    raise ValueRuleError("The URL of the link is not valid", "Invalid URL format.", "INVALID_URL")


def check_uuid(label: str, value: Any) -> Any:
    """A relation's id column (``companyId``) must be a UUID (135)."""
    if value is None:
        return None
    if isinstance(value, str) and re.fullmatch(
        r"[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}", value
    ):
        return value
    shown = js_inspect(value)
    raise ValueRuleError(
        f"Invalid UUID value {shown} for field {_json_quoted(label)}",
        f'Invalid value for UUID: "{shown}"',
    )


def check_object(label: str, value: Any) -> Any:
    """A composite field (Links, FullName...) takes an object, not a string (130)."""
    if value is None or isinstance(value, dict):
        return value
    raise ValueRuleError(
        f"Invalid object value {js_inspect(value)} for field {_json_quoted(label)}",
        "Invalid value for JSON.",
    )


def not_null_violation(table: str, column: str) -> ValueRuleError:
    """An explicit null for a NOT NULL column: Postgres's words, no subCode (131)."""
    return ValueRuleError(
        f'null value in column "{column}" of relation "{table}" violates not-null constraint',
        "A required field is missing. Please provide all required values and try again.",
        None,
    )


def foreign_key_violation(table: str, column: str) -> ValueRuleError:
    """A relation id that names no record: Postgres's words with TypeORM's constraint name
    (``FK_`` + the first 27 hex digits of sha1("<table>_<column>")), no subCode (136)."""
    digest = hashlib.sha1(f"{table}_{column}".encode(), usedforsecurity=False).hexdigest()
    return ValueRuleError(
        f'insert or update on table "{table}" violates foreign key constraint "FK_{digest[:27]}"',
        "This operation references a record that does not exist or cannot be modified due to "
        "existing relationships.",
        None,
    )
