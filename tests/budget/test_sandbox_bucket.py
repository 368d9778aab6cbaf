"""The sandbox's bucket is Twenty 2.21's: the recorded rate-limit sequences replayed over HTTP.

Each request is sent to a real sandbox on loopback while the bucket's clock is set to the time
the request reached the real server (sequences 77, 78, 226), so the replay is exact: which
calls pass, which are throttled, the throttle message, and the bucket's state (tokens,
lastRefillAt) before and after each charged or uncharged request.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from tests.sandbox.conftest import Client, Reply
from twenty_gql.sandbox import Sandbox
from twenty_gql.sandbox.ratelimit import BucketSet, ContinuousBucket, TwentyBucket

Q = "{ companies(first: 1) { totalCount } }"
MESSAGE = "Limit reached (100 tokens per 60000 ms)"


def sequence(reference_dir: Path, name: str) -> dict[str, Any]:
    found = json.loads((reference_dir / "sequences" / name).read_text())
    assert isinstance(found, dict)
    return found


class Clocked:
    """A sandbox client that sets the bucket's clock (ms) before each request."""

    def __init__(self, client: Client, sandbox: Sandbox) -> None:
        self.client = client
        self.sandbox = sandbox
        self.now = 0.0
        assert sandbox.budget is not None
        sandbox.budget.clock = lambda: self.now

    @property
    def state(self) -> dict[str, float | None]:
        budget = self.sandbox.budget
        assert budget is not None
        return {"tokens": budget.tokens, "lastRefillAt": budget.last_refill_at}

    def set_state(self, state: dict[str, float]) -> None:
        budget = self.sandbox.budget
        assert budget is not None
        budget.tokens, budget.last_refill_at = state["tokens"], state["lastRefillAt"]

    async def post(self, at: float, query: str = Q, endpoint: str = "/graphql") -> Reply:
        self.now = at
        return await self.client.post(query, endpoint=endpoint)


def throttled(reply: Reply) -> bool:
    return reply.codes == [("BAD_USER_INPUT", "LIMIT_REACHED")]


@pytest.fixture
async def clocked() -> AsyncIterator[Clocked]:
    async with (
        Sandbox.start(port=0, profile="self-hosted", rate_limit=(100, 60.0)) as sb,
        aiohttp.ClientSession() as session,
    ):
        yield Clocked(Client(session, sb, sb.api_key), sb)


async def test_77_a_burst_of_130_passes_100_then_refuses(
    reference_dir: Path, clocked: Clocked
) -> None:
    recorded = sequence(reference_dir, "77-ratelimit-default-burst-130.json")["sequence"]
    replies = [await clocked.post(step["t_ms"]) for step in recorded]
    assert [throttled(r) for r in replies] == [step["throttled_or_error"] for step in recorded]
    assert sum(throttled(r) for r in replies) == 30
    assert replies[-1].errors[0]["message"] == MESSAGE
    assert replies[-1].data == {"companies": None}


async def test_78_after_draining_one_call_passes_every_600_ms(
    reference_dir: Path, clocked: Clocked
) -> None:
    recorded = sequence(reference_dir, "78-ratelimit-default-refill-sequence.json")["sequence"]
    for i in range(100):  # the burst that drained the bucket, ending just before the throttle
        assert not throttled(await clocked.post(-100.0 + i))
    assert throttled(await clocked.post(0.0))
    replies = [await clocked.post(step["ms_after_first_throttle"]) for step in recorded]
    assert [not throttled(r) for r in replies] == [step["ok"] for step in recorded]
    assert [r.errors[0]["message"] if r.errors else None for r in replies] == [
        step["msg"] for step in recorded
    ]


async def test_226_phase1_calls_closer_than_600_ms_earn_no_refill_and_metadata_is_free(
    reference_dir: Path, clocked: Clocked
) -> None:
    phase = sequence(reference_dir, "226-ratelimit-metadata-and-syntax-error-charging.json")[
        "phase1"
    ]
    calls = phase["graphql_100"]
    base = phase["bucket_after_100_graphql"]["lastRefillAt"] - calls[-1]["t_ms"]
    clocked.set_state(phase["bucket_before"])
    for call in calls:  # 100 calls over 3.06 s: a continuous refill would have earned 5
        assert not throttled(await clocked.post(base + call["t_ms"]))
    assert clocked.state == phase["bucket_after_100_graphql"]
    metadata = await clocked.post(
        base + phase["metadata_call"]["t_ms"], "{ currentWorkspace { id } }", "/metadata"
    )
    assert metadata.errors == []
    assert clocked.state == phase["bucket_after_metadata"]
    after = await clocked.post(base + phase["graphql_after_metadata"]["t_ms"])
    assert throttled(after) and after.errors[0]["message"] == MESSAGE
    assert clocked.state == phase["bucket_after_throttled_graphql"]


