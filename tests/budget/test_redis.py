"""The shared budget on a real redis-server: the script, several OS processes spending one
workspace's budget, and Redis killed and restarted in the middle of a job."""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path

import pytest

from tests.batch.sandbox_helpers import cli_env, domains
from tests.redis_server import RedisServer
from twenty_gql.batch.jobs import upsert_many
from twenty_gql.budget import MARGIN_STEP, Refusal, Shape, open_budget
from twenty_gql.budget.redis import RedisBudget, budget_key
from twenty_gql.client import Twenty
from twenty_gql.config import ApiKey
from twenty_gql.events import BudgetStoreEvent, ConsumptionEvent, Event
from twenty_gql.profiles import CLOUD
from twenty_gql.sandbox import Sandbox

ROOT = Path(__file__).resolve().parents[2]
KEY = ApiKey("a-secret-api-key-value")


def shared(server: RedisServer, shape: Shape, **options: object) -> RedisBudget:
    budget = open_budget(
        server.url, base_url="http://127.0.0.1:1", api_key=KEY, shape=shape, **options
    )
    assert isinstance(budget, RedisBudget)
    return budget


async def test_the_script_gives_the_burst_then_slots_and_a_throttle_drains_it_for_all(
    redis_server: RedisServer,
) -> None:
    shape = Shape(3, 30.0)  # one token every 10 s: nothing refills during the test
    first, second = shared(redis_server, shape, margin=0.0), shared(redis_server, shape)
    try:
        for _ in range(3):  # the burst, taken by two processes' budgets alike
            await asyncio.wait_for(first.acquire(), 1.0)
        waiter = asyncio.create_task(second.acquire())
        await asyncio.sleep(0.2)
        assert not waiter.done()  # the fourth call waits for its slot, 10 s away
        waiter.cancel()
        # a throttle seen by one re-shapes and drains the bucket for the other
        await first.refused(Refusal(sent_ago=0.0, shape=Shape(2, 30.0)))
        await second.acquire(0)
        assert second.shape == Shape(2, 30.0)
    finally:
        await first.aclose()
        await second.aclose()


async def test_the_key_names_the_workspace_not_the_api_key(redis_server: RedisServer) -> None:
    key = budget_key("https://acme.twenty.com", KEY)
    assert key.startswith("twenty-gql:budget:https://acme.twenty.com:")
    assert KEY.reveal() not in key
    budget = shared(redis_server, Shape(3, 30.0))
    try:
        await budget.acquire()
        keys = await budget._client.keys("*")
    finally:
        await budget.aclose()
    assert keys == [budget_key("http://127.0.0.1:1", KEY).encode()]
    assert "127.0.0.1:" in repr(budget) and KEY.reveal() not in repr(budget)


