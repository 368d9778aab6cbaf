"""``twenty-gql export``: write an object's records to JSONL or CSV, streamed.

Exit codes: 0 written, 2 usage or configuration error, 3 server or authentication error.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from twenty_gql.cli.common import (
    EXIT_CONFIG,
    EXIT_SERVER,
    ApiKeyOption,
    BudgetOption,
    ProfileOption,
    SchemaOption,
    UrlOption,
    WindowOption,
    describe_failure,
    fail,
    schema_or_fail,
    settings_from_options,
)
from twenty_gql.client import Twenty
from twenty_gql.config import Settings
from twenty_gql.errors import BadInputError, TwentyError
from twenty_gql.io.exporter import ExportReport, ExportSetupError, run_export
from twenty_gql.page_sizes import PageBounds


def register(app: typer.Typer) -> None:
    app.command("export")(export_command)


def export_command(
    object_name: Annotated[str, typer.Argument(metavar="OBJECT", help="company, person, ...")],
    out: Annotated[Path, typer.Option("--out", help="Output file: .jsonl or .csv.")],
    filter_: Annotated[
        str | None,
        typer.Option("--filter", help='A filter as JSON, e.g. \'{"name": {"ilike": "%a%"}}\'.'),
    ] = None,
    fields: Annotated[
        list[str] | None,
        typer.Option(
            "--fields",
            help="Fields to export (repeatable or comma-separated; emails = all its sub-fields).",
        ),
    ] = None,
    url: UrlOption = None,
    api_key: ApiKeyOption = None,
    profile: ProfileOption = None,
    page_size: Annotated[
        int | None,
        typer.Option(min=1, help="Records per page, fixed (default: sized from the answers)."),
    ] = None,
    max_page_size: Annotated[
        int | None,
        typer.Option(min=1, help="Largest page to ask for while page sizes grow."),
    ] = None,
    schema: SchemaOption = None,
    quiet: Annotated[bool, typer.Option("--quiet", help="No progress bar.")] = False,
    window_seconds: WindowOption = None,
    budget: BudgetOption = None,
) -> None:
    """Write every record of OBJECT (matching --filter) to --out, page by page."""
    command = "export"
    settings = settings_from_options(command, url, api_key, profile, window_seconds, budget=budget)
    assert settings is not None
    parsed: dict[str, Any] | None = None
    if filter_ is not None:
        try:
            value = json.loads(filter_)
        except json.JSONDecodeError as exc:
            fail(
                command, f"--filter is not valid JSON: {exc.msg} (column {exc.colno})", EXIT_CONFIG
            )
        if not isinstance(value, dict):
            fail(command, "--filter must be a JSON object", EXIT_CONFIG)
        parsed = value
    bounds = PageBounds(max_page_size=max_page_size) if max_page_size is not None else None
    report = asyncio.run(
        _run(settings, schema, object_name, out, parsed, fields, page_size, bounds, quiet)
    )
    Console().print(
        f"exported {report.rows:,} {report.object_name} records ({len(report.fields)} fields) "
        f"to {report.path} in {report.calls} calls ({report.pages} pages, "
        f"page size reached {report.page_size_reached:,})",
        highlight=False,
    )


async def _run(
    settings: Settings,
    schema_path: Path | None,
    object_name: str,
    out: Path,
    filter_: dict[str, Any] | None,
    fields: list[str] | None,
    page_size: int | None,
    bounds: PageBounds | None,
    quiet: bool,
) -> ExportReport:
    command = "export"
    schema = await schema_or_fail(command, settings, schema_path)
    progress = None if quiet else _progress()
    task: TaskID | None = None

    def on_progress(rows: int, total: int | None) -> None:
        nonlocal task
        if progress is None:
            return
        if task is None:
            progress.start()
            task = progress.add_task(object_name, total=total)
        progress.update(task, completed=rows)

    twenty = Twenty(settings=settings, page_bounds=bounds)
    try:
        return await run_export(
            twenty,
            schema,
            object_name,
            out,
            filter=filter_,
            fields=fields,
            page_size=page_size,
            on_progress=on_progress,
        )
    except ExportSetupError as exc:
        fail(command, str(exc), EXIT_CONFIG)
    except BadInputError as exc:
        fail(command, f"the server refused the query: {exc}", EXIT_CONFIG)
    except TwentyError as exc:
        fail(command, describe_failure(exc), EXIT_SERVER)
    except OSError as exc:
        fail(command, f"--out {out}: {exc.strerror or exc}", EXIT_CONFIG)
    finally:
        if progress is not None and progress.live.is_started:
            progress.stop()
        await twenty.aclose()


def _progress() -> Progress:
    return Progress(
        SpinnerColumn(),
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
    )
