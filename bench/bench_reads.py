"""Reads sized from the server's answers: calls, time and memory of an export.

Run: .venv/bin/python bench/bench_reads.py [--records 200000] [--window 8]
     [--capped-records N] [--million 1000000] [--skip calls|capped|memory]

1. Calls and time (sandbox in a process of its own, self-hosted profile, budget scaled to 100
   calls per ``--window`` seconds on both sides). ``--records`` companies are bulk-loaded into
   the sandbox's store (copies of one it created), then exported with ``--fields id,name`` twice
   with the same client code: pages fixed at 200 (the old behaviour) and pages sized from the
   answers. Targets: calls <= 1/10 of fixed; time <= 1/3. The window is scaled less than the
   other benches' (8 s, not 60 s): the sandbox spends ~0.1 ms a record (about what Twenty
   spends: 20,000 in 2.3 s), and a window scaled much further would make the sandbox's record
   time, not the budget, what a fixed-size export waits for, unlike against a real server.

2. A sandbox that caps ``first`` at 60 (truncating, as a capped server would): the sized export
   learns the cap from the first page. No budget here (the case is about records and calls).
   Targets: no error, every id exactly once, calls = ceil(n/60) + 1 (the count).

3. Memory (canned server). A child process serves keyset pages of a realistic company record
   (every field the export selects, ~1 kB of JSON) on 127.0.0.1: the client is what is
   measured. A fresh child process exports ``--million`` records (all fields, JSONL) and reports
   its peak RSS (``ru_maxrss``) and its RSS before exporting (baseline, same run), once with
   pages sized from the answers and once with pages fixed at 20,000. Target: peak <= 150 MB.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import multiprocessing
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from aiohttp import web  # noqa: E402

from bench.canned import current_rss_mb, serve_graphql  # noqa: E402
from twenty_gql.client import Twenty  # noqa: E402
from twenty_gql.io.exporter import ExportReport, run_export  # noqa: E402
from twenty_gql.io.schema_source import load_schema  # noqa: E402
from twenty_gql.profiles import SELF_HOSTED, ServerProfile  # noqa: E402

SCHEMA = ROOT / "schema" / "core.graphql"
FIELDS = ["id", "name"]


# -- 1 and 2: the sandbox, in a process of its own ------------------------------------------------


def _serve_sandbox(options: dict[str, Any], records: int, ids_path: str, ready: Any) -> None:
    """Child process: a sandbox holding ``records`` bulk-loaded companies, until terminated."""
    from twenty_gql.sandbox import Sandbox
    from twenty_gql.sandbox.bulk import load_copies

    async def main() -> None:
        async with Sandbox.start(port=0, seed="empty", **options) as sb:
            started = time.perf_counter()
            workspace = sb.workspace.records
            actor = {"source": "API", "name": "bench", "workspaceMemberId": None, "context": {}}
            company = workspace.meta.objects["company"]
            template = workspace.create_many(company, [{"name": "Bench"}], False, actor)[0]
            ids = load_copies(sb.store, "company", template, records)
            sb.store.delete("company", [template["id"]])
            await asyncio.to_thread(Path(ids_path).write_text, "\n".join(sorted(ids)))
            ready.put((sb.url, sb.api_key, time.perf_counter() - started))
            await asyncio.Event().wait()

    asyncio.run(main())


class SandboxProcess:
    def __init__(self, records: int, tmp: Path, **options: Any) -> None:
        self.ids_path = tmp / "ids.txt"
        queue: Any = multiprocessing.Queue()
        self.process = multiprocessing.Process(
            target=_serve_sandbox, args=(options, records, str(self.ids_path), queue), daemon=True
        )
        self.process.start()
        self.url, self.key, self.seeded = queue.get(timeout=600)

    def ids(self) -> list[str]:
        return self.ids_path.read_text().split("\n")

    def stop(self) -> None:
        self.process.terminate()
        self.process.join()


async def _export(
    url: str, key: str, profile: ServerProfile, out: Path, page_size: int | None, limited: bool
) -> tuple[ExportReport, float]:
    schema = await load_schema(None, SCHEMA)
    rate_limit: Any = None if limited else "off"
    async with Twenty(url, key, profile=profile, rate_limit=rate_limit) as twenty:
        started = time.perf_counter()
        report = await run_export(
            twenty, schema, "company", out, fields=FIELDS, page_size=page_size
        )
        return report, time.perf_counter() - started


def _ids(path: Path) -> list[str]:
    with path.open() as handle:
        return [json.loads(line)["id"] for line in handle]


def calls_and_time(records: int, window: float, tmp: Path) -> None:
    profile = SELF_HOSTED.scaled(window_seconds=window)
    sandbox = SandboxProcess(records, tmp, profile=profile)
    try:
        print(f"seeded {records:,} companies in {sandbox.seeded:.1f} s (bulk load)")
        ids = sandbox.ids()
        runs = {}
        for label, size in (("fixed 200", 200), ("sized", None)):
            out = tmp / f"{label.replace(' ', '')}.jsonl"
            report, elapsed = asyncio.run(
                _export(sandbox.url, sandbox.key, profile, out, size, True)
            )
            assert _ids(out) == ids, f"{label}: records lost or repeated"
            runs[label] = (report, elapsed)
            print(
                f"  {label:<9}: {report.rows:,} records, {report.calls:,} calls "
                f"({report.pages:,} pages, page size reached {report.page_size_reached:,}), "
                f"{elapsed:.1f} s"
            )
    finally:
        sandbox.stop()
    (fixed, fixed_s), (sized, sized_s) = runs["fixed 200"], runs["sized"]
    print(
        f"1. export {records:,} (self-hosted, 100 calls / {window:g} s): "
        f"calls {sized.calls}/{fixed.calls} = {sized.calls / fixed.calls:.3f} (target <= 0.1); "
        f"time {sized_s:.1f}/{fixed_s:.1f} s = {sized_s / fixed_s:.3f} (target <= 0.333)"
    )


def capped(records: int, tmp: Path) -> None:
    sandbox = SandboxProcess(records, tmp, profile=SELF_HOSTED, rate_limit=None, page_cap=60)
    try:
        ids = sandbox.ids()
        out = tmp / "capped.jsonl"
        report, elapsed = asyncio.run(
            _export(sandbox.url, sandbox.key, SELF_HOSTED, out, None, False)
        )
    finally:
        sandbox.stop()
    got = _ids(out)
    expected = math.ceil(records / 60) + 1
    lost, repeated = len(set(ids) - set(got)), len(got) - len(set(got))
    print(
        f"2. export {records:,} from a sandbox capping first at 60: {report.calls:,} calls "
        f"(ceil(n/60)+1 = {expected:,}: {'ok' if report.calls == expected else 'MISSED'}), "
        f"lost {lost}, repeated {repeated}, in order {got == ids}, "
        f"page size reached {report.page_size_reached}, {elapsed:.1f} s"
    )


# -- 3: memory against a canned server ------------------------------------------------------------


def _record_json() -> bytes:
    """A company as the sandbox answers the export's query (every exported field)."""
    from twenty_gql.sandbox import Sandbox

    async def fetch() -> bytes:
        async with Sandbox.start(port=0, seed="demo", profile=SELF_HOSTED, rate_limit=None) as sb:
            schema = await load_schema(None, SCHEMA)
            async with Twenty(sb.url, sb.api_key, profile=SELF_HOSTED, rate_limit="off") as t:
                with tempfile.TemporaryDirectory() as tmp:
                    out = Path(tmp) / "one.jsonl"
                    await run_export(t, schema, "company", out, page_size=1)
                    return out.read_bytes().splitlines()[0]

    return asyncio.run(fetch())


