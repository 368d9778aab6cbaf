"""``twenty-gql import``: upsert a CSV/JSONL file into an object, with progress and a report.

Exit codes: 0 every row landed, 1 some rows were rejected (see --rejects), 2 usage or
configuration error, 3 server or authentication error. Setup problems print one line naming the
culprit; nothing is sent until the object, the columns and the options have been checked.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Annotated

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
from rich.table import Table

from twenty_gql.batch.engine import JobAborted
from twenty_gql.batch.result import JobStats
from twenty_gql.budget import Shape
from twenty_gql.cli.common import (
    EXIT_CONFIG,
    EXIT_REJECTED,
    EXIT_SERVER,
    ApiKeyOption,
    BudgetNotes,
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
from twenty_gql.errors import TwentyError
from twenty_gql.io.importer import (
    ImportOptions,
    ImportReport,
    ImportSetupError,
    journal_path_of,
    run_import,
)
from twenty_gql.io.mapping import MappingError, parse_map_options


def register(app: typer.Typer) -> None:
    app.command("import")(import_command)


def import_command(
    object_name: Annotated[str, typer.Argument(metavar="OBJECT", help="company, person, ...")],
    file: Annotated[str, typer.Argument(metavar="FILE", help="A .csv or .jsonl file, or -.")],
    url: UrlOption = None,
    api_key: ApiKeyOption = None,
    profile: ProfileOption = None,
    key: Annotated[
        list[str] | None,
        typer.Option("--key", help="A unique field every row must carry (repeatable)."),
    ] = None,
    map_: Annotated[
        list[str] | None,
        typer.Option(
            "--map",
            help="COLUMN=field.sub: the field a column sets (repeatable); COLUMN= drops it.",
        ),
    ] = None,
    batch_size: Annotated[
        int | None,
        typer.Option(min=1, help="Records per call (at most the profile's limit)."),
    ] = None,
    concurrency: Annotated[int, typer.Option(min=1, help="Batches in flight.")] = 4,
    rejects: Annotated[
        Path | None, typer.Option(help="Write refused rows here (JSONL: line, row, reason).")
    ] = None,
    journal: Annotated[
        Path | None,
        typer.Option(help="Journal for resuming after a crash. Default: FILE.journal."),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check every row against the schema; send none.")
    ] = False,
    fmt: Annotated[
        str | None, typer.Option("--format", help="csv or jsonl (default: from the name).")
    ] = None,
    schema: SchemaOption = None,
    quiet: Annotated[bool, typer.Option("--quiet", help="No progress bar.")] = False,
    window_seconds: WindowOption = None,
    budget: BudgetOption = None,
) -> None:
    """Upsert the rows of FILE into OBJECT; rows that cannot land go to --rejects."""
    command = "import"
    settings = settings_from_options(
        command, url, api_key, profile, window_seconds, required=not dry_run, budget=budget
    )
    try:
        mapping = parse_map_options(map_ or [])
    except MappingError as exc:
        fail(command, str(exc), EXIT_CONFIG)
    if fmt is not None and fmt not in ("csv", "jsonl"):
        fail(command, f"--format {fmt!r}: use csv or jsonl", EXIT_CONFIG)
    options = ImportOptions(
        object_name=object_name,
        path=file,
        mapping=mapping,
        keys=tuple(key or ()),
        batch_size=batch_size,
        concurrency=concurrency,
        rejects=rejects,
        journal=journal,
        dry_run=dry_run,
        fmt=fmt if fmt in ("csv", "jsonl") else None,  # type: ignore[arg-type]
    )
    if file == "-" and options.fmt is None:
        fail(command, "reading stdin needs --format csv or --format jsonl", EXIT_CONFIG)
    notes = BudgetNotes(Shape.of(settings.profile)) if settings is not None else None
    report = asyncio.run(_run(command, settings, schema, options, quiet, notes))
    print_summary(report)
    for line in notes.lines() if notes is not None else ():
        Console().print(line, highlight=False, markup=False)
    if report.result.stats.failed:
        raise typer.Exit(EXIT_REJECTED)


async def _run(
    command: str,
    settings: Settings | None,
    schema_path: Path | None,
    options: ImportOptions,
    quiet: bool,
    notes: BudgetNotes | None = None,
) -> ImportReport:
    schema = await schema_or_fail(command, settings, schema_path)
    console = Console(stderr=True)
    progress = _progress(console, quiet)
    task: TaskID | None = None
    started = time.monotonic()

    def on_progress(stats: JobStats, total: int | None) -> None:
        nonlocal task
        if progress is None:
            return
        if task is None:
            progress.start()
            task = progress.add_task(options.object_name, total=total, extra="")
        spent = time.monotonic() - started
        rate = stats.rows / spent if spent > 0 else 0.0
        extra = (
            f"{rate:,.0f} rows/s · failed {stats.failed} · throttles {stats.throttles}"
            f" · retries {stats.retries}"
        )
        progress.update(task, completed=stats.rows, extra=extra)

    twenty = Twenty(settings=settings) if settings is not None else None
    if twenty is not None and notes is not None:
        notes.watch(twenty.events)
    try:
        return await run_import(twenty, schema, options, on_progress=on_progress)
    except ImportSetupError as exc:
        _stop(progress)
        fail(command, str(exc), EXIT_CONFIG)
    except JobAborted as exc:
        _stop(progress)
        stats = exc.result.stats
        journal = journal_path_of(options)
        where = (
            f"; rerun the same command to resume (journal: {journal})"
            if journal is not None
            else ""
        )
        code = EXIT_SERVER if isinstance(exc.cause, TwentyError) else EXIT_CONFIG
        for line in notes.lines() if notes is not None else ():
            typer.echo(line, err=True)
        fail(
            command,
            f"{_cause(exc.cause)} (stopped after {stats.landed} rows landed, "
            f"{stats.failed} rejected){where}",
            code,
        )
    finally:
        _stop(progress)
        if twenty is not None:
            await twenty.aclose()


def _cause(cause: BaseException) -> str:
    if isinstance(cause, TwentyError):
        return describe_failure(cause)
    if isinstance(cause, OSError):
        return f"{cause.filename or ''}: {cause.strerror or cause}".lstrip(": ")
    return f"{type(cause).__name__}: {cause}"


def _progress(console: Console, quiet: bool) -> Progress | None:
    if quiet:
        return None
    return Progress(
        SpinnerColumn(),
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        TextColumn("{task.fields[extra]}"),
        console=console,
        transient=False,
    )


def _stop(progress: Progress | None) -> None:
    if progress is not None and progress.live.is_started:
        progress.stop()


def print_summary(report: ImportReport) -> None:
    """The end-of-import table and the first rejected rows (also used by ``demo``)."""
    stats = report.result.stats
    console = Console()
    title = f"import {report.object_name}" + (" (dry run: nothing sent)" if report.dry_run else "")
    console.print(title, style="bold", highlight=False)
    table = Table(show_header=False)
    table.add_column("what")
    table.add_column("value", justify="right")
    table.add_row("rows read", f"{stats.rows:,}")
    if report.dry_run:
        table.add_row("valid", f"{stats.rows - stats.failed:,}")
    else:
        table.add_row("created", f"{stats.created:,}")
        table.add_row("updated", f"{stats.updated:,}")
        if stats.resumed:
            table.add_row("landed in an earlier run", f"{stats.resumed:,}")
    table.add_row("rejected", f"{stats.failed:,}")
    if not report.dry_run:
        table.add_row("calls", f"{stats.calls:,} (+{stats.isolation_calls} isolating bad rows)")
        table.add_row("throttles", f"{stats.throttles:,}")
        table.add_row("retries", f"{stats.retries:,}")
        if stats.learned_limit:
            table.add_row("records per call (learned)", str(stats.learned_limit))
        if report.lookup_pages:
            table.add_row(
                "relation lookups",
                f"{report.lookup_pages:,} pages (page size reached "
                f"{report.lookup_page_size_reached:,})",
            )
    table.add_row("elapsed", f"{stats.elapsed:.1f} s")
    if stats.elapsed:
        table.add_row("rows/s", f"{stats.rows / stats.elapsed:,.0f}")
    if report.rejects_path is not None:
        table.add_row("rejects", str(report.rejects_path))
    elif stats.failed:
        table.add_row("rejects", "not written (pass --rejects FILE)")
    console.print(table)
    for outcome in report.result.failures[:5]:
        where = f"line {outcome.line}" if outcome.line is not None else f"row {outcome.index}"
        message = outcome.message or "rejected"
        named = outcome.field is None or message.startswith(f"{outcome.field}:")
        field = "" if named else f" [{outcome.field}]"
        console.print(f"  {where}{field}: {message}", highlight=False, markup=False)
    if len(report.result.failures) > 5:
        console.print(f"  ... and {len(report.result.failures) - 5} more", highlight=False)
