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

__all__ = ["SchemaFormatError", "parse_sdl", "print_sorted_sdl", "schema_from_introspection"]


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


def parse_sdl(sdl: str, *, source_name: str = "the SDL text") -> GraphQLSchema:
    """Build a schema from SDL text (e.g. a committed ``schema/*.graphql``)."""
    try:
        return build_schema(sdl, no_location=True)
    except (GraphQLCoreError, TypeError) as exc:
        first_line = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise SchemaFormatError(f"{source_name} is not valid SDL: {first_line}") from None
