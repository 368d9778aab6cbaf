"""The in-process budget against the sandbox's copy of Twenty's bucket, over HTTP on loopback.

Windows are scaled down; every assertion is on counts (calls, throttles, rows, the server's
bucket), never on elapsed time. Budgets here pace with a 25 % margin, wider than the default,
so that arrival jitter on a loaded test machine cannot add throttles to the exact counts.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.batch.sandbox_helpers import cli_env, domains, run_cli, write_companies_csv
from twenty_gql.batch.engine import JobAborted
from twenty_gql.batch.jobs import upsert_many
from twenty_gql.budget import LocalBudget, Shape
from twenty_gql.client import Twenty
from twenty_gql.errors import QuotaExhaustedError, RateLimitedError
from twenty_gql.events import BudgetLearnedEvent, Event
from twenty_gql.profiles import CLOUD
from twenty_gql.retry import RetryPolicy
from twenty_gql.sandbox import Sandbox

MARGIN = 0.25
IN_FLIGHT = 4


def rows(count: int, prefix: str = "E") -> list[dict[str, object]]:
    return [
        {"name": f"{prefix}{i}", "domainName": {"primaryLinkUrl": f"https://{prefix}{i}.example"}}
        for i in range(count)
    ]


def drain(sb: Sandbox) -> None:
    """As if another program had just spent the workspace's whole budget."""
    assert sb.budget is not None
    sb.budget.tokens, sb.budget.last_refill_at = 0, sb.budget.clock()


async def test_a_quiet_workspace_gives_its_whole_burst_at_once() -> None:
    profile = CLOUD.scaled(window_seconds=30.0)
    async with (
        Sandbox.start(port=0, seed="empty", profile=profile, rate_limit=(10, 30.0)) as sb,
        Twenty(sb.url, sb.api_key, profile=profile, rate_limit=(10, 30.0)) as twenty,
    ):
        result = await upsert_many(twenty, "company", rows(10), batch_size=1, concurrency=10)
        assert sb.budget is not None
        # the ten calls spent the server's ten tokens (a client starting empty would have
        # sent one call every 3 s, leaving the server nearly full)
        assert sb.budget.tokens == 0
        assert sb.stats["throttled"] == 0 and result.stats.throttles == 0
    assert result.stats.landed == 10


async def test_a_drained_workspace_costs_at_most_the_calls_in_flight() -> None:
    profile = CLOUD.scaled(window_seconds=2.0)
    shape = Shape(10, 2.0)  # one token every 200 ms
    async with Sandbox.start(port=0, seed="empty", profile=profile, rate_limit=(10, 2.0)) as sb:
        async with Twenty(
            sb.url, sb.api_key, profile=profile, budget=LocalBudget(shape, margin=MARGIN)
        ) as twenty:
            await twenty.object_names("company")  # /metadata: not charged
            drain(sb)
            result = await upsert_many(
                twenty, "company", rows(12), batch_size=1, concurrency=IN_FLIGHT
            )
        stored = domains(sb)
    assert 1 <= sb.stats["throttled"] <= IN_FLIGHT
    assert result.stats.throttles == sb.stats["throttled"]
    assert result.stats.landed == 12 and len(stored) == 12 and set(stored.values()) == {1}


async def test_a_wrong_profile_costs_one_throttle_episode_then_the_server_budget_is_learned() -> (
    None
):
    told = Shape(10, 1.0)  # the profile's guess: 10 a second
    async with Sandbox.start(port=0, seed="empty", rate_limit=(5, 1.0)) as sb:  # the truth: 5
        async with Twenty(sb.url, sb.api_key, budget=LocalBudget(told, margin=MARGIN)) as twenty:
            seen: list[Event] = []
            twenty.events.subscribe(seen.append)
            result = await upsert_many(
                twenty, "company", rows(20), batch_size=1, concurrency=IN_FLIGHT
            )
            assert twenty.budget.shape == Shape(5, 1.0)
        stored = domains(sb)
    learned = [event for event in seen if isinstance(event, BudgetLearnedEvent)]
    assert learned == [BudgetLearnedEvent(5, 1.0, 10, 1.0)]
    assert 1 <= sb.stats["throttled"] <= IN_FLIGHT
    assert result.stats.landed == 20 and len(stored) == 20


async def test_a_newer_server_retry_hint_is_honoured() -> None:
    shape = Shape(10, 1.0)
    async with Sandbox.start(
        port=0, seed="empty", rate_limit=(10, 1.0), rate_limit_style="retry-after"
    ) as sb:
        async with Twenty(sb.url, sb.api_key, budget=LocalBudget(shape, margin=MARGIN)) as twenty:
            seen: list[Event] = []
            twenty.events.subscribe(seen.append)
            await twenty.object_names("company")
            drain(sb)
            result = await upsert_many(
                twenty, "company", rows(15), batch_size=1, concurrency=IN_FLIGHT
            )
        stored = domains(sb)
    assert 1 <= sb.stats["throttled"] <= IN_FLIGHT
    assert not [event for event in seen if isinstance(event, BudgetLearnedEvent)]
    assert result.stats.landed == 15 and len(stored) == 15


