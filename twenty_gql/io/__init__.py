"""Reading rows for import and writing them for export: CSV/JSONL streams, column mapping,
values coerced by the schema's types, relations by unique key, the rejects file."""

from twenty_gql.io.coerce import CoercionError, coerce_value
from twenty_gql.io.exporter import ExportReport, ExportSetupError, run_export
from twenty_gql.io.importer import ImportOptions, ImportReport, ImportSetupError, run_import
from twenty_gql.io.mapping import ColumnPlan, MappingError, parse_map_options, plan_columns
from twenty_gql.io.object_schema import (
    Leaf,
    ObjectSchema,
    RelationPath,
    UnknownFieldError,
    UnknownObjectError,
    find_object,
)
from twenty_gql.io.readers import InputFileError, RowSource, SourceRow, open_rows
from twenty_gql.io.rejects import RejectsWriter
from twenty_gql.io.relations import RELATION_NOT_FOUND, RelationLookup, resolve_relations
from twenty_gql.io.rows import CLIENT_VALIDATION, BuiltRow, RowBuilder
from twenty_gql.io.schema_source import load_schema

__all__ = [
    "CLIENT_VALIDATION",
    "RELATION_NOT_FOUND",
    "BuiltRow",
    "CoercionError",
    "ColumnPlan",
    "ExportReport",
    "ExportSetupError",
    "ImportOptions",
    "ImportReport",
    "ImportSetupError",
    "InputFileError",
    "Leaf",
    "MappingError",
    "ObjectSchema",
    "RejectsWriter",
    "RelationLookup",
    "RelationPath",
    "RowBuilder",
    "RowSource",
    "SourceRow",
    "UnknownFieldError",
    "UnknownObjectError",
    "coerce_value",
    "find_object",
    "load_schema",
    "open_rows",
    "parse_map_options",
    "plan_columns",
    "resolve_relations",
    "run_export",
    "run_import",
]