async def run_workers(
    sb: Sandbox, budget_url: str | None, count: int, window: float, margin: float = 0.25
) -> list[dict[str, float]]:
    env = cli_env(sb)
    if budget_url is not None:
        env["TWENTY_BUDGET_URL"] = budget_url
    processes = [
        await asyncio.create_subprocess_exec(
            sys.executable, "-m", "tests.budget.worker", str(i * count), str(count), str(window),
            "2", str(margin), cwd=ROOT, env=env, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        for i in range(4)
    ]  # fmt: skip
    reports = []
    for process in processes:
        out, err = await asyncio.wait_for(process.communicate(), 120)
        assert process.returncode == 0, err.decode()
        reports.append(json.loads(out.decode().splitlines()[-1]))
    return reports


async def test_four_processes_spend_one_budget_through_redis(redis_server: RedisServer) -> None:
    window = 10.0  # 100 calls per 10 s: one token every 100 ms
    profile = CLOUD.scaled(window_seconds=window)
    async with Sandbox.start(port=0, seed="empty", profile=profile) as sb:
        reports = await run_workers(sb, redis_server.url, 80, window)  # 4 x 40 calls
        stored, throttled = domains(sb), sb.stats["throttled"]
    assert sum(r["landed"] for r in reports) == 320
    assert len(stored) == 320 and set(stored.values()) == {1}  # every row once
    # one budget for all: at most one drain episode's worth (4 processes x 4 calls in flight)
    assert throttled <= 16
    assert sum(r["throttles"] for r in reports) == throttled


async def test_redis_killed_mid_job_and_restarted_loses_and_duplicates_nothing(
    redis_server: RedisServer,
) -> None:
    profile = CLOUD.scaled(window_seconds=1.0)
    rows = [
        {"name": f"K{i}", "domainName": {"primaryLinkUrl": f"https://k{i}.example"}}
        for i in range(120)
    ]
    seen: list[Event] = []
    async with (
        Sandbox.start(port=0, seed="empty", profile=profile, rate_limit=(10, 1.0)) as sb,
        Twenty(sb.url, sb.api_key, profile=profile, budget=redis_server.url) as twenty,
    ):
        twenty.events.subscribe(seen.append)
        calls = 0
        restarted = asyncio.Event()

        async def outage() -> None:
            redis_server.kill()
            await asyncio.sleep(0.5)
            await asyncio.to_thread(redis_server.start)
            restarted.set()

        def on_event(event: Event) -> None:
            nonlocal calls
            if isinstance(event, ConsumptionEvent):
                calls += 1
                if calls == 10:
                    tasks.append(asyncio.get_running_loop().create_task(outage()))

        tasks: list[asyncio.Task[None]] = []
        twenty.events.subscribe(on_event)
        result = await upsert_many(twenty, "company", rows, batch_size=2, concurrency=4)
        await asyncio.wait_for(restarted.wait(), 10)
        stored = domains(sb)
    stores = [event.store for event in seen if isinstance(event, BudgetStoreEvent)]
    assert stores == ["local", "redis"]  # went on in-process, then back to the shared budget
    assert result.stats.landed == 120
    assert len(stored) == 120 and set(stored.values()) == {1}


@pytest.mark.parametrize("url", ["redis://127.0.0.1:1/0"])
async def test_an_unreachable_redis_from_the_start_still_runs_the_job(url: str) -> None:
    profile = CLOUD.scaled(window_seconds=1.0)
    seen: list[Event] = []
    async with (
        Sandbox.start(port=0, seed="empty", profile=profile) as sb,
        Twenty(sb.url, sb.api_key, profile=profile, budget=url) as twenty,
    ):
        twenty.events.subscribe(seen.append)
        result = await upsert_many(
            twenty, "company", [{"name": f"U{i}"} for i in range(30)], batch_size=3
        )
        count = sb.store.count("company")
    assert result.stats.landed == 30 and count == 30
    assert [e.store for e in seen if isinstance(e, BudgetStoreEvent)] == ["local"]
    assert "redis://127.0.0.1:1" in next(e.reason for e in seen if isinstance(e, BudgetStoreEvent))


async def test_a_paced_call_refused_for_arriving_early_is_re_sent_at_once_through_redis(
    redis_server: RedisServer,
) -> None:
    budget = shared(redis_server, Shape(1, 2.0), initial_tokens=1, margin=0.0)  # 2 s a token
    try:
        assert await asyncio.wait_for(budget.acquire(), 1.0) is None  # the burst of one
        claimed = await asyncio.wait_for(budget.acquire(), 5.0)  # paced: claimed on Redis's clock
        assert claimed is not None
        waiter = asyncio.create_task(budget.acquire())  # the next one: 2 s away
        await asyncio.sleep(0.1)
        assert not waiter.done()
        # the paced call arrived early and was refused: re-sent out of turn, at once ...
        await budget.refused(Refusal(sent_ago=0.01, claimed=claimed))
        assert await asyncio.wait_for(budget.acquire(), 1.0) is None
        sent = time.monotonic()
        # ... and a refusal of that re-send (not paced) means the server is really empty: no
        # second credit
        await budget.refused(Refusal(sent_ago=time.monotonic() - sent))
        late = asyncio.create_task(budget.acquire())
        await asyncio.sleep(0.1)
        assert not late.done()
        # the early arrival widened the shared margin for every process by one step
        stored = await budget._client.hget(budget._key, "margin")
        assert float(stored) == pytest.approx(MARGIN_STEP)
        for task in (waiter, late):
            task.cancel()
    finally:
        await budget.aclose()


async def test_the_script_claims_a_send_on_its_clock_and_refuses_one_too_close(
    redis_server: RedisServer,
) -> None:
    # two processes' budgets; one token every 30 s, so nothing refills during the test
    first = shared(redis_server, Shape(1, 30.0), initial_tokens=1, margin=0.0)
    second = shared(redis_server, Shape(1, 30.0), initial_tokens=1, margin=0.0)
    try:
        await asyncio.wait_for(first.acquire(), 1.0)  # the burst of one: sent now
        taken = await second._run("take", "1")
        assert taken is not None and float(taken[0]) > 29_000  # its slot, 30 s away
        # claiming a send now, as if that slot were now: too close to the last send, refused
        now = float(taken[4]) - float(taken[0])
        claimed = await second._run("claim", f"{float(taken[3]):.3f}", f"{now:.3f}")
        assert claimed is not None and 29_000 < float(claimed[0]) <= 30_000
        # a refusal of a call sent before the last send: the token went to that send, so no
        # out-of-turn credit (the next call waits for its slot)
        await second.refused(Refusal(sent_ago=20.0))
        waiter = asyncio.create_task(second.acquire())
        await asyncio.sleep(0.1)
        assert not waiter.done()
        waiter.cancel()
    finally:
        await first.aclose()
        await second.aclose()


async def test_the_script_paces_the_first_call_after_the_burst_from_its_last_answer(
    redis_server: RedisServer,
) -> None:
    # one token every 200 ms and a burst of one
    budget = shared(redis_server, Shape(1, 0.2), initial_tokens=1, margin=0.0)
    try:
        assert await budget.acquire() is None  # the burst, sent at once
        await asyncio.sleep(0.15)  # ... and answered 150 ms later: the bucket is empty now
        await budget.answered(None)
        started = time.monotonic()
        assert await budget.acquire() is not None  # a paced slot, claimed on Redis's clock
        # its slot was 200 ms after the burst's send (50 ms from here); it waits a pace from
        # the answer instead
        assert time.monotonic() - started >= 0.18
    finally:
        await budget.aclose()