async def test_226_phase2_syntax_errors_are_not_charged(
    reference_dir: Path, clocked: Clocked
) -> None:
    phase = sequence(reference_dir, "226-ratelimit-metadata-and-syntax-error-charging.json")[
        "phase2"
    ]
    clocked.set_state(phase["bucket_before"])
    base = phase["bucket_before"]["lastRefillAt"] + 70_000  # after 70 s idle
    for i in range(100):
        reply = await clocked.post(base + i, "{ companies(first: 1) { totalCount }")
        assert reply.errors[0]["message"] == phase["syntax_error_response_message"][0]
    assert clocked.state == phase["bucket_before"]
    steps = phase["valid_sequence"]
    replies = [await clocked.post(base + step["t_ms"]) for step in steps]
    refused = [step["i"] for step, reply in zip(steps, replies, strict=True) if throttled(reply)]
    assert refused == phase["valid_requests_throttled_indexes"]
    assert clocked.state["tokens"] == phase["bucket_after"]["tokens"]


async def test_226_phase3_what_is_charged(reference_dir: Path, clocked: Clocked) -> None:
    results = sequence(reference_dir, "226-ratelimit-metadata-and-syntax-error-charging.json")[
        "phase3"
    ]["results"]
    observed, expected = [], []
    for result in results:
        before, after = result["bucket_before"], result["bucket_after"]
        clocked.set_state(before)
        at = after["lastRefillAt"] if result["bucket_written"] else before["lastRefillAt"] + 1300
        await clocked.post(at, result["query"], result["endpoint"])
        observed.append((result["category"], clocked.state))
        expected.append((result["category"], after))
    assert observed == expected


THREE_ROOTS = (
    "{ companies(first: 1) { totalCount } opportunities(first: 1) { totalCount }"
    " people(first: 1) { totalCount } }"
)


async def test_82_two_buckets_each_charged_and_the_refusing_one_named(
    reference_dir: Path,
) -> None:
    recorded = sequence(reference_dir, "82-ratelimit-lowered-sequence-summary.json")["sequence"]
    async with (
        Sandbox.start(port=0, profile="self-hosted", rate_limit=[(5, 2.0), (12, 30.0)]) as sb,
        aiohttp.ClientSession() as session,
    ):
        clocked = Clocked(Client(session, sb, sb.api_key), sb)
        assert isinstance(sb.budget, BucketSet)
        long = sb.budget.buckets[1]
        replies = []
        for step in recorded:
            three = step["label"].startswith("3-root")
            replies.append(await clocked.post(step["ms"], THREE_ROOTS if three else Q))
            if three:
                # NOTES.md (n): each root resolver throttles with a read-then-write that is not
                # atomic, so concurrent resolvers share tokens; in this run the three roots cost
                # the long bucket two (sequence 83 saw one). The sandbox charges one a request.
                long.tokens -= 1
    assert [r.errors[0]["message"] if r.errors else None for r in replies] == [
        step["errors"][0] if step["errors"] else None for step in recorded
    ]
    assert [[k for k, v in (r.data or {}).items() if v is not None] for r in replies] == [
        step["data_keys_non_null"] for step in recorded
    ]


def test_2_21_buckets_charge_each_other_on_refusal_and_newer_ones_all_or_none() -> None:
    now = [0.0]

    def clock() -> float:
        return now[0]

    old = BucketSet([TwentyBucket(1, 10.0, clock=clock), TwentyBucket(3, 10.0, clock=clock)])
    assert old.try_take() and not old.try_take()
    assert old.message == "Limit reached (1 tokens per 10000 ms)"
    assert old.buckets[1].tokens == 1  # the refused call still took the long bucket's token
    new = BucketSet(
        [ContinuousBucket(1, 10.0, clock=clock), ContinuousBucket(3, 10.0, clock=clock)]
    )
    assert new.try_take() and not new.try_take()
    assert new.buckets[1].tokens == 2  # atomic: the refused call took nothing
    now[0] = 5_000.0  # half a short token, a token and a half of the long bucket
    assert new.retry_after_ms() == 5_000
    assert new.describe() == "1 calls / 10 s + 3 calls / 10 s"
