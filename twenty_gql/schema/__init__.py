"""Pull a workspace's schemas as deterministic SDL, diff them (schema drift), and find the
Twenty objects a schema exposes."""

from __future__ import annotations

from twenty_gql.schema.drift import SchemaChange, SchemaDiff, diff_schemas
from twenty_gql.schema.introspection import (
    ApiKeyRejectedError,
    IntrospectionError,
    ServerErrorAnswer,
    ServerUnreachableError,
    UnexpectedAnswerError,
    fetch_introspection,
)
from twenty_gql.schema.objects import find_objects
from twenty_gql.schema.pull import (
    CommittedSchemaError,
    PulledSchema,
    PulledSchemas,
    WriteResult,
    check_schemas,
    pull_schemas,
    write_schemas,
)
from twenty_gql.schema.sdl import (
    SchemaFormatError,
    print_pulled_sdl,
    print_sorted_sdl,
    schema_from_introspection,
)

__all__ = [
    "ApiKeyRejectedError",
    "CommittedSchemaError",
    "IntrospectionError",
    "PulledSchema",
    "PulledSchemas",
    "SchemaChange",
    "SchemaDiff",
    "SchemaFormatError",
    "ServerErrorAnswer",
    "ServerUnreachableError",
    "UnexpectedAnswerError",
    "WriteResult",
    "check_schemas",
    "diff_schemas",
    "fetch_introspection",
    "find_objects",
    "print_pulled_sdl",
    "print_sorted_sdl",
    "pull_schemas",
    "schema_from_introspection",
    "write_schemas",
]
