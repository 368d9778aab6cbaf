"""Refuse, at generate time, the operations a real Twenty refuses or mis-answers.

``twenty-gql generate`` runs :func:`refused_operations` before ariadne-codegen, for the targets
of kind ``"core"`` (the records API, where Twenty's own executor applies the rules of
:mod:`twenty_gql.operation_rules`). Each finding names the file, line and column, the
operation and the rule, so a user learns about it here instead of from a failing request (or,
for a nested alias, from a generated model that fails to validate Twenty's answer).

Paths resolve as ariadne-codegen resolves them: relative to the config file's directory.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from graphql import DefinitionNode, DocumentNode, GraphQLSchema, Source, build_schema, parse

from twenty_gql.operation_rules import Rule, Violation, find_violations
from twenty_gql.profiles import PROFILES

if TYPE_CHECKING:
    from twenty_gql.codegen.generate import CodegenConfig

__all__ = ["HINTS", "check_queries", "format_violation", "refused_operations"]

HINTS: dict[Rule, str] = {
    "nested-one-to-many": (
        "Twenty refuses a one-to-many relation inside another; select the inner relation from "
        "its own root field"
    ),
    "duplicate-root-field": (
        "Twenty refuses the same root field twice, even under different aliases; use one per "
        "operation"
    ),
    "too-many-root-fields": "split the operation",
    "nested-alias": (
        "the generated model would expect the alias and fail to validate the answer; use "
        "aliases on root fields only"
    ),
}
"""What to do about each rule, after the finding's own message."""

# The strictest profile: an operation that passes works against every kind of server.
_MAX_ROOT_FIELDS = min(profile.max_root_fields for profile in PROFILES.values())

_GRAPHQL_SUFFIXES = (".graphql", ".graphqls", ".gql")


def refused_operations(config: CodegenConfig) -> list[str]:
    """The error lines for the ``"core"`` targets of ``config``: per target with findings, a
    heading, then one ``file:line:column: ...`` line per finding in file order (empty when
    there is none)."""
    errors: list[str] = []
    for target in config.targets:
        if target.kind != "core":
            continue
        try:
            schema = _load_schema(config.root, str(target.settings["schema_path"]))
            found = check_queries(schema, config.root, Path(str(target.settings["queries_path"])))
        except Exception as exc:  # reported as generate reports a codegen failure
            errors.append(f"target {target.name!r}: {type(exc).__name__}: {exc}")
            continue
        if found:
            errors.append(
                f"target {target.name!r}: {len(found)} finding(s) in operations Twenty would "
                "refuse or mis-answer; nothing generated:"
            )
            errors += [format_violation(v) for v in sorted(found, key=_position)]
    return errors


def check_queries(schema: GraphQLSchema, root: Path, queries_path: Path) -> list[Violation]:
    """The findings in the operation files at ``queries_path`` (a file, or a directory searched
    recursively as ariadne-codegen does), all files read as one document: a fragment may be
    defined in one file and spread in another. Raises ``GraphQLSyntaxError`` naming the file."""
    return find_violations(
        schema, _read_documents(root, queries_path), max_root_fields=_MAX_ROOT_FIELDS
    )


def format_violation(violation: Violation) -> str:
    """``file:line:column: operation Name: rule: message (hint)``."""
    where = violation.source_name or "<unknown file>"
    if violation.locations:
        first = violation.locations[0]
        where += f":{first.line}:{first.column}"
    operation = violation.operation or "<anonymous>"
    return (
        f"{where}: operation {operation}: {violation.rule}: {violation.message} "
        f"({HINTS[violation.rule]})"
    )


def _position(violation: Violation) -> tuple[str, int, int]:
    first = violation.locations[0] if violation.locations else None
    return (violation.source_name or "", first.line if first else 0, first.column if first else 0)


def _load_schema(root: Path, schema_path: str) -> GraphQLSchema:
    path = Path(schema_path)
    path = path if path.is_absolute() else root / path
    if path.is_file() or path.is_dir():
        files = sorted(_graphql_files(path)) if path.is_dir() else [path]
        text = "\n".join(file.read_text(encoding="utf-8") for file in files)
        # One parse, no locations: ariadne-codegen's loader parses every file twice, and the
        # records schema is a megabyte (about a second either way on this check's clock).
        return build_schema(text, assume_valid=True, assume_valid_sdl=True, no_location=True)
    # Any other source ariadne-codegen accepts (a dotted import path), read by its own loader.
    from ariadne_codegen.schema import get_graphql_schema_from_path

    with contextlib.chdir(root):
        return get_graphql_schema_from_path(schema_path)


def _read_documents(root: Path, queries_path: Path) -> DocumentNode:
    path = queries_path if queries_path.is_absolute() else root / queries_path
    files = sorted(_graphql_files(path)) if path.is_dir() else [path]
    definitions: list[DefinitionNode] = []
    for file in files:
        source = Source(file.read_text(encoding="utf-8"), _display_name(root, file))
        definitions += parse(source).definitions
    return DocumentNode(definitions=tuple(definitions))


def _graphql_files(directory: Path) -> Iterable[Path]:
    """The files ariadne-codegen reads from a directory (recursively, by suffix)."""
    return (path for path in directory.glob("**/*") if path.suffix in _GRAPHQL_SUFFIXES)


def _display_name(root: Path, file: Path) -> str:
    """The file relative to the config's directory when it is inside it."""
    try:
        return file.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(file)
