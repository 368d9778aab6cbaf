"""``copy`` throughput against the lower of the two workspaces' ceilings, and its memory.

Run: .venv/bin/python bench/bench_copy.py [--calls 150] [--window 30] [--records 200000]

1. Throughput (two sandboxes, scaled limits). Each sandbox enforces the cloud profile over a
   ``--window``-second window (100 calls per window; 60 records a call, 60 a page); the source
   holds ``calls x 60`` companies and ``copy --objects company`` moves them to the empty
   target. Each workspace's ceiling is what its budget allows (calls a minute x records a call:
   pages read on the source, batches written on the target); printed: records per minute /
   the lower ceiling (target >= 0.95), and the throttles the sandboxes answered (target 0).

2. Memory. Two canned workspaces in this process (self-hosted profile: 200 a call, 200 a page;
   no rate limit): the source makes ``--records`` companies up page by page, the target answers
   createMany without storing, and both pass schema and data-model requests to an empty
   sandbox (the sandbox's own store is too slow to page 200,000 records in a few minutes, and
   what is measured is the client). A child process copies them all and reports its peak RSS
   (``ru_maxrss``) and its RSS before copying (baseline, same run). Target: <= 200 MB.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from typing import Any  # noqa: E402

from aiohttp import ClientSession, web  # noqa: E402

from twenty_gql.client import Twenty  # noqa: E402
from twenty_gql.copy import CopyOptions, run_copy  # noqa: E402
from twenty_gql.profiles import CLOUD, ServerProfile  # noqa: E402
from twenty_gql.sandbox import Sandbox  # noqa: E402
from twenty_gql.sandbox.ratelimit import RecordsBudget  # noqa: E402


async def fill(sb: Sandbox, profile: ServerProfile, count: int) -> None:
    """``count`` companies in ``sb``, written with its rate limit lifted for the while."""
    budget, sb.budget = sb.budget, None
    rows = (
        {"name": f"C{i}", "domainName": {"primaryLinkUrl": f"https://c{i}.example"}}
        for i in range(count)
    )
    async with Twenty(sb.url, sb.api_key, profile=profile, rate_limit="off") as twenty:
        result = await twenty.upsert_many("company", rows, keep_outcomes=False)
    assert result.stats.failed == 0
    sb.budget = budget


async def throughput(calls: int, window: float) -> None:
    profile = CLOUD.scaled(window_seconds=window)
    budget = (profile.calls_per_window, window)
    count = calls * profile.records_per_call
    async with (
        Sandbox.start(port=0, rate_limit=budget, seed="empty") as a,
        Sandbox.start(port=0, rate_limit=budget, seed="empty") as b,
    ):
        await fill(a, profile, count)
        a.budget = RecordsBudget(*budget)  # a full bucket, as after an idle minute
        with tempfile.TemporaryDirectory() as tmp:
            async with (
                Twenty(a.url, a.api_key, profile=profile) as source,
                Twenty(b.url, b.api_key, profile=profile) as target,
            ):
                started = time.monotonic()
                first: list[float] = []
                report = await run_copy(
                    source,
                    target,
                    CopyOptions(objects=("company",), journal=Path(tmp) / "j"),
                    on_progress=lambda _: first.append(time.monotonic()),
                )
                elapsed = time.monotonic() - started
        assert report.tallies["company"].written == count, report.tallies
        assert b.store.count("company") == count
        per_minute = count / elapsed * 60
        calls_a_minute = profile.calls_per_window * 60 / window
        ceiling_read = calls_a_minute * profile.page_size
        ceiling_write = calls_a_minute * profile.records_per_call
        ceiling = min(ceiling_read, ceiling_write)
        print(
            f"throughput: {count:,} records in {elapsed:.1f} s = {per_minute:,.0f}/min; "
            f"ceilings: source {ceiling_read:,.0f}/min, target {ceiling_write:,.0f}/min; "
            f"ratio {per_minute / ceiling:.3f} (target >= 0.95); throttled: source "
            f"{a.stats['throttled']}, target {b.stats['throttled']}"
        )
        setup, records = first[0] - started, first[-1] - first[0]
        print(
            f"  of which setup (schemas, data model, counts) {setup:.1f} s, first to last page "
            f"{records:.1f} s, after the last page {started + elapsed - first[-1]:.1f} s"
        )


_CHILD = """
import asyncio, json, resource, sys
from pathlib import Path
from twenty_gql.client import Twenty
from twenty_gql.copy import CopyOptions, run_copy
from twenty_gql.profiles import SELF_HOSTED

def rss():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024

async def main(a_url, a_key, b_url, b_key, journal):
    profile = SELF_HOSTED.scaled(window_seconds=0.001)
    async with Twenty(a_url, a_key, profile=profile, rate_limit="off") as source, Twenty(
        b_url, b_key, profile=profile, rate_limit="off"
    ) as target:
        await target.execute("{ __typename }")
        before = rss()
        report = await run_copy(
            source, target, CopyOptions(objects=("company",), journal=Path(journal))
        )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"written": report.written, "read": report.tallies["company"].read,
                      "before": before, "peak": peak}))

