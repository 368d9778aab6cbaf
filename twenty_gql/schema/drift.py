"""Schema drift: what changed between a committed SDL file and a freshly pulled one.

Breaking and dangerous changes come from graphql-core (``find_breaking_changes`` /
``find_dangerous_changes``). Safe changes are the remaining differences, computed here: added
types, fields and directives, and changed descriptions or deprecations. A change is listed
once, in the most severe group that applies (graphql-core counts added enum values, optional
arguments and optional input fields as dangerous, so they appear there and not under safe).

Both sides are compared in the form ``pull`` writes, with Actor's flipping fields nullable
(:mod:`twenty_gql.actor_nullability`), so the flip Twenty makes between schema builds is never
reported.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Literal

from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputField,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    find_breaking_changes,
    find_dangerous_changes,
    print_schema,
)

from twenty_gql.actor_nullability import relax
from twenty_gql.schema.sdl import parse_sdl

__all__ = ["SchemaChange", "SchemaDiff", "Severity", "diff_schemas"]

Severity = Literal["breaking", "dangerous", "safe"]


@dataclass(frozen=True, slots=True)
class SchemaChange:
    """One change. ``kind`` is graphql-core's change type name (or ours for safe changes);
    ``description`` names the type and field, e.g. ``Company.name was removed.``"""

    severity: Severity
    kind: str
    description: str


@dataclass(frozen=True, slots=True)
class SchemaDiff:
    breaking: list[SchemaChange] = field(default_factory=list)
    dangerous: list[SchemaChange] = field(default_factory=list)
    safe: list[SchemaChange] = field(default_factory=list)

    @property
    def changes(self) -> list[SchemaChange]:
        """All changes, breaking first."""
        return [*self.breaking, *self.dangerous, *self.safe]

    def __bool__(self) -> bool:
        return bool(self.breaking or self.dangerous or self.safe)


def diff_schemas(
    old_sdl: str | GraphQLSchema, new_sdl: str | GraphQLSchema, *, old_name: str = "old SDL"
) -> SchemaDiff:
    """Classify the changes from ``old_sdl`` to ``new_sdl`` (SDL text or built schemas, which
    are left untouched); each list is sorted by description. SDL texts that differ with no schema
    change (order, layout) give one safe ``LAYOUT_CHANGED`` change, so an empty diff means
    "identical" up to comments, white space and Actor's flip."""
    if isinstance(old_sdl, str) and isinstance(new_sdl, str) and old_sdl == new_sdl:
        return SchemaDiff()
    old = relax(_own_copy(old_sdl, old_name))
    new = relax(_own_copy(new_sdl, "the SDL text"))
    breaking = [
        SchemaChange("breaking", c.type.name, _type_first(c.description))
        for c in find_breaking_changes(old, new)
    ]
    dangerous = [
        SchemaChange("dangerous", c.type.name, _type_first(c.description))
        for c in find_dangerous_changes(old, new)
    ]
    safe = [SchemaChange("safe", kind, text) for kind, text in _safe_changes(old, new)]
    if (
        not (breaking or dangerous or safe)
        and isinstance(old_sdl, str)
        and isinstance(new_sdl, str)
        and print_schema(old) != print_schema(new)
    ):
        safe.append(
            SchemaChange("safe", "LAYOUT_CHANGED", "the SDL text differs only in order or layout.")
        )
    return SchemaDiff(breaking=_sorted(breaking), dangerous=_sorted(dangerous), safe=_sorted(safe))


def _own_copy(sdl: str | GraphQLSchema, source_name: str) -> GraphQLSchema:
    """A schema this module may change (``relax`` works in place): built schemas are copied."""
    return parse_sdl(sdl if isinstance(sdl, str) else print_schema(sdl), source_name=source_name)


# graphql-core's wordings that do not start with the type, rewritten to "Type.member ..." so
# every line can be found by the name of what changed.
_ENUM_VALUE = re.compile(r"^(\w+) was (added to|removed from) enum type (\w+)\.$")
_ARG_ADDED = re.compile(r"^An? (required|optional) arg (\w+) on (\w+\.\w+) was added\.$")
_INPUT_FIELD_ADDED = re.compile(
    r"^An? (required|optional) field (\w+) on input type (\w+) was added\.$"
)


