"""Verified webhook events per second through the aiohttp receiver, against a trivial handler.

Run: .venv/bin/python bench/bench_webhooks.py [--events 2000] [--rounds 3] [--concurrency 16]

Two servers, each in its own child process (so that the client's work does not share their
loop), on 127.0.0.1:

- trivial: an aiohttp handler that reads the body and answers ``{"ok": true}``;
- receiver: ``webhook_app(WebhookVerifier(secret), router)`` with one async handler on
  ``"company.*"``: headers checked, HMAC-SHA256 over the raw body compared in constant time,
  timestamp age checked, nonce and signature claimed in the in-memory replay store, the body
  parsed into a ``WebhookEvent``, the handler dispatched.

The client POSTs the same deliveries to both: the recorded ``company.created`` delivery
(transcript 220) with a distinct record id each, signed with a fresh timestamp and nonce, as
Twenty sends them; ``concurrency`` requests in flight on one keep-alive session. Each round
sends every delivery to each server (new signatures per round, so none is a replay); the
figure is the median over rounds of events per second, and the ratio receiver / trivial is
taken in the same run. Target: >= 0.5. The client is one process on the same machine, so when
it is the bottleneck the ratio nears 1; the last line (verify + parse + dispatch in process, no
HTTP) is the receiver's own cost per event.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import secrets
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from twenty_gql.webhook_rules import signature  # noqa: E402

SECRET = "bench-secret"
TRANSCRIPT = ROOT / "tests/fixtures/reference/transcripts/220-webhook-delivery-company-created.json"


def _serve(kind: str, port_queue: Any) -> None:
    from twenty_gql.webhooks import WebhookRouter, WebhookVerifier, webhook_app

    async def trivial(request: web.Request) -> web.Response:
        await request.read()
        return web.json_response({"ok": True})

    if kind == "trivial":
        app = web.Application()
        app.router.add_post("/", trivial)
    else:
        router = WebhookRouter()
        handled = [0]

        @router.on("company.*")
        async def count(event: Any) -> None:
            handled[0] += 1

        app = webhook_app(WebhookVerifier(SECRET), router)

    async def main() -> None:
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port_queue.put(runner.addresses[0][1])
        await asyncio.Event().wait()

    asyncio.run(main())


def deliveries(count: int) -> list[tuple[dict[str, str], bytes]]:
    body = json.loads(json.loads(TRANSCRIPT.read_text())["request"]["raw_body"])
    out = []
    timestamp = str(int(time.time() * 1000))
    for n in range(count):
        body["record"]["id"] = f"00000000-0000-4000-8000-{n:012d}"
        raw = json.dumps(body, separators=(",", ":")).encode()
        headers = {
            "Content-Type": "application/json",
            "X-Twenty-Webhook-Timestamp": timestamp,
            "X-Twenty-Webhook-Signature": signature(SECRET, timestamp, raw),
            "X-Twenty-Webhook-Nonce": secrets.token_hex(16),
        }
        out.append((headers, raw))
    return out


async def blast(
    session: aiohttp.ClientSession, url: str, batch: list[tuple[dict[str, str], bytes]], width: int
) -> float:
    queue = iter(batch)
    statuses: list[int] = []

    async def worker() -> None:
        for headers, raw in queue:
            async with session.post(url, data=raw, headers=headers) as answer:
                await answer.read()
                statuses.append(answer.status)

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(width)))
    elapsed = time.perf_counter() - started
    if set(statuses) != {200} or len(statuses) != len(batch):
        raise SystemExit(f"unexpected answers: {sorted(set(statuses))} ({len(statuses)})")
    return len(batch) / elapsed


async def run(urls: dict[str, str], events: int, rounds: int, width: int) -> dict[str, list[float]]:
    rates: dict[str, list[float]] = {kind: [] for kind in urls}
    connector = aiohttp.TCPConnector(limit=width)
    async with aiohttp.ClientSession(connector=connector) as session:
        for url in urls.values():  # warm-up
            await blast(session, url, deliveries(200), width)
        for _ in range(rounds):
            for kind, url in urls.items():
                rates[kind].append(await blast(session, url, deliveries(events), width))
    return rates


async def in_process_cost(events: int) -> float:
    """Microseconds per event for verify + parse + dispatch alone (no HTTP)."""
    from twenty_gql.webhooks import WebhookRouter, WebhookVerifier

    verifier = WebhookVerifier(SECRET)
    router = WebhookRouter()

    @router.on("company.*")
    async def count(event: Any) -> None:
        pass

    batch = deliveries(events)
    started = time.perf_counter()
    for headers, raw in batch:
        await router.dispatch(await verifier.verify(headers, raw))
    return (time.perf_counter() - started) / events * 1e6


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    context = multiprocessing.get_context("spawn")
    servers = []
    urls = {}
    for kind in ("trivial", "receiver"):
        ports = context.Queue()
        process = context.Process(target=_serve, args=(kind, ports), daemon=True)
        process.start()
        servers.append(process)
        urls[kind] = f"http://127.0.0.1:{ports.get(timeout=30)}/"
    try:
        rates = asyncio.run(run(urls, args.events, args.rounds, args.concurrency))
    finally:
        for process in servers:
            process.terminate()
    trivial = statistics.median(rates["trivial"])
    receiver = statistics.median(rates["receiver"])
    print(f"events per round: {args.events}, rounds: {args.rounds}, in flight: {args.concurrency}")
    print(
        f"trivial aiohttp handler:  {trivial:8.0f} events/s  (rounds: "
        f"{', '.join(f'{r:.0f}' for r in rates['trivial'])})"
    )
    print(
        f"verifying receiver:       {receiver:8.0f} events/s  (rounds: "
        f"{', '.join(f'{r:.0f}' for r in rates['receiver'])})"
    )
    print(f"ratio receiver / trivial: {receiver / trivial:.2f}  (target >= 0.5)")
    cost = asyncio.run(in_process_cost(args.events))
    print(f"verify + parse + dispatch alone: {cost:.0f} us/event (no HTTP)")


if __name__ == "__main__":
    main()