asyncio.run(main(*sys.argv[1:]))
"""


def _record(n: int) -> dict[str, Any]:
    return {
        "id": str(uuid.UUID(int=n + 1)),
        "name": f"Company {n}",
        "domainName": {
            "primaryLinkUrl": f"https://company-{n}.example",
            "primaryLinkLabel": "",
            "secondaryLinks": [],
        },
        "employees": n % 5000,
        "address": {"addressCity": "Lisbon", "addressCountry": "Portugal", "addressLat": None},
        "annualRevenue": {"amountMicros": n * 1_000_000, "currencyCode": "EUR"},
        "createdAt": "2026-12-02T08:00:00.000Z",
        "updatedAt": "2026-12-02T08:00:00.000Z",
        "deletedAt": None,
        "position": n,
    }


def _after(where: Any) -> str | None:
    if isinstance(where, dict):
        if isinstance(where.get("id"), dict) and "gt" in where["id"]:
            return str(where["id"]["gt"])
        for value in where.values():
            found = _after(value)
            if found is not None:
                return found
    if isinstance(where, list):
        for item in where:
            found = _after(item)
            if found is not None:
                return found
    return None


def canned(upstream: str, count: int) -> web.Application:
    """A workspace of ``count`` companies made up on the fly (list, count, createMany answered
    here, nothing stored); every other request goes to ``upstream`` (an empty sandbox: schema,
    data model). What is measured is the client, not a store."""
    session: dict[str, ClientSession] = {}

    async def handle(request: web.Request) -> web.Response:
        body = await request.read()
        payload = json.loads(body)
        op = payload.get("operationName") or ""
        variables = payload.get("variables") or {}
        if op == "CopyListCompanies":
            where = variables.get("filter")
            text = json.dumps(where)
            if '"NOT_NULL"' in text and '"NULL"' not in text.replace('"NOT_NULL"', ""):
                nodes: list[dict[str, Any]] = []  # no soft-deleted records
            else:
                after = _after(where)
                start = 0 if after is None else uuid.UUID(after).int
                stop = min(count, start + int(variables.get("first") or 60))
                nodes = [_record(n) for n in range(start, stop)]
            edges = [{"node": node} for node in nodes]
            data = {"companies": {"pageInfo": {"hasNextPage": None}, "edges": edges}}
            return web.json_response({"data": data})
        if op == "BatchCountCompanies" and count:
            return web.json_response({"data": {"companies": {"totalCount": count}}})
        if op == "BatchUpsertCompanies":
            stamp = "2026-12-02T08:00:00.000Z"
            rows = [
                {"id": row["id"], "createdAt": stamp, "updatedAt": stamp}
                for row in variables["data"]
            ]
            return web.json_response({"data": {"createCompanies": rows}})
        if "client" not in session:
            session["client"] = ClientSession()
        async with session["client"].post(
            upstream + request.path, data=body, headers=dict(request.headers)
        ) as answer:
            return web.Response(
                body=await answer.read(), status=answer.status, content_type="application/json"
            )

    app = web.Application(client_max_size=64 * 1024 * 1024)
    app.router.add_post("/graphql", handle)
    app.router.add_post("/metadata", handle)

    async def close(_: web.Application) -> None:
        if "client" in session:
            await session["client"].close()

    app.on_cleanup.append(close)
    return app


async def serve(app: web.Application) -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    return runner, f"http://127.0.0.1:{port}"


async def memory(count: int) -> None:
    async with (
        Sandbox.start(port=0, rate_limit=None, seed="empty", profile="self-hosted") as a,
        Sandbox.start(port=0, rate_limit=None, seed="empty", profile="self-hosted") as b,
    ):
        source_runner, source_url = await serve(canned(a.url, count))
        target_runner, target_url = await serve(canned(b.url, 0))
        try:
            with tempfile.TemporaryDirectory() as tmp:
                child = await asyncio.create_subprocess_exec(
                    sys.executable,
                    "-c",
                    _CHILD,
                    source_url,
                    a.api_key,
                    target_url,
                    b.api_key,
                    str(Path(tmp) / "j"),
                    stdout=subprocess.PIPE,
                    cwd=ROOT,
                )
                started = time.monotonic()
                out, _ = await child.communicate()
                elapsed = time.monotonic() - started
        finally:
            await source_runner.cleanup()
            await target_runner.cleanup()
        figures = json.loads(out)
        assert figures["written"] == figures["read"] == count, figures
        print(
            f"memory: {count:,} records copied in {elapsed:.1f} s "
            f"({count / elapsed * 60:,.0f}/min with no rate limit); child RSS before "
            f"{figures['before']:.0f} MB, peak {figures['peak']:.0f} MB (target <= 200 MB)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=150, help="write calls of the run")
    parser.add_argument("--window", type=float, default=30.0, help="rate-limit window, s")
    parser.add_argument("--records", type=int, default=200_000, help="records for memory")
    parser.add_argument("--skip-memory", action="store_true")
    parser.add_argument("--skip-throughput", action="store_true")
    args = parser.parse_args()
    if not args.skip_throughput:
        asyncio.run(throughput(args.calls, args.window))
    if not args.skip_memory:
        asyncio.run(memory(args.records))


if __name__ == "__main__":
    main()
