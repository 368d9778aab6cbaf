"""Twenty's value check of record data, field by field, with the shared value rules
(:mod:`twenty_gql.value_rules`): what a field accepts, what it stores, and the error it answers."""

from __future__ import annotations

from typing import Any

from twenty_gql.value_rules import (
    ValueRuleError,
    check_date,
    check_datetime,
    check_email,
    check_multi_select,
    check_number,
    check_object,
    check_select,
    check_url,
    check_uuid,
)

from .errors import SandboxError, bad_input
from .metadata import FieldMeta, ObjectMeta

__all__ = ["field_value", "rule_error", "table_of"]


def rule_error(refused: ValueRuleError) -> SandboxError:
    return bad_input(refused.message, refused.sub_code, refused.user_message)


def table_of(obj: ObjectMeta) -> str:
    """The Postgres table Twenty names in database errors: custom objects get a ``_``."""
    return f"_{obj.nameSingular}" if obj.isCustom else obj.nameSingular


def _options(f: FieldMeta) -> list[str]:
    return [str(o["value"]) for o in f.options or []]


def _composite(f: FieldMeta, value: Any) -> Any:
    check_object(f.name, value)
    sub = dict(value)
    if f.type == "EMAILS" and "primaryEmail" in sub:
        email = check_email(f"{f.name}.primaryEmail", sub["primaryEmail"])
        sub["primaryEmail"] = email.lower() if isinstance(email, str) else email
    elif f.type == "LINKS" and "primaryLinkUrl" in sub:
        check_url(sub["primaryLinkUrl"])
    elif f.type == "CURRENCY" and "amountMicros" in sub:
        sub["amountMicros"] = check_number(
            f"{f.name}.amountMicros", sub["amountMicros"], from_text=True
        )
    return sub


def field_value(f: FieldMeta, value: Any) -> Any:
    """``value`` as stored for field ``f``; raises :class:`ValueRuleError` as Twenty refuses."""
    if f.name == "id" or f.type == "UUID":
        return check_uuid(f.name, value)
    if value is None:
        return None
    if f.is_composite:
        return _composite(f, value)
    if f.type in ("SELECT", "RATING"):
        return check_select(f.name, value, _options(f))
    if f.type == "MULTI_SELECT":
        return check_multi_select(f.name, value, _options(f))
    if f.type == "NUMBER":
        return check_number(f.name, value)
    if f.type == "DATE_TIME":
        return check_datetime(f.name, value)
    if f.type == "DATE":
        return check_date(f.name, value)
    return value
