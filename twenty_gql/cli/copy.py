"""``twenty-gql copy``: move records from one workspace to another, ids and relations kept.

Exit codes: 0 done (or nothing to change), 1 some records refused or ``--verify`` found
differences, 2 usage or configuration error (incl. a missing data model with
``--no-create-schema``), 3 server or authentication error (the journal is kept: rerun to resume).
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

from twenty_gql.batch.engine import JobAborted
from twenty_gql.cli.common import (
    EXIT_CONFIG,
    EXIT_DIFFERS,
    EXIT_SERVER,
    BudgetOption,
    WindowOption,
    describe_failure,
    fail,
    scaled_profile,
    with_budget,
)
from twenty_gql.client import Twenty
from twenty_gql.config import ConfigError, Settings
from twenty_gql.copy import (
    CopyOptions,
    CopyPlanError,
    CopyReport,
    MissingSchemaError,
    ObjectTally,
    run_copy,
)
from twenty_gql.errors import TwentyError
from twenty_gql.profiles import get_profile
from twenty_gql.schema.introspection import IntrospectionError

COMMAND = "copy"
ENV_FROM_URL, ENV_FROM_KEY = "TWENTY_FROM_API_URL", "TWENTY_FROM_API_KEY"
ENV_TO_URL, ENV_TO_KEY = "TWENTY_TO_API_URL", "TWENTY_TO_API_KEY"


def register(app: typer.Typer) -> None:
    app.command("copy")(copy_command)


def _settings(
    side: str,
    url: str | None,
    key: str | None,
    envs: tuple[str, str],
    profile: str,
    window_seconds: float | None,
    budget: str | None,
) -> Settings:
    url = url or os.environ.get(envs[0], "")
    key = key or os.environ.get(envs[1], "")
    if not url.strip():
        fail(COMMAND, f"no {side} workspace URL: pass --{side} or set {envs[0]}", EXIT_CONFIG)
    if not key.strip():
        fail(COMMAND, f"no {side} API key: pass --{side}-key or set {envs[1]}", EXIT_CONFIG)
    try:
        server = scaled_profile(COMMAND, get_profile(profile), window_seconds)
        settings = Settings.create(url, key, server)
    except (ConfigError, ValueError) as exc:
        fail(COMMAND, f"{side}: {exc}", EXIT_CONFIG)
    return with_budget(COMMAND, settings, budget)


def copy_command(
    from_url: Annotated[
        str | None, typer.Option("--from", help=f"Source workspace URL. Default: ${ENV_FROM_URL}.")
    ] = None,
    from_key: Annotated[
        str | None,
        typer.Option(
            "--from-key",
            help=f"Source API key. Default: ${ENV_FROM_KEY} (preferred).",
            show_default=False,
        ),
    ] = None,
    to_url: Annotated[
        str | None, typer.Option("--to", help=f"Target workspace URL. Default: ${ENV_TO_URL}.")
    ] = None,
    to_key: Annotated[
        str | None,
        typer.Option(
            "--to-key",
            help=f"Target API key. Default: ${ENV_TO_KEY} (preferred).",
            show_default=False,
        ),
    ] = None,
    objects: Annotated[
        str | None,
        typer.Option(
            help="Objects to copy, comma-separated (default: every object but workspace members)."
        ),
    ] = None,
    no_create_schema: Annotated[
        bool,
        typer.Option(
            "--no-create-schema",
            help="Refuse (listing them) when the target lacks objects or fields.",
        ),
    ] = False,
    verify: Annotated[
        bool, typer.Option("--verify", help="Compare counts and checksums on both sides.")
    ] = False,
    journal: Annotated[
        Path | None,
        typer.Option(
            help="Journal to resume from after a crash (default: in the current "
            "directory, named after the two workspaces)."
        ),
    ] = None,
    from_profile: Annotated[
        str, typer.Option(help="Source limits: cloud or self-hosted.")
    ] = "cloud",
    to_profile: Annotated[str, typer.Option(help="Target limits: cloud or self-hosted.")] = "cloud",
    concurrency: Annotated[int, typer.Option(min=1, help="Write batches in flight.")] = 4,
    quiet: Annotated[bool, typer.Option("--quiet", help="No progress bars.")] = False,
    window_seconds: WindowOption = None,
    budget: BudgetOption = None,
) -> None:
    """Copy records from one workspace to another with their ids, so relations survive.
    Each workspace spends its own budget (one Redis URL serves both: keys are per workspace)."""
    source = _settings(
        "from",
        from_url,
        from_key,
        (ENV_FROM_URL, ENV_FROM_KEY),
        from_profile,
        window_seconds,
        budget,
    )
    target = _settings(
        "to", to_url, to_key, (ENV_TO_URL, ENV_TO_KEY), to_profile, window_seconds, budget
    )
    chosen = tuple(o.strip() for o in (objects or "").split(",") if o.strip())
    options = CopyOptions(
        objects=chosen,
        create_schema=not no_create_schema,
        verify=verify,
        journal=journal,
        concurrency=concurrency,
    )
    report = asyncio.run(_run(source, target, options, quiet))
    print_report(report)
    if report.refused or any(not c.matches for c in report.checks):
        raise typer.Exit(EXIT_DIFFERS)


async def _run(source: Settings, target: Settings, options: CopyOptions, quiet: bool) -> CopyReport:
    progress = (
        None
        if quiet
        else Progress(
            TextColumn("[bold]{task.description:>20}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[extra]}"),
            console=Console(stderr=True),
        )
    )
    tasks: dict[str, TaskID] = {}

    def on_progress(tally: ObjectTally) -> None:
        if progress is None:
            return
        if not progress.live.is_started:
            progress.start()
        if tally.object_name not in tasks:
            tasks[tally.object_name] = progress.add_task(
                tally.object_name, total=tally.total, extra=""
            )
        extra = f"written {tally.written} · unchanged {tally.unchanged} · refused {tally.refused}"
        progress.update(tasks[tally.object_name], completed=tally.read, extra=extra)

    async with Twenty(settings=source) as src, Twenty(settings=target) as dst:
        try:
            return await run_copy(src, dst, options, on_progress=on_progress)
        except (CopyPlanError, MissingSchemaError) as exc:
            fail(COMMAND, str(exc), EXIT_CONFIG)
        except IntrospectionError as exc:
            fail(COMMAND, str(exc), EXIT_SERVER)
        except JobAborted as exc:
            fail(COMMAND, f"{describe_failure(exc.cause)} (rerun to resume)", EXIT_SERVER)
        except TwentyError as exc:
            fail(COMMAND, f"{describe_failure(exc)} (rerun to resume)", EXIT_SERVER)
        finally:
            if progress is not None and progress.live.is_started:
                progress.stop()


def print_report(report: CopyReport) -> None:
    console = Console()
    changes = report.schema_changes
    if changes:
        console.print(
            f"created in the target: objects {', '.join(changes.objects) or 'none'}; "
            f"fields {', '.join(changes.fields) or 'none'}",
            highlight=False,
        )
    table = Table(title="copy" + (" (resumed)" if report.resumed else ""))
    for column in ("object", "read", "written", "unchanged", "refused", "notes"):
        table.add_column(column, justify="left" if column in ("object", "notes") else "right")
    for plan in report.plans:
        tally = report.tallies[plan.singular]
        notes = []
        if plan.deferred:
            notes.append(f"set after: {', '.join(plan.deferred)}")
        if plan.left_out:
            notes.append(f"left out: {', '.join(plan.left_out)}")
        if tally.resumed:
            notes.append("resumed")
        table.add_row(
            plan.singular,
            f"{tally.read:,}",
            f"{tally.written:,}",
            f"{tally.unchanged:,}",
            f"{tally.refused:,}",
            "; ".join(notes),
        )
    console.print(table)
    if report.soft_deleted:
        console.print(f"soft-deleted in the target: {report.soft_deleted}", highlight=False)
    refusals = [r for t in report.tallies.values() for r in t.refusals]
    for refusal in refusals[:10]:
        console.print(
            f"  refused {refusal.object_name} {refusal.record_id}: {refusal.reason}",
            highlight=False,
            markup=False,
        )
    if report.refused > 10:
        console.print(f"  ... and {report.refused - 10} more refused", highlight=False)
    if report.changed_nothing and not report.refused:
        console.print("nothing to change: the target already matches the source", highlight=False)
    for check in report.checks:
        state = "match" if check.matches else f"{check.different} differ"
        console.print(
            f"verify {check.object_name}: source {check.source.count} "
            f"({check.source.deleted} deleted, {check.source.checksum}) · target "
            f"{check.target.count} ({check.target.deleted} deleted, {check.target.checksum}) · "
            f"{state}",
            highlight=False,
        )
        for line in check.differences:
            console.print(f"  {line}", highlight=False, markup=False)
