"""The README's main job, end to end: sandbox over HTTP on loopback, import, typed query."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from twenty_gql.batch.result import JobStats
from twenty_gql.demo.run import DemoOptions, run_demo


async def test_demo_lands_every_valid_row_and_reports_each_bad_one(tmp_path: Path) -> None:
    seen: list[tuple[str, int]] = []

    def on_progress(step: str, stats: JobStats, total: int | None) -> None:
        seen.append((step, stats.rows))

    report = await run_demo(
        DemoOptions(companies=40, people=90, window_seconds=2.0, workdir=tmp_path),
        on_progress,
    )
    assert report.stored == {"company": 40, "person": 90}
    assert report.landed == 130
    assert report.server_throttled == 0
    codes = sorted((row.object_name, row.code) for row in report.rejected_rows)
    assert codes == [
        ("company", "CLIENT_VALIDATION"),
        ("company", "CLIENT_VALIDATION"),
        ("company", "UPSERT_MULTIPLE_MATCHING_RECORDS_CONFLICT"),
        ("person", "RELATION_NOT_FOUND"),
    ]
    # Line numbers point into the files the user can open (header is line 1).
    company_lines = (tmp_path / "companies.csv").read_text().splitlines()
    for row in report.rejected_rows:
        if row.object_name == "company":
            assert (
                "https://" in company_lines[row.line - 1] or "many" in company_lines[row.line - 1]
            )
    assert report.people_total == 90
    assert len(report.people_sample) == 5
    assert all(
        p.company and p.company_domain.startswith("https://company-") for p in report.people_sample
    )
    assert {step for step, _ in seen} == {"company", "person"}
    assert report.records_per_minute > 0
    # 40 + 90 rows are a few calls: well inside the burst of a quiet workspace, so no floor.
    assert report.client_calls < report.import_charged < 100
    assert report.budget_floor_seconds == 0
    # the ceiling is then the sandbox's own time to answer the calls, measured by the sandbox:
    # some, and no more than the import's wall time (one event loop serves both)
    assert 0 < report.floor_seconds == report.burst_seconds <= report.import_seconds


def test_demo_command_runs_and_prints_the_report() -> None:
    env = {**os.environ, "COLUMNS": "160"}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "twenty_gql.cli",
            "demo",
            "--companies",
            "20",
            "--people",
            "30",
            "--window-seconds",
            "1",
            "--quiet",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "landed 50 rows, rejected 4" in out
    assert "UPSERT_MULTIPLE_MATCHING_RECORDS_CONFLICT" in out
    assert "Traceback" not in done.stderr
