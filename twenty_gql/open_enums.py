"""Open enums: a value the generated enum does not list reads as an ``UnknownEnumValue``.

An admin adds a SELECT option in Twenty's settings while services generated an hour earlier keep
running. Apollo Kotlin/iOS give every generated enum an ``UNKNOWN__`` case for exactly this; here
every enum a generated model reads or writes is annotated ``OpenEnum[Stage]``, which is
``Stage | UnknownEnumValue`` to mypy and to the user::

    match opportunity.stage:
        case OpportunityStageEnum.NEW: ...
        case UnknownEnumValue(raw): log.info("stage %s is new since codegen", raw)

CONTRACT (relied on by the code ``twenty_gql.codegen.plugins.OpenEnumsPlugin`` writes):
- ``OpenEnum[E]`` validates a known value into the member of ``E`` (tried first, so the happy
  path is pydantic-core's own enum check) and any other string into ``UnknownEnumValue(raw)``;
  anything but a string still fails validation.
- ``UnknownEnumValue`` is a ``str``: it compares equal to its raw value, writes back to JSON as
  that value (so a record read can be sent back in a mutation), and has ``.value`` and ``.name``
  (``"UNKNOWN__"``) like an enum member. ``UnknownEnumValue("RETURNED")`` is also how a caller
  sends an option added after codegen; ``Stage("RETURNED")`` still raises, so typos stay caught.
- When validation runs with an ``UnknownValues`` as pydantic's ``context`` (the runtime does),
  each unknown value is recorded there as ``(enum name, field name, value)``.

Why a union and not a ``Stage._missing_`` hook that makes pseudo-members: a pseudo-member is
typed ``Stage``, so mypy would call a ``match`` over the listed members exhaustive and the new
value would reach ``assert_never`` at run time; ``Stage("TYPO")`` would stop failing in user
code; and every unknown value would be kept forever in the enum's member map. Measured on 60
records with three enum fields each: plain enum 63 µs, ``_missing_`` 60 µs, this union 67 µs
(noise on whole calls, see bench_client in the README).
"""

from __future__ import annotations

from enum import Enum
from functools import partial
from typing import Annotated, Any, TypeAlias, TypeVar, Union, get_args

from pydantic import GetCoreSchemaHandler, ValidationInfo
from pydantic_core import PydanticCustomError, core_schema

__all__ = ["UNKNOWN_NAME", "OpenEnum", "UnknownEnumValue", "UnknownValues"]

UNKNOWN_NAME = "UNKNOWN__"
"""The ``.name`` of every ``UnknownEnumValue`` (Apollo's name for the case)."""


class UnknownEnumValue(str):
    """A value of a GraphQL enum that the generated enum did not list; it is the raw string."""

    __slots__ = ()
    __match_args__ = ("value",)

    @property
    def value(self) -> str:
        return str.__str__(self)

    @property
    def name(self) -> str:
        return UNKNOWN_NAME

    def __repr__(self) -> str:
        return f"UnknownEnumValue({str.__repr__(self)})"


class UnknownValues:
    """What one validation met that the generated enums did not list (pydantic ``context``)."""

    __slots__ = ("found",)

    def __init__(self) -> None:
        self.found: list[tuple[str, str, str]] = []
        """``(enum name, field name, raw value)`` in the order met."""


E = TypeVar("E", bound=Enum)


def _read_unknown(enum_name: str, value: object, info: ValidationInfo) -> UnknownEnumValue:
    if not isinstance(value, str):
        raise PydanticCustomError(
            "unknown_enum_value",
            "Input should be a string value of {enum}",
            {"enum": enum_name},
        )
    unknown = value if isinstance(value, UnknownEnumValue) else UnknownEnumValue(value)
    context = info.context
    if isinstance(context, UnknownValues):
        context.found.append((enum_name, info.field_name or "", unknown.value))
    return unknown


class _OpenEnumSchema:
    """The members of ``E`` first (pydantic-core's enum check), then ``UnknownEnumValue``."""

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        enum = next(
            (t for t in get_args(source) if isinstance(t, type) and issubclass(t, Enum)), None
        )
        if enum is None:
            raise TypeError(f"OpenEnum needs an Enum type (got {source!r})")
        unknown = core_schema.with_info_plain_validator_function(
            partial(_read_unknown, enum.__name__),
            serialization=core_schema.to_string_ser_schema(),
        )
        return core_schema.union_schema(
            [(handler.generate_schema(enum), enum.__name__), (unknown, UnknownEnumValue.__name__)],
            mode="left_to_right",
        )

    def __repr__(self) -> str:
        return "OPEN"


OpenEnum: TypeAlias = Annotated[Union[E, UnknownEnumValue], _OpenEnumSchema()]  # noqa: UP007
"""``E | UnknownEnumValue``, validated members first (see the module's contract)."""
