"""Sandbox throughput and memory on this machine, against baselines measured in the same run.

Run:  .venv/bin/python bench/bench_sandbox.py [--records 100000] [--seconds 3]

1. Small list queries per second (target >= 300/s) vs a trivial aiohttp JSON handler served and
   called the same way (same process, same client, same concurrency).
2. Batch upsert records per second (target >= 3,000/s): createCompanies(upsert: true) with 200
   records a call (self-hosted profile), half of them matching existing records.
3. Memory over 100,000 records: RSS after the first 10,000 records and after all of them, with
   the records in a SQLite file (RSS must stay flat: the records live on disk, not in Python).
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from twenty_gql.sandbox import Sandbox

LIST = (
    "{ companies(first: 10) { totalCount edges { node { id name "
    "domainName { primaryLinkUrl } } } } }"
)
UPSERT = """mutation U($data: [CompanyCreateInput!]!) { createCompanies(data: $data, upsert: true) {
  id } }"""
CONCURRENCY = 8


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def hammer(
    url: str,
    body: dict[str, Any],
    headers: dict[str, str],
    seconds: float,
    concurrency: int = CONCURRENCY,
) -> float:
    """Requests per second from ``concurrency`` workers posting ``body`` for ``seconds``."""
    done = 0
    deadline = time.perf_counter() + seconds
    async with aiohttp.ClientSession(headers=headers) as session:

        async def worker() -> None:
            nonlocal done
            while time.perf_counter() < deadline:
                async with session.post(url, json=body) as response:
                    payload = await response.json()
                    assert "errors" not in payload, payload
                done += 1

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return done / (time.perf_counter() - start)


async def baseline(seconds: float, body: dict[str, Any], concurrency: int) -> float:
    """The same HTTP round trip with a handler that only parses the body and answers."""

    async def handler(request: web.Request) -> web.Response:
        payload = await request.json()
        count = len((payload.get("variables") or {}).get("data") or [])
        return web.json_response({"data": {"ids": [{"id": str(i)} for i in range(count)]}})

    app = web.Application()
    app.router.add_post("/graphql", handler)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        return await hammer(f"http://127.0.0.1:{port}/graphql", body, {}, seconds, concurrency)
    finally:
        await runner.cleanup()


def rows(start: int, count: int) -> list[dict[str, Any]]:
    return [
        {
            "name": f"Bench {i}",
            "domainName": {"primaryLinkUrl": f"https://bench-{i}.example"},
            "employees": i % 500,
            "address": {"addressCity": "Paris"},
        }
        for i in range(start, start + count)
    ]


async def upsert_rate(sb: Sandbox, total: int, batch: int) -> float:
    headers = {"Authorization": f"Bearer {sb.api_key}"}
    async with aiohttp.ClientSession(headers=headers) as session:
        start = time.perf_counter()
        for offset in range(0, total, batch):
            # every other batch repeats the previous one's keys: half the rows update
            base = offset - batch if (offset // batch) % 2 else offset
            body = {"query": UPSERT, "variables": {"data": rows(base, batch)}}
            async with session.post(sb.url + "/graphql", json=body) as response:
                payload = await response.json()
                assert "errors" not in payload, payload["errors"][:1]
        return total / (time.perf_counter() - start)


async def fill(sb: Sandbox, start: int, count: int, batch: int) -> None:
    headers = {"Authorization": f"Bearer {sb.api_key}"}
    async with aiohttp.ClientSession(headers=headers) as session:
        for offset in range(start, start + count, batch):
            body = {"query": UPSERT, "variables": {"data": rows(offset, batch)}}
            async with session.post(sb.url + "/graphql", json=body) as response:
                payload = await response.json()
                assert "errors" not in payload, payload["errors"][:1]


async def main(records: int, seconds: float) -> None:
    base = await baseline(seconds, {"query": LIST}, CONCURRENCY)
    print(f"baseline: trivial aiohttp JSON handler       {base:8.0f} req/s")
    async with Sandbox.start(port=0, rate_limit=None) as sb:
        headers = {"Authorization": f"Bearer {sb.api_key}"}
        rate = await hammer(sb.url + "/graphql", {"query": LIST}, headers, seconds)
    print(
        f"sandbox: small list queries (first: 10)       {rate:8.0f} req/s"
        f"   {rate / base:5.2f}x baseline   (target >= 300/s)"
    )
    batch = 200
    body = {"query": UPSERT, "variables": {"data": rows(0, batch)}}
    carried = await baseline(seconds, body, 1) * batch
    print(f"baseline: same 200-record bodies, no work    {carried:8.0f} records/s")
    async with Sandbox.start(port=0, rate_limit=None, profile="self-hosted", seed="empty") as sb:
        upserts = await upsert_rate(sb, 10_000, batch)
    print(
        f"sandbox: batch upsert (200/call, half match) {upserts:8.0f} records/s"
        f"   {upserts / carried:5.2f}x baseline   (target >= 3,000/s)"
    )
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.db"
        async with Sandbox.start(
            port=0, rate_limit=None, profile="self-hosted", seed="empty", db=db
        ) as sb:
            batch = sb.profile.records_per_call
            warm = min(10_000, records)
            await fill(sb, 0, warm, batch)
            before = rss_mb()
            start = time.perf_counter()
            await fill(sb, warm, records - warm, batch)
            elapsed = time.perf_counter() - start
            after = rss_mb()
            stored = sb.store.count("company")
        print(
            f"sandbox: memory over {stored:,} records (SQLite file): RSS {before:.1f} MB after "
            f"{warm:,} -> {after:.1f} MB after {records:,} ({after - before:+.1f} MB; "
            f"{(records - warm) / elapsed:.0f} records/s inserting)"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=3.0)
    args = parser.parse_args()
    asyncio.run(main(args.records, args.seconds))