def _id(index: int) -> str:
    return f"{index:08x}-0000-4000-8000-000000000000"


def _serve(port_queue: Any, total: int, record: bytes) -> None:
    node = json.loads(record)
    node["id"] = "@ID@"
    head, tail = json.dumps(node, separators=(",", ":")).encode().split(b"@ID@")

    def after(filter_: Any) -> int:
        if not isinstance(filter_, dict):
            return 0
        if "and" in filter_:
            return max(after(part) for part in filter_["and"])
        gt = (filter_.get("id") or {}).get("gt")
        return int(gt[:8], 16) + 1 if gt else 0

    async def handle(request: web.Request) -> web.Response:
        body = json.loads(await request.read())
        variables = body.get("variables") or {}
        if "totalCount" in body["query"]:
            return web.json_response({"data": {"companies": {"totalCount": total}}})
        start = after(variables.get("filter"))
        end = min(total, start + int(variables.get("first") or 200))
        edges = b",".join(
            b'{"node":' + head + _id(i).encode() + tail + b"}" for i in range(start, end)
        )
        more = b"true" if end < total else b"false"
        payload = (
            b'{"data":{"companies":{"pageInfo":{"hasNextPage":' + more + b',"endCursor":null},'
            b'"edges":[' + edges + b"]}}}"
        )
        return web.Response(body=payload, content_type="application/json")

    asyncio.run(serve_graphql(handle, port_queue))


