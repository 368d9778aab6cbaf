"""``twenty-gql pull``: introspect a workspace and write (or ``--check``) schema/*.graphql.

Exit codes: 0 written / up to date, 1 ``--check`` found differences, 2 usage or configuration,
3 server or authentication.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer

from twenty_gql.cli.common import (
    EXIT_CONFIG,
    EXIT_DIFFERS,
    EXIT_SERVER,
    ApiKeyOption,
    UrlOption,
    fail,
    settings_from_options,
)
from twenty_gql.config import ConfigError
from twenty_gql.schema.drift import SchemaDiff
from twenty_gql.schema.introspection import IntrospectionError
from twenty_gql.schema.pull import (
    CommittedSchemaError,
    PulledSchemas,
    check_schemas,
    pull_schemas,
    write_schemas,
)
from twenty_gql.schema.sdl import SchemaFormatError


def register(app: typer.Typer) -> None:
    app.command("pull")(pull)


def pull(
    url: UrlOption = None,
    api_key: ApiKeyOption = None,
    out: Annotated[
        Path, typer.Option(help="Directory for core.graphql and metadata.graphql.")
    ] = Path("schema"),
    check: Annotated[
        bool,
        typer.Option(
            "--check", help="Compare the live schemas with the files in --out; write nothing."
        ),
    ] = False,
) -> None:
    """Introspect /graphql and /metadata and write them as sorted SDL."""
    settings = settings_from_options("pull", url, api_key, None, None)
    try:
        pulled = asyncio.run(pull_schemas(settings))
    except IntrospectionError as exc:
        fail("pull", str(exc), EXIT_SERVER)
    except SchemaFormatError as exc:
        fail("pull", f"{settings.url}: {exc}", EXIT_SERVER)
    except ConfigError as exc:
        fail("pull", str(exc), EXIT_CONFIG)
    if check:
        _check(pulled, out)
    else:
        _write(pulled, out)


def _write(pulled: PulledSchemas, out: Path) -> None:
    try:
        results = write_schemas(pulled, out)
    except OSError as exc:
        fail("pull", f"cannot write to {out}: {exc.strerror or exc}", EXIT_CONFIG)
    for item, result in zip(pulled, results, strict=True):
        state = "updated" if result.changed else "unchanged"
        types = len([n for n in item.schema.type_map if not n.startswith("__")])
        typer.echo(f"{result.path}: {state} ({types} types, from {item.url})")


def _check(pulled: PulledSchemas, out: Path) -> None:
    try:
        diffs = check_schemas(pulled, out)
    except CommittedSchemaError as exc:
        fail("pull", str(exc), EXIT_CONFIG)
    for item in pulled:
        diff = diffs[item.name]
        path = out / item.filename
        if not diff:
            typer.echo(f"{path}: up to date with {item.url}")
            continue
        typer.echo(f"{path}: differs from {item.url}: {_counts(diff)}")
        for change in diff.changes:
            typer.echo(f"  {change.severity:<9} {change.kind:<28} {change.description}")
    if any(diffs.values()):
        raise typer.Exit(EXIT_DIFFERS)


def _counts(diff: SchemaDiff) -> str:
    return f"{len(diff.breaking)} breaking, {len(diff.dangerous)} dangerous, {len(diff.safe)} safe"
