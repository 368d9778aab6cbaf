"""Introspection result → schema → deterministic SDL.

The printed SDL is sorted (types, fields, arguments, enum values, input fields, interfaces,
union members and directives, all by name) and keeps every description, so printing the same
workspace twice gives byte-identical text whatever order the server listed things in.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graphql import (
    GraphQLSchema,
    build_client_schema,
    build_schema,
    lexicographic_sort_schema,
    print_schema,
)
from graphql.error import GraphQLError as GraphQLCoreError

from twenty_gql.actor_nullability import FLIPPING_FIELDS, relax

__all__ = [
    "SchemaFormatError",
    "parse_sdl",
    "print_pulled_sdl",
    "print_sorted_sdl",
    "schema_from_introspection",
]


class SchemaFormatError(ValueError):
    """An introspection result or an SDL file that does not describe a valid schema."""


def schema_from_introspection(result: Mapping[str, Any]) -> GraphQLSchema:
    """Build a client schema from an introspection answer (``{"data": {"__schema": ...}}``
    or the bare ``{"__schema": ...}``)."""
    data = result if "__schema" in result else result.get("data")
    if not isinstance(data, Mapping) or not isinstance(data.get("__schema"), Mapping):
        raise SchemaFormatError("the answer holds no introspection result (no data.__schema)")
    try:
        return build_client_schema(data)  # type: ignore[arg-type]
    except (GraphQLCoreError, TypeError, KeyError, ValueError) as exc:
        raise SchemaFormatError(f"the introspection result is not a valid schema: {exc}") from None


def print_sorted_sdl(schema: GraphQLSchema) -> str:
    """SDL with everything sorted by name, descriptions kept, ending in one newline."""
    return print_schema(lexicographic_sort_schema(schema)).rstrip("\n") + "\n"


def print_pulled_sdl(schema: GraphQLSchema) -> str:
    """The text ``pull`` writes: :func:`print_sorted_sdl` of ``schema`` with Actor's flipping
    fields made nullable (in place, see :mod:`twenty_gql.actor_nullability`), after a header
    comment that says why; a schema without them (``/metadata``) gets no header."""
    relax(schema)
    present = [f"{t}.{f}" for t, f in FLIPPING_FIELDS if t in schema.type_map]
    header = (
        "# Written by twenty-gql pull. These fields are written nullable whatever the server\n"
        f"# answered: {', '.join(present)}.\n"
        "# Twenty declares them non-null in the first schema a server process builds and nullable\n"
        "# in every later one (twenty_gql/actor_nullability.py), so pulling gives the same file\n"
        "# whichever build the server serves. Generated clients read both forms, and\n"
        "# 'twenty-gql pull --check' never reports the flip.\n\n"
    )
    return (header if present else "") + print_sorted_sdl(schema)


def parse_sdl(sdl: str, *, source_name: str = "the SDL text") -> GraphQLSchema:
    """Build a schema from SDL text (e.g. a committed ``schema/*.graphql``)."""
    try:
        return build_schema(sdl, no_location=True)
    except (GraphQLCoreError, TypeError) as exc:
        first_line = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise SchemaFormatError(f"{source_name} is not valid SDL: {first_line}") from None
