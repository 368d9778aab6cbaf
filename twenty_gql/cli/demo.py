"""``twenty-gql demo``: the main job, on a fresh machine, in about a minute.

Starts the embedded sandbox on a free loopback port, imports a generated data set (companies,
then the people who work there, with a few bad rows) under the cloud profile's limits scaled to
a shorter window, runs a typed relationship query, and prints what landed, what was rejected
and why, the calls spent, and the throughput against the budget's ceiling.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn
from rich.table import Table

from twenty_gql.batch.result import JobStats
from twenty_gql.budget import check_budget_url
from twenty_gql.cli.common import EXIT_CONFIG, EXIT_SERVER, BudgetOption, fail
from twenty_gql.config import ENV_BUDGET_URL, ConfigError
from twenty_gql.demo.run import DemoOptions, DemoReport, run_demo
from twenty_gql.errors import TwentyError


def register(app: typer.Typer) -> None:
    app.command("demo")(demo_command)


def demo_command(
    companies: Annotated[int, typer.Option(help="Companies to generate.", min=10)] = 2000,
    people: Annotated[int, typer.Option(help="People to generate.", min=4)] = 6000,
    window_seconds: Annotated[
        float,
        typer.Option(help="The cloud window (60 s) scaled down to this many seconds.", min=1),
    ] = 30.0,
    concurrency: Annotated[int, typer.Option(help="Batches in flight.", min=1)] = 4,
    workdir: Annotated[
        Path | None,
        typer.Option(help="Keep the CSV files and rejects here (default: a temporary folder)."),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", help="No progress bars.")] = False,
    budget: BudgetOption = None,
) -> None:
    """Run the demo: sandbox + batch import + typed relationship query, then a report."""
    console = Console()
    budget_url = (budget if budget is not None else os.environ.get(ENV_BUDGET_URL, "")).strip()
    try:
        check_budget_url(budget_url or None)
    except ConfigError as exc:
        fail("demo", f"--budget: {exc}", EXIT_CONFIG)
    options = DemoOptions(
        companies=companies,
        people=people,
        window_seconds=window_seconds,
        concurrency=concurrency,
        workdir=workdir,
        budget_url=budget_url or None,
    )
    console.print(
        f"[bold]twenty-gql demo[/]: {companies:,} companies and {people:,} people into a local "
        f"sandbox under the cloud profile's limits (100 calls per {window_seconds:g} s, "
        "60 records a call).",
        highlight=False,
    )
    progress = (
        None
        if quiet
        else Progress(
            TextColumn("[bold]{task.description:<8}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[extra]}"),
            console=console,
        )
    )
    tasks: dict[str, TaskID] = {}

    def on_progress(step: str, stats: JobStats, total: int | None) -> None:
        if progress is None:
            return
        if step not in tasks:
            tasks[step] = progress.add_task(step, total=total, extra="")
        extra = f"calls {stats.calls} · rejected {stats.failed} · throttles {stats.throttles}"
        progress.update(tasks[step], completed=stats.rows, extra=extra)

    try:
        if progress is not None:
            progress.start()
        report = asyncio.run(run_demo(options, on_progress))
    except TwentyError as exc:
        fail("demo", f"{type(exc).__name__}: {exc}", EXIT_SERVER)
    except OSError as exc:
        fail("demo", f"{exc.filename or ''}: {exc.strerror or exc}".lstrip(": "), EXIT_CONFIG)
    finally:
        if progress is not None:
            progress.stop()
    _print_report(console, report)


def _print_report(console: Console, report: DemoReport) -> None:
    table = Table(title="Import", title_justify="left")
    columns = ("object", "rows", "landed", "rejected", "calls", "splits", "throttles", "retries")
    for column in columns:
        table.add_column(column, justify="left" if column == "object" else "right")
    for item in report.imports:
        stats = item.result.stats
        table.add_row(
            item.object_name,
            f"{stats.rows:,}",
            f"{stats.landed:,}",
            f"{stats.failed:,}",
            f"{stats.calls:,}",
            f"{stats.isolation_calls:,}",
            f"{stats.throttles:,}",
            f"{stats.retries:,}",
        )
    console.print(table)

    rejects = Table(title="Rejected rows (each reported, nothing valid lost)", title_justify="left")
    for column in ("object", "line", "code", "reason"):
        rejects.add_column(column)
    for row in report.rejected_rows:
        rejects.add_row(row.object_name, str(row.line), row.code, row.reason)
    console.print(rejects)

    people = Table(
        title=f"Typed query: people with their company ({report.people_total:,} people)",
        title_justify="left",
    )
    for column in ("person", "email", "company", "domain"):
        people.add_column(column)
    for person in report.people_sample:
        people.add_row(person.name, person.email, person.company, person.company_domain)
    console.print(people)

    profile = report.profile
    paced = report.budget_floor_seconds
    if paced > 0:
        floor = report.floor_seconds
        pace = (
            f"their floor is {floor:.1f} s: {report.burst_seconds:.1f} s for the sandbox to "
            f"answer the burst of {profile.calls_per_window} (its own time, "
            f"{report.import_busy_seconds / report.import_charged * 1000:.0f} ms a call), then "
            f"{paced:.1f} s at one call every {profile.refill_interval:.2f} s; the import took "
            f"{report.import_seconds:.1f} s: {floor / report.import_seconds:.0%} of its ceiling "
            f"({paced / report.import_seconds:.0%} of the bare budget pace)"
        )
    else:
        pace = (
            f"all fit in the workspace's burst of {profile.calls_per_window}, so none waited; "
            f"the import took {report.import_seconds:.1f} s"
        )
    console.print(
        f"landed {report.landed:,} rows, rejected {report.rejected:,}; the sandbox stores "
        f"{report.stored.get('company', 0):,} companies and {report.stored.get('person', 0):,} "
        f"people.\ncalls: {report.client_calls:,} by the import, {report.server_calls:,} "
        f"requests seen by the server, {report.server_throttled} throttled.\nbudget: "
        f"the imports spent {report.import_charged:,} calls ({report.client_calls:,} upserts, "
        f"the rest relation lookups and counts); {pace}; {report.records_per_minute:,.0f} "
        f"records/min; total {report.elapsed:.1f} s.",
        highlight=False,
    )