async def test_a_throttle_that_outlasts_the_patience_stops_the_job() -> None:
    async with (
        Sandbox.start(port=0, seed="empty", rate_limit=(1, 100.0)) as sb,
        Twenty(sb.url, sb.api_key, rate_limit=(1, 100.0)) as twenty,
    ):
        await twenty.object_names("company")
        drain(sb)
        with pytest.raises(JobAborted) as aborted:
            await upsert_many(
                twenty, "company", rows(3), batch_size=1, retry=RetryPolicy(patience=0.3)
            )
        stored = sb.store.count("company")
    cause = aborted.value.cause
    assert isinstance(cause, RateLimitedError)
    assert cause.gave_up_after is not None and cause.gave_up_after >= 0.3
    assert aborted.value.result.stats.landed == 0 and stored == 0


async def test_a_spent_quota_stops_the_import_at_once_with_the_server_words(
    tmp_path: Path,
) -> None:
    path = tmp_path / "companies.csv"
    write_companies_csv(path, 100)
    journal = tmp_path / "import.journal"
    quota = ("QUOTA_EXHAUSTED", 3)
    async with Sandbox.start(port=0, seed="empty", rate_limit=None, quota=quota) as sb:
        run = await run_cli(
            "import", "company", str(path), "--batch-size", "10", "--concurrency", "1",
            "--journal", str(journal), "--quiet",
            env=cli_env(sb),
        )  # fmt: skip
        charged, stored = sb.stats["charged"], sb.store.count("company")
    assert run.code == 3, run.stderr
    assert "QuotaExhaustedError: BatchUpsertCompanies: Usage quota exhausted" in run.stderr
    assert "rerun the same command to resume" in run.stderr
    assert journal.exists()  # kept for a later resume
    # three batches landed, the fourth was refused once and never sent again
    assert charged == 4 and stored == 30


async def test_the_quota_error_is_final_for_the_runtime() -> None:
    async with (
        Sandbox.start(port=0, seed="empty", rate_limit=None, quota=("STOCK_EXHAUSTED", 0)) as sb,
        Twenty(sb.url, sb.api_key) as twenty,
    ):
        with pytest.raises(QuotaExhaustedError) as raised:
            await twenty.execute("query { companies(first: 1) { totalCount } }")
        assert sb.stats["requests"] == 1
    assert raised.value.code == "STOCK_EXHAUSTED"
    assert raised.value.server_message == "This workspace has reached its storage limit."


async def test_the_import_summary_says_what_the_server_budget_really_is(tmp_path: Path) -> None:
    path = tmp_path / "companies.csv"
    write_companies_csv(path, 60)
    window = 3.0  # the profile says 100 calls per 3 s; the workspace allows 50
    async with Sandbox.start(port=0, seed="empty", rate_limit=(50, window)) as sb:
        run = await run_cli(
            "import", "company", str(path), "--batch-size", "1", "--quiet",
            "--window-seconds", str(window), "--budget", "memory://",
            env=cli_env(sb),
        )  # fmt: skip
        stored, throttled = domains(sb), sb.stats["throttled"]
    assert run.code == 0, run.stderr
    assert "the server's budget is 50 calls / 3 s, not the profile's 100" in run.stdout
    assert 1 <= throttled <= 4  # one episode: the calls in flight when the server ran dry
    assert len(stored) == 60 and set(stored.values()) == {1}


async def test_a_budget_url_no_store_serves_is_a_usage_error(tmp_path: Path) -> None:
    path = tmp_path / "companies.csv"
    write_companies_csv(path, 1)
    run = await run_cli(
        "import", "company", str(path), "--budget", "http://user:secret@127.0.0.1:6379",
        env=cli_env(None, TWENTY_API_URL="http://127.0.0.1:1", TWENTY_API_KEY="k"),
    )  # fmt: skip
    assert run.code == 2
    assert "--budget: budget URL scheme 'http' is not supported" in run.stderr
    assert "secret" not in run.stderr


async def test_the_sandbox_command_can_start_with_a_drained_budget() -> None:
    from tests.sandbox.test_cli import start, stop

    proc, url, key = await start("--rate-limit", "3/30", "--budget-start", "drained")
    try:
        async with Twenty(url, key, rate_limit=(3, 30.0)) as twenty:
            with pytest.raises(RateLimitedError) as refused:
                await twenty.execute(
                    "query { companies(first: 1) { totalCount } }", retry=RetryPolicy(patience=0)
                )
    finally:
        await stop(proc)
    assert refused.value.capacity == 3 and refused.value.window == 30.0


async def test_two_buckets_are_learned_one_throttle_each_and_every_row_lands_once() -> None:
    # Twenty's short and long limits, lowered as in sequence 82 and scaled: the short bucket
    # refills every 50 ms, the long one every 100 ms; the client believes one bucket of 40 ms
    short, long = (5, 0.25), (12, 1.2)
    profile = CLOUD.scaled(window_seconds=4.0)
    async with Sandbox.start(port=0, seed="empty", profile=profile, rate_limit=[short, long]) as sb:
        budget = LocalBudget(Shape.of(profile), margin=MARGIN)
        async with Twenty(sb.url, sb.api_key, profile=profile, budget=budget) as twenty:
            seen: list[Event] = []
            twenty.events.subscribe(seen.append)
            result = await upsert_many(
                twenty, "company", rows(30), batch_size=1, concurrency=IN_FLIGHT
            )
        stored = domains(sb)
    learned = [event for event in seen if isinstance(event, BudgetLearnedEvent)]
    # the short bucket refuses the burst first, then the long one, which governs the pace
    assert [(event.capacity, event.window) for event in learned] == [short, long]
    assert budget.shape == Shape(*long)
    # one learning episode per bucket, each costing at most the calls in flight
    assert 1 <= sb.stats["throttled"] <= 2 * IN_FLIGHT
    assert result.stats.landed == 30 and len(stored) == 30
