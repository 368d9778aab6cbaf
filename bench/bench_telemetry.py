"""What tracing costs a typed 60-record upsert call, in client CPU time and garbage collections.

Run: .venv/bin/python bench/bench_telemetry.py [--calls 100] [--rounds 5]   (needs '.[otel]')

bench_client.py's canned server (a child process) answers every call. Each variant is a client
of its own, run interleaved in rounds, each round starting with the next variant; the figure is
the median over rounds of the client's CPU time per call (``time.process_time``: the server's
work is in another process, so the figure moves far less with the machine's load than wall time
does), and the cyclic collector's passes per 100 calls:

- off: never instrumented, with ``twenty_gql.telemetry`` and the OpenTelemetry SDK imported
  (the extra installed, not enabled): the baseline.
- off again: a second such client: how far two identical variants differ (the noise).
- undone: instrumented, then the undo function called: must match off.
- one no-op subscriber: ``twenty.events.subscribe(lambda e: None)``, no OpenTelemetry at all:
  what observing the runtime's events costs by itself.
- otel: ``instrument(twenty)`` with an SDK TracerProvider (BatchSpanProcessor, exporter that
  drops) and an SDK MeterProvider.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_client import KEY, Twenty, _inputs, _otel_client, canned_server

from twenty_gql.telemetry import instrument


async def run(url: str, calls: int, rounds: int) -> None:
    models, _ = _inputs()
    undone = Twenty(url, KEY, rate_limit="off")
    instrument(undone)()
    subscribed = Twenty(url, KEY, rate_limit="off")
    subscribed.events.subscribe(lambda event: None)
    clients = {
        "off": Twenty(url, KEY, rate_limit="off"),
        "off again": Twenty(url, KEY, rate_limit="off"),
        "undone": undone,
        "one no-op subscriber": subscribed,
        "otel": _otel_client(url),
    }

    async def call(twenty: Twenty) -> None:
        result = await twenty.core.create_companies(data=models, upsert=True)
        assert len(result.create_companies) == 60

    for twenty in clients.values():  # warm up: connections, lazy imports, model builds
        for _ in range(20):
            await call(twenty)
    cpu: dict[str, list[float]] = {name: [] for name in clients}
    collections: dict[str, list[int]] = {name: [] for name in clients}
    names = list(clients)
    for round_number in range(rounds):
        # Each round starts with another variant: a variant's place in the round moves its figure.
        shift = round_number % len(names)
        for name in names[shift:] + names[:shift]:
            twenty = clients[name]
            before = sum(stat["collections"] for stat in gc.get_stats())
            started = time.process_time()
            for _ in range(calls):
                await call(twenty)
            cpu[name].append((time.process_time() - started) / calls)
            after = sum(stat["collections"] for stat in gc.get_stats())
            collections[name].append(after - before)
    for twenty in clients.values():
        await twenty.aclose()
    off = statistics.median(cpu["off"])
    for name in clients:
        seconds = statistics.median(cpu[name])
        passes = statistics.median(collections[name]) * 100 / calls
        print(
            f"{name:22} {seconds * 1e6:6.0f} µs client CPU a call  = {seconds / off:.2f} x off"
            f"  ({seconds * 1e6 - off * 1e6:+5.0f} µs)   gc passes / 100 calls: {passes:.0f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=100, help="calls per variant per round")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with canned_server() as url:
        asyncio.run(run(url, args.calls, args.rounds))


if __name__ == "__main__":
    main()
