"""Helpers for the end-to-end batch tests: data files and a sandbox's store, read back."""

from __future__ import annotations

import asyncio
import csv
import os
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from twenty_gql.sandbox import Sandbox

CLI = str(Path(sys.executable).with_name("twenty-gql"))


def write_companies_csv(
    path: Path, count: int, *, bad_at: dict[int, dict[str, str]] | None = None
) -> None:
    columns = ["name", "domainName.primaryLinkUrl", "employees", "address.addressCity"]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        for i in range(count):
            row = {
                "name": f"Company {i}",
                "domainName.primaryLinkUrl": f"https://company-{i:05d}.example",
                "employees": str(i % 900 + 1),
                "address.addressCity": "Lisbon",
            }
            row.update((bad_at or {}).get(i, {}))
            writer.writerow(row)


def domains(sb: Sandbox) -> Counter[str]:
    return Counter(r["domainName"]["primaryLinkUrl"] for r in companies(sb))


def companies(sb: Sandbox) -> list[dict[str, Any]]:
    return sb.store.all("company", with_deleted=True)


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str


def cli_env(sb: Sandbox | None, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TWENTY_")}
    env.update({"COLUMNS": "200", "NO_COLOR": "1", "PYTHONUNBUFFERED": "1"})
    if sb is not None:
        env.update({"TWENTY_API_URL": sb.url, "TWENTY_API_KEY": sb.api_key})
    env.update(extra)
    return env


async def run_cli(*args: str, env: dict[str, str], limit: float = 60.0) -> Run:
    process = await asyncio.create_subprocess_exec(
        CLI,
        *args,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), limit)
    assert process.returncode is not None
    return Run(process.returncode, out.decode(), err.decode())
