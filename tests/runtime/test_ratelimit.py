"""The client's token bucket: start, burst, refill rate, FIFO fairness with cost > 1."""

from __future__ import annotations

import asyncio

import pytest

from tests.runtime.conftest import CANARY_KEY
from tests.runtime.replay import ReplayServer, Reply
from twenty_gql.client import Twenty
from twenty_gql.ratelimit import NoLimit, RateLimiter, TokenBucket

LIST = "{ companies(first: 1) { edges { node { id } } } }"


async def _times(bucket: TokenBucket, n: int, cost: float = 1) -> list[float]:
    loop = asyncio.get_running_loop()
    start = loop.time()
    out = []
    for _ in range(n):
        await bucket.acquire(cost)
        out.append(loop.time() - start)
    return out


async def test_a_fresh_bucket_starts_empty() -> None:
    bucket = TokenBucket(10, 0.5)  # one token every 50 ms
    times = await _times(bucket, 3)
    assert times[0] >= 0.045
    assert times[2] >= 0.145


async def test_a_full_bucket_allows_the_burst_then_the_rate() -> None:
    bucket = TokenBucket(5, 0.25, initial_tokens=5)  # one token every 50 ms
    times = await _times(bucket, 7)
    assert max(times[:5]) < 0.03
    assert times[5] >= 0.045
    assert times[6] >= 0.095


async def test_the_rate_holds_over_many_calls() -> None:
    bucket = TokenBucket(20, 0.2, initial_tokens=20)  # 100 tokens a second
    loop = asyncio.get_running_loop()
    start = loop.time()
    await asyncio.gather(*(bucket.acquire() for _ in range(50)))
    elapsed = loop.time() - start
    # 20 from the burst, 30 refilled at 100/s: at least 0.3 s.
    assert elapsed >= 0.295


async def test_waiters_are_served_in_arrival_order_whatever_their_cost() -> None:
    bucket = TokenBucket(4, 0.2)  # 20 tokens a second, starts empty
    order: list[str] = []

    async def take(name: str, cost: float) -> None:
        await bucket.acquire(cost)
        order.append(name)

    tasks = [asyncio.create_task(take("big", 3))]
    await asyncio.sleep(0)
    tasks += [asyncio.create_task(take(f"small{i}", 1)) for i in range(4)]
    await asyncio.gather(*tasks)
    assert order == ["big", "small0", "small1", "small2", "small3"]


async def test_a_newcomer_does_not_jump_the_queue() -> None:
    bucket = TokenBucket(2, 0.1)  # 20 tokens a second
    order: list[str] = []

    async def take(name: str, cost: float) -> None:
        await bucket.acquire(cost)
        order.append(name)

    first = asyncio.create_task(take("waiting-for-2", 2))
    await asyncio.sleep(0.06)  # about 1.2 tokens accumulated: enough for a cost-1 newcomer
    late = asyncio.create_task(take("newcomer", 1))
    await asyncio.gather(first, late)
    assert order == ["waiting-for-2", "newcomer"]


async def test_a_cancelled_waiter_gives_nothing_away() -> None:
    bucket = TokenBucket(10, 1.0)  # 10 a second
    waiter = asyncio.create_task(bucket.acquire(5))
    await asyncio.sleep(0.01)
    waiter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiter
    times = await _times(bucket, 1)
    assert times[0] < 0.3  # the cancelled cost-5 request (0.5 s of refill) did not hold the queue


async def test_drain_empties_the_bucket() -> None:
    bucket = TokenBucket(10, 0.5, initial_tokens=10)
    bucket.drain()
    assert bucket.tokens < 0.5
    times = await _times(bucket, 1)
    assert times[0] >= 0.045


async def test_cost_above_capacity_is_refused() -> None:
    with pytest.raises(ValueError, match="capacity"):
        await TokenBucket(3, 1.0).acquire(4)
    with pytest.raises(ValueError, match="initial_tokens"):
        TokenBucket(3, 1.0, initial_tokens=4)


def test_limiters_satisfy_the_protocol() -> None:
    assert isinstance(TokenBucket(1, 1), RateLimiter)
    assert isinstance(NoLimit(), RateLimiter)


class CountingLimiter:
    def __init__(self) -> None:
        self.costs: list[float] = []

    async def acquire(self, cost: float = 1) -> None:
        self.costs.append(cost)


async def test_only_graphql_calls_are_charged(replay: ReplayServer) -> None:
    replay.default = Reply.data({"a": 1})
    limiter = CountingLimiter()
    async with Twenty(replay.url, CANARY_KEY, rate_limit=limiter) as twenty:
        await twenty.execute(LIST)
        await twenty.execute("{ objects { edges { node { id } } } }", endpoint="/metadata")
        await twenty.execute("{ a { id } b { id } }")
    assert limiter.costs == [1, 2]
    assert twenty.runtime.consumed == 3
    assert [r.path for r in replay.received] == ["/graphql", "/metadata", "/graphql"]


async def test_rate_limit_off_never_waits(replay: ReplayServer) -> None:
    replay.default = Reply.data({"a": 1})
    async with Twenty(replay.url, CANARY_KEY, rate_limit="off") as twenty:
        assert isinstance(twenty.limiter, NoLimit)
        await asyncio.wait_for(asyncio.gather(*(twenty.execute(LIST) for _ in range(20))), 5)
    assert len(replay.received) == 20