def _type_first(description: str) -> str:
    if found := _ENUM_VALUE.match(description):
        value, change, enum = found.groups()
        return f"{enum}.{value} was {change.split()[0]}."
    if found := _ARG_ADDED.match(description):
        required, arg, field_path = found.groups()
        return f"{field_path} arg {arg} was added ({required} arg)."
    if found := _INPUT_FIELD_ADDED.match(description):
        required, input_field, input_type = found.groups()
        return f"{input_type}.{input_field} was added ({required} input field)."
    return description


def _sorted(changes: list[SchemaChange]) -> list[SchemaChange]:
    return sorted(set(changes), key=lambda c: (c.description, c.kind))


def _safe_changes(old: GraphQLSchema, new: GraphQLSchema) -> Iterator[tuple[str, str]]:
    old_directives = {d.name for d in old.directives}
    for directive in new.directives:
        if directive.name not in old_directives:
            yield "DIRECTIVE_ADDED", f"@{directive.name} was added."
    for name, new_type in new.type_map.items():
        if name.startswith("__"):
            continue
        old_type = old.type_map.get(name)
        if old_type is None:
            yield "TYPE_ADDED", f"{name} was added."
            continue
        if type(old_type) is not type(new_type):
            continue  # TYPE_CHANGED_KIND, reported as breaking
        if old_type.description != new_type.description:
            yield "DESCRIPTION_CHANGED", f"{name} description changed."
        yield from _member_changes(old_type, new_type)


def _member_changes(old: GraphQLNamedType, new: GraphQLNamedType) -> Iterator[tuple[str, str]]:
    name = new.name
    if isinstance(old, GraphQLObjectType | GraphQLInterfaceType) and isinstance(
        new, GraphQLObjectType | GraphQLInterfaceType
    ):
        for field_name, new_field in new.fields.items():
            old_field = old.fields.get(field_name)
            if old_field is None:
                yield "FIELD_ADDED", f"{name}.{field_name} was added."
            else:
                yield from _field_changes(f"{name}.{field_name}", old_field, new_field)
    elif isinstance(old, GraphQLInputObjectType) and isinstance(new, GraphQLInputObjectType):
        yield from _input_changes(name, old.fields, new.fields)
    elif isinstance(old, GraphQLEnumType) and isinstance(new, GraphQLEnumType):
        for value_name, new_value in new.values.items():
            old_value = old.values.get(value_name)
            if old_value is None:
                continue  # VALUE_ADDED_TO_ENUM, reported as dangerous
            where = f"{name}.{value_name}"
            if old_value.description != new_value.description:
                yield "DESCRIPTION_CHANGED", f"{where} description changed."
            if old_value.deprecation_reason != new_value.deprecation_reason:
                yield "DEPRECATION_CHANGED", _deprecation_text(where, new_value.deprecation_reason)


def _field_changes(where: str, old: GraphQLField, new: GraphQLField) -> Iterator[tuple[str, str]]:
    if old.description != new.description:
        yield "DESCRIPTION_CHANGED", f"{where} description changed."
    if old.deprecation_reason != new.deprecation_reason:
        yield "DEPRECATION_CHANGED", _deprecation_text(where, new.deprecation_reason)
    for arg_name, new_arg in new.args.items():
        old_arg = old.args.get(arg_name)
        if old_arg is not None and old_arg.description != new_arg.description:
            yield "DESCRIPTION_CHANGED", f"{where} arg {arg_name} description changed."


def _input_changes(
    name: str,
    old_fields: Mapping[str, GraphQLInputField],
    new_fields: Mapping[str, GraphQLInputField],
) -> Iterator[tuple[str, str]]:
    for field_name, new_field in new_fields.items():
        old_field = old_fields.get(field_name)
        if old_field is not None and old_field.description != new_field.description:
            yield "DESCRIPTION_CHANGED", f"{name}.{field_name} description changed."


def _deprecation_text(where: str, reason: str | None) -> str:
    if reason is None:
        return f"{where} is no longer deprecated."
    return f"{where} was deprecated: {reason}"
