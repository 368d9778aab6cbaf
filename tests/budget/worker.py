"""One import worker for the multi-process tests and the bench, in its own OS process.

``python -m tests.budget.worker START COUNT WINDOW BATCH MARGIN [wait]`` upserts companies
START..START+COUNT into the workspace of ``$TWENTY_API_URL`` / ``$TWENTY_API_KEY`` through the
budget of ``$TWENTY_BUDGET_URL`` (none: this process alone), under the cloud profile scaled to
WINDOW seconds, pacing with MARGIN, and prints one JSON line: rows landed, calls, throttles,
the longest wait between two calls, and the budget store's outages. With ``wait`` it prints
``ready`` once started and begins the job when a line comes on stdin (so that starting
processes, which keeps a small machine's cores busy, is not part of the job).
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from dataclasses import replace

from twenty_gql.batch.jobs import upsert_many
from twenty_gql.budget import RedisBudget, Shape, open_budget
from twenty_gql.client import Twenty
from twenty_gql.config import Settings
from twenty_gql.events import Event, RequestEvent, ResponseEvent
from twenty_gql.naming import ObjectNames
from twenty_gql.profiles import CLOUD

COMPANY = ObjectNames("company", "companies")


async def main(
    start: int, count: int, window: float, batch: int, margin: float, wait: bool = False
) -> dict[str, object]:
    settings = Settings.from_env()
    settings = replace(settings, profile=CLOUD.scaled(window_seconds=window))
    budget = open_budget(
        settings.budget_url,
        base_url=settings.url,
        api_key=settings.api_key,
        shape=Shape.of(settings.profile),
        margin=margin,
    )
    rows = [
        {"name": f"W{i}", "domainName": {"primaryLinkUrl": f"https://w{i}.example"}}
        for i in range(start, start + count)
    ]
    longest = 0.0
    answered = time.monotonic()

    def on_event(event: Event) -> None:
        nonlocal longest, answered
        if isinstance(event, RequestEvent):
            longest = max(longest, time.monotonic() - answered)
        elif isinstance(event, ResponseEvent):
            answered = time.monotonic()

    async with Twenty(settings=settings, budget=budget) as twenty:
        twenty.events.subscribe(on_event)
        if wait:
            print("ready", flush=True)
            sys.stdin.readline()
        began = answered = time.monotonic()
        result = await upsert_many(twenty, COMPANY, rows, batch_size=batch, concurrency=4)
        outages = budget.outages if isinstance(budget, RedisBudget) else 0
    await budget.aclose()
    return {
        "landed": result.stats.landed,
        "calls": result.stats.calls,
        "throttles": result.stats.throttles,
        "longest_wait": longest,
        "elapsed": time.monotonic() - began,
        "outages": outages,
    }


if __name__ == "__main__":
    start, count, window, batch, margin = sys.argv[1:6]
    wait = sys.argv[6:] == ["wait"]
    report = asyncio.run(
        main(int(start), int(count), float(window), int(batch), float(margin), wait)
    )
    print(json.dumps(report))
