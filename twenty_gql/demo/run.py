"""The demo job: the embedded sandbox, a batch import under scaled cloud limits, a typed query.

Everything runs on loopback in one process: a sandbox workspace that enforces the cloud profile
(60 records a call, 100 calls a window; the window is scaled down so the demo takes about a
minute instead of several), the importer that the ``import`` command uses, and the generated
typed client for a relationship query. The library reports through hooks; the CLI prints.
"""

from __future__ import annotations

import asyncio
import json
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from twenty_gql.batch.result import JobStats
from twenty_gql.client import Twenty
from twenty_gql.demo.dataset import DemoFiles, write_demo_dataset
from twenty_gql.io import ImportOptions, ImportReport, load_schema, run_import
from twenty_gql.profiles import CLOUD, ServerProfile
from twenty_gql.sandbox import Sandbox

__all__ = ["DemoOptions", "DemoReport", "PersonAtCompany", "RejectedRow", "run_demo"]

StepHook = Callable[[str, JobStats, int | None], None]


@dataclass(frozen=True, slots=True)
class DemoOptions:
    companies: int = 2000
    people: int = 6000
    window_seconds: float = 30.0
    """The cloud profile's 60 s window, scaled down: same calls per window, shorter window."""
    concurrency: int = 4
    workdir: Path | None = None
    """Where the CSV files and rejects go (a temporary folder by default)."""
    budget_url: str | None = None
    """Where the workspace budget lives (``redis://...``); ``None``: in this process."""


@dataclass(frozen=True, slots=True)
class PersonAtCompany:
    name: str
    email: str
    company: str
    company_domain: str


@dataclass(frozen=True, slots=True)
class RejectedRow:
    object_name: str
    line: int
    code: str
    reason: str


@dataclass(slots=True)
class DemoReport:
    profile: ServerProfile
    files: DemoFiles
    imports: list[ImportReport] = field(default_factory=list)
    rejected_rows: list[RejectedRow] = field(default_factory=list)
    people_sample: list[PersonAtCompany] = field(default_factory=list)
    people_total: int = 0
    server_calls: int = 0
    import_charged: int = 0
    """Calls the imports spent of the workspace budget: upserts, relation lookups, counts."""
    import_busy_seconds: float = 0.0
    """The sandbox's own time answering those calls (its handler, request to response)."""
    server_throttled: int = 0
    stored: dict[str, int] = field(default_factory=dict)
    elapsed: float = 0.0

    @property
    def landed(self) -> int:
        return sum(r.result.stats.landed for r in self.imports)

    @property
    def rejected(self) -> int:
        return sum(r.result.stats.failed for r in self.imports)

    @property
    def client_calls(self) -> int:
        return sum(r.result.stats.calls for r in self.imports)

    @property
    def budget_floor_seconds(self) -> float:
        """The least time the budget allows for the import's calls: a quiet workspace answers
        its whole burst at once, then one call a refill interval."""
        paced = max(0, self.import_charged - self.profile.calls_per_window)
        return paced * self.profile.refill_interval

    @property
    def burst_seconds(self) -> float:
        """The least time to answer the workspace's burst: its calls at the sandbox's own
        measured time a call (one event loop answers them one after another)."""
        if not self.import_charged:
            return 0.0
        burst = min(self.import_charged, self.profile.calls_per_window)
        return burst * self.import_busy_seconds / self.import_charged

    @property
    def floor_seconds(self) -> float:
        """The least time any client could take for the import's calls (its ceiling): the
        burst answered as fast as the server answers, then one call a refill interval. Calls
        closer than an interval earn no refill (Twenty's quirk), so the burst's time is not
        refilled meanwhile."""
        return self.burst_seconds + self.budget_floor_seconds

    @property
    def import_seconds(self) -> float:
        return sum(r.result.stats.elapsed for r in self.imports)

    @property
    def records_per_minute(self) -> float:
        return self.landed * 60.0 / self.import_seconds if self.import_seconds else 0.0


async def run_demo(options: DemoOptions, on_progress: StepHook | None = None) -> DemoReport:
    """Run the whole demo and return what happened; never prints."""
    started = time.monotonic()
    profile = CLOUD.scaled(window_seconds=options.window_seconds)
    with tempfile.TemporaryDirectory(prefix="twenty-gql-demo-") as scratch:
        workdir = options.workdir or Path(scratch)
        files = await asyncio.to_thread(
            write_demo_dataset, workdir, companies=options.companies, people=options.people
        )
        report = DemoReport(profile=profile, files=files)
        async with (
            Sandbox.start(port=0, profile=profile, seed="empty") as sandbox,
            Twenty(
                url=sandbox.url, api_key=sandbox.api_key, profile=profile, budget=options.budget_url
            ) as twenty,
        ):
            schema = await load_schema(twenty.settings, None)
            for object_name, path in (("company", files.companies), ("person", files.people)):
                import_options = ImportOptions(
                    object_name=object_name,
                    path=str(path),
                    concurrency=options.concurrency,
                    rejects=workdir / f"{object_name}.rejects.jsonl",
                )
                hook = _bind(on_progress, object_name)
                imported = await run_import(twenty, schema, import_options, on_progress=hook)
                report.imports.append(imported)
                report.rejected_rows.extend(await asyncio.to_thread(_read_rejects, imported))
            report.import_charged = sandbox.stats["charged"]
            report.import_busy_seconds = sandbox.stats["charged_busy_us"] / 1e6
            page = await twenty.core.list_people_with_company(first=5)
            people = page.people
            if people is not None:
                report.people_total = people.total_count or 0
                report.people_sample = [
                    PersonAtCompany(
                        name=f"{node.name.first_name} {node.name.last_name}" if node.name else "",
                        email=(node.emails.primary_email or "") if node.emails else "",
                        company=(node.company.name or "") if node.company else "",
                        company_domain=(
                            node.company.domain_name.primary_link_url or ""
                            if node.company and node.company.domain_name
                            else ""
                        ),
                    )
                    for node in (edge.node for edge in people.edges)
                ]
            report.stored = {name: sandbox.store.count(name) for name in ("company", "person")}
            report.server_calls = sandbox.stats["requests"]
            report.server_throttled = sandbox.stats["throttled"]
    report.elapsed = time.monotonic() - started
    return report


def _read_rejects(report: ImportReport) -> list[RejectedRow]:
    """The rejects file's entries (small: only refused rows), read before the folder goes."""
    if report.rejects_path is None or not report.rejects_path.exists():
        return []
    rows = []
    for line in report.rejects_path.read_text(encoding="utf-8").splitlines():
        entry = json.loads(line)
        rows.append(
            RejectedRow(
                object_name=report.object_name,
                line=int(entry["line"]),
                code=str(entry.get("sub_code") or entry.get("code") or ""),
                reason=str(entry["reason"]),
            )
        )
    return rows


def _bind(hook: StepHook | None, step: str) -> Callable[[JobStats, int | None], None] | None:
    if hook is None:
        return None
    return lambda stats, total: hook(step, stats, total)
