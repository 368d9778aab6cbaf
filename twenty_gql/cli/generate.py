"""``twenty-gql generate``: regenerate the typed clients of codegen.toml (or ``--check`` them).

Exit codes: 0 generated / up to date, 1 ``--check`` found differences, 2 configuration or
generation error.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from twenty_gql.codegen.generate import GenerateError, MissingConfigError, check, generate

EXIT_DIFFERS = 1
EXIT_ERROR = 2


def register(app: typer.Typer) -> None:
    app.command("generate")(generate_command)


def generate_command(
    config: Annotated[
        Path,
        typer.Option(
            help="Codegen config: one [targets.<name>] each (and optional [defaults]) over the "
            "built-in settings."
        ),
    ] = Path("codegen.toml"),
    check_only: Annotated[
        bool,
        typer.Option(
            "--check",
            help="Regenerate into a temporary directory and compare; write nothing.",
        ),
    ] = False,
) -> None:
    """Run ariadne-codegen for every target; the output replaces each target package whole."""
    try:
        if check_only:
            differing = check(config)
        else:
            written = generate(config)
    except MissingConfigError as exc:
        typer.echo(f"generate: {exc}", err=True)
        typer.echo(exc.example, err=True, nl=False)
        raise typer.Exit(EXIT_ERROR) from exc
    except GenerateError as exc:
        typer.echo(f"generate: {exc}", err=True)
        raise typer.Exit(EXIT_ERROR) from exc
    if check_only:
        if differing:
            typer.echo("generated code differs from 'twenty-gql generate' output:", err=True)
            for name in differing:
                typer.echo(f"  {name}", err=True)
            typer.echo("run 'twenty-gql generate' and commit the result", err=True)
            raise typer.Exit(EXIT_DIFFERS)
        typer.echo("generated code is up to date")
        return
    for path in written:
        typer.echo(f"generated {path}")