async def _child_export(url: str, page_size: int | None, out: str) -> dict[str, float]:
    schema = await load_schema(None, SCHEMA)
    async with Twenty(url, "bench-key", profile=SELF_HOSTED, rate_limit="off") as twenty:
        before = current_rss_mb()
        started = time.perf_counter()
        report = await run_export(twenty, schema, "company", Path(out), page_size=page_size)
        elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "before": before,
        "peak": peak,
        "elapsed": elapsed,
        "rows": report.rows,
        "calls": report.calls,
        "reached": report.page_size_reached,
    }


def memory(records: int, tmp: Path) -> None:
    record = _record_json()
    queue: Any = multiprocessing.Queue()
    server = multiprocessing.Process(target=_serve, args=(queue, records, record), daemon=True)
    server.start()
    url = f"http://127.0.0.1:{queue.get(timeout=30)}"
    try:
        for label, size in (("sized", "auto"), ("fixed 20,000", "20000")):
            out = tmp / "million.jsonl"
            child = subprocess.run(
                [sys.executable, __file__, "--child", url, size, str(out)],
                capture_output=True,
                text=True,
            )
            if child.returncode:
                raise SystemExit(f"the export child failed:\n{child.stderr}")
            text = child.stdout
            figures = json.loads(text.strip().splitlines()[-1])
            assert figures["rows"] == records, figures
            print(
                f"3. memory, export {records:,} records ({len(record)} B each as JSONL), pages "
                f"{label}: RSS before {figures['before']:.0f} MB (baseline), peak "
                f"{figures['peak']:.0f} MB (target <= 150 MB); {figures['calls']:,} calls, page "
                f"size reached {figures['reached']:,}; {records / figures['elapsed']:,.0f} rec/s"
            )
            out.unlink()
    finally:
        server.terminate()
        server.join()


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        url, size, out = sys.argv[2:5]
        figures = asyncio.run(_child_export(url, None if size == "auto" else int(size), out))
        print(json.dumps(figures))
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=200_000)
    parser.add_argument("--window", type=float, default=8.0)
    parser.add_argument("--capped-records", type=int, default=None, help="default: --records")
    parser.add_argument("--million", type=int, default=1_000_000)
    parser.add_argument("--skip", choices=["calls", "capped", "memory"], action="append")
    args = parser.parse_args()
    skip = set(args.skip or ())
    with tempfile.TemporaryDirectory() as tmp:
        if "calls" not in skip:
            calls_and_time(args.records, args.window, Path(tmp))
        if "capped" not in skip:
            capped(args.capped_records or args.records, Path(tmp))
        if "memory" not in skip:
            memory(args.million, Path(tmp))


if __name__ == "__main__":
    main()
