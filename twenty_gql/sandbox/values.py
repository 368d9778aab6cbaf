"""Scalar values as Twenty stores and prints them (ISO dates with milliseconds and ``Z``), and
the value at a dotted path of a record document."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

__all__ = ["is_uuid", "now_iso", "parse_date", "parse_datetime", "path_value"]


def now_iso() -> str:
    return _format(datetime.now(UTC))


def _format(moment: datetime) -> str:
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def parse_datetime(text: str) -> str:
    """Normalise an ISO date-time to ``YYYY-MM-DDTHH:MM:SS.mmmZ`` (so text order is time order)."""
    if not isinstance(text, str) or len(text) < 10:
        raise ValueError(f"not a date-time: {text!r}")
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return _format(moment)


def parse_date(text: str) -> str:
    if not isinstance(text, str):
        raise ValueError(f"not a date: {text!r}")
    return date.fromisoformat(text[:10]).isoformat()


def is_uuid(value: object) -> bool:
    if not isinstance(value, str) or len(value) != 36:
        return False
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def path_value(record: dict[str, Any], path: str) -> Any:
    """``record["domainName"]["primaryLinkUrl"]`` for ``domainName.primaryLinkUrl`` (None when a
    part is missing)."""
    value: Any = record
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value
