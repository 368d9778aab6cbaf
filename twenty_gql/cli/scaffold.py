"""``twenty-gql scaffold``: write queries/core/<object>.graphql for a schema's objects.

Exit codes: 0 written, 2 bad schema or unknown object.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from twenty_gql.codegen.scaffold import STANDARD_OBJECTS, ScaffoldError, write_scaffold

EXIT_USAGE = 2


def register(app: typer.Typer) -> None:
    app.command("scaffold")(scaffold)


def scaffold(
    schema: Annotated[Path, typer.Option(help="The workspace's /graphql schema (SDL).")] = Path(
        "schema/core.graphql"
    ),
    out: Annotated[Path, typer.Option(help="Directory for the <object>.graphql files.")] = Path(
        "queries/core"
    ),
    objects: Annotated[
        str | None,
        typer.Option(
            help="Comma-separated nameSingular list, e.g. company,person. "
            f"Default: the standard objects ({', '.join(STANDARD_OBJECTS)}).",
        ),
    ] = None,
    all_objects: Annotated[
        bool, typer.Option("--all", help="Every object the schema exposes.")
    ] = False,
) -> None:
    """Write a fragment and the Get/List/Create/Update/Delete/Restore/Destroy operations of
    each object."""
    names = [name.strip() for name in objects.split(",") if name.strip()] if objects else None
    try:
        written = write_scaffold(schema, out, names, all_objects=all_objects)
    except ScaffoldError as exc:
        typer.echo(f"scaffold: {exc}", err=True)
        raise typer.Exit(EXIT_USAGE) from exc
    for path in written:
        typer.echo(f"wrote {path}")
