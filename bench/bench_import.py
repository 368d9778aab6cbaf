"""Import throughput against the rate-limit ceiling, and memory while streaming a million rows.

Run: .venv/bin/python bench/bench_import.py [--calls 150] [--window 10] [--rows 1000000]

1. Throughput (sandbox, scaled limits). The sandbox enforces the cloud profile over a
   ``--window``-second window (100 calls per window, 60 records per call); ``upsert_many``
   imports ``calls x 60`` companies through it. The ceiling is what the budget allows:
   calls per minute x records per call. Printed: records per minute / ceiling (target >= 0.97)
   and the throttles seen (target 0).

2. Memory (canned server). A child process serves a canned createMany answer on 127.0.0.1 (no
   store, no limit: the client is what is measured). A fresh child process streams ``--rows``
   rows through the engine (``upsert_many``, outcomes not kept) and reports its peak RSS
   (``ru_maxrss``) against its own RSS before streaming (baseline, same run). A second child
   does the same through the whole import pipeline (a CSV file read, mapped, coerced by the
   committed schema). Targets: peak RSS <= 150 MB.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import multiprocessing
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from aiohttp import web  # noqa: E402

from bench.canned import current_rss_mb, serve_graphql  # noqa: E402
from twenty_gql.batch.jobs import upsert_many  # noqa: E402
from twenty_gql.client import Twenty  # noqa: E402
from twenty_gql.profiles import CLOUD, SELF_HOSTED  # noqa: E402

_STAMP = "2026-11-28T04:00:00.000Z"


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# -- 1. throughput against the sandbox ------------------------------------------------------


async def throughput(calls: int, window: float) -> None:
    from twenty_gql.sandbox import Sandbox

    profile = CLOUD.scaled(window_seconds=window)
    rows = [
        {"name": f"T{i}", "domainName": {"primaryLinkUrl": f"https://t{i}.example"}}
        for i in range(calls * profile.records_per_call)
    ]
    async with Sandbox.start(port=0, seed="empty", profile=profile) as sb:
        async with Twenty(sb.url, sb.api_key, profile=profile) as twenty:
            started = time.perf_counter()
            result = await upsert_many(twenty, "company", rows, keep_outcomes=False)
            elapsed = time.perf_counter() - started
        server_throttled = sb.stats["throttled"]
        stored = sb.store.count("company")
    per_minute = result.stats.landed / elapsed * 60
    ceiling = profile.calls_per_window / window * 60 * profile.records_per_call
    print(
        f"throughput: {result.stats.landed:,} records in {elapsed:.2f} s, "
        f"{result.stats.calls} calls"
    )
    print(
        f"  records/min {per_minute:,.0f} / ceiling {ceiling:,.0f} = {per_minute / ceiling:.3f}"
        "  (target >= 0.97)"
    )
    print(
        f"  throttles: client saw {result.stats.throttles}, server answered {server_throttled}"
        f"  (target 0); stored {stored:,}"
    )


# -- 2. memory with a canned server -----------------------------------------------------------


def _serve(port_queue: Any) -> None:
    async def handle(request: web.Request) -> web.Response:
        body = json.loads(await request.read())
        count = len(body["variables"]["data"])
        record = {"id": str(uuid.uuid4()), "createdAt": _STAMP, "updatedAt": _STAMP}
        root = "createCompanies"
        return web.json_response({"data": {root: [record] * count}})

    asyncio.run(serve_graphql(handle, port_queue))


def _rows(count: int) -> Any:
    for i in range(count):
        yield {
            "name": f"Company {i}",
            "domainName": {"primaryLinkUrl": f"https://company-{i:07d}.example"},
            "employees": i % 5000,
            "address": {"addressCity": "Lisbon", "addressCountry": "Portugal"},
        }


async def _stream_engine(url: str, rows: int) -> dict[str, float]:
    async with Twenty(url, "bench-key", profile=SELF_HOSTED, rate_limit="off") as twenty:
        before = current_rss_mb()
        started = time.perf_counter()
        result = await upsert_many(
            twenty, "company", _rows(rows), plural="companies", keep_outcomes=False
        )
        elapsed = time.perf_counter() - started
    assert result.stats.landed == rows, result.stats
    return {"before": before, "peak": rss_mb(), "elapsed": elapsed}


async def _stream_import(url: str, csv_path: str) -> dict[str, float]:
    from twenty_gql.io.importer import ImportOptions, run_import
    from twenty_gql.io.schema_source import load_schema

    schema = await load_schema(None, ROOT / "schema" / "core.graphql")
    async with Twenty(url, "bench-key", profile=SELF_HOSTED, rate_limit="off") as twenty:
        before = current_rss_mb()
        started = time.perf_counter()
        report = await run_import(
            twenty, schema, ImportOptions("company", csv_path, journal=Path(csv_path + ".j"))
        )
        elapsed = time.perf_counter() - started
    return {
        "before": before,
        "peak": rss_mb(),
        "elapsed": elapsed,
        "landed": report.result.stats.landed,
    }


def _write_csv(path: Path, rows: int) -> None:
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["name", "domainName.primaryLinkUrl", "employees", "address.addressCity"])
        for i in range(rows):
            writer.writerow(
                [f"Company {i}", f"https://company-{i:07d}.example", i % 5000, "Lisbon"]
            )


def child(mode: str, url: str, arg: str) -> None:
    if mode == "engine":
        figures = asyncio.run(_stream_engine(url, int(arg)))
    else:
        figures = asyncio.run(_stream_import(url, arg))
    print(json.dumps(figures))


def memory(rows: int) -> None:
    queue: Any = multiprocessing.Queue()
    server = multiprocessing.Process(target=_serve, args=(queue,), daemon=True)
    server.start()
    url = f"http://127.0.0.1:{queue.get(timeout=30)}"
    try:
        with tempfile.TemporaryDirectory() as tmp:
            csv_path = Path(tmp) / "rows.csv"
            _write_csv(csv_path, rows)
            for mode, arg in (("engine", str(rows)), ("import", str(csv_path))):
                out = subprocess.run(
                    [sys.executable, __file__, "--child", mode, url, arg],
                    check=True,
                    capture_output=True,
                    text=True,
                ).stdout
                figures = json.loads(out.strip().splitlines()[-1])
                assert figures.get("landed", rows) == rows, figures
                label = "engine (generator of dicts)" if mode == "engine" else "import (CSV file)"
                print(f"memory, {rows:,} rows through {label}:")
                print(
                    f"  RSS before streaming {figures['before']:.0f} MB (baseline), peak "
                    f"{figures['peak']:.0f} MB, +{figures['peak'] - figures['before']:.0f} MB"
                    f"  (target peak <= 150 MB); {rows / figures['elapsed']:,.0f} rows/s"
                )
    finally:
        server.terminate()


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(*sys.argv[2:5])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=150)
    parser.add_argument("--window", type=float, default=10.0)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--skip-throughput", action="store_true")
    parser.add_argument("--skip-memory", action="store_true")
    args = parser.parse_args()
    if not args.skip_throughput:
        asyncio.run(throughput(args.calls, args.window))
    if not args.skip_memory:
        memory(args.rows)


if __name__ == "__main__":
    main()
