"""The client against a server's token bucket: alone it is never throttled; sharing the
workspace with a greedy client, it is throttled, waits, retries and finishes without an error."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace

import pytest

from tests.runtime.conftest import CANARY_KEY
from tests.runtime.fake_bucket import BucketServer
from twenty_gql.client import Twenty
from twenty_gql.events import Event, ThrottleEvent
from twenty_gql.profiles import CLOUD

LIST = "query ListCompanies { companies(first: 1) { totalCount } }"
CREATE = "mutation CreateCompany($data: CompanyCreateInput!) { createCompany(data: $data) { id } }"
CAPACITY, WINDOW = 10, 0.25  # one token every 25 ms
PROFILE = replace(CLOUD, calls_per_window=CAPACITY, window_seconds=WINDOW)


@pytest.fixture
async def bucket() -> AsyncIterator[BucketServer]:
    server = BucketServer(CAPACITY, WINDOW)
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


async def test_alone_the_client_is_never_throttled_even_after_someone_drained_the_bucket(
    bucket: BucketServer,
) -> None:
    bucket.drain()  # a previous run just spent the whole budget
    throttles: list[Event] = []
    async with Twenty(bucket.url, CANARY_KEY, profile=PROFILE) as twenty:
        twenty.events.subscribe(lambda ev: isinstance(ev, ThrottleEvent) and throttles.append(ev))
        # Sequential and concurrent calls: 3 windows' worth of budget.
        for _ in range(10):
            await twenty.execute(LIST)
        await asyncio.gather(*(twenty.execute(LIST) for _ in range(20)))
    assert throttles == []
    assert bucket.throttled == 0
    assert bucket.executed == 30


async def test_a_bucket_that_starts_full_would_have_been_throttled(bucket: BucketServer) -> None:
    """The reason the client's bucket starts empty: the server's may not be full."""
    bucket.drain()
    async with Twenty(
        bucket.url,
        CANARY_KEY,
        profile=PROFILE,
        initial_tokens=CAPACITY,
    ) as twenty:
        await asyncio.gather(*(twenty.execute(LIST) for _ in range(20)))
    assert bucket.throttled > 0
    assert twenty.runtime.throttled == bucket.throttled  # each one waited and retried
    assert bucket.executed == 20


async def test_sharing_the_workspace_with_a_greedy_client(bucket: BucketServer) -> None:
    """A greedy client (no client-side limit, everything at once) and a polite one."""
    seen: list[Event] = []
    async with (
        Twenty(bucket.url, CANARY_KEY, profile=PROFILE, rate_limit="off") as greedy,
        Twenty(bucket.url, CANARY_KEY, profile=PROFILE) as polite,
    ):
        polite.events.subscribe(seen.append)

        async def polite_work() -> int:
            done = 0
            for i in range(12):
                # Plain creates: never retried after a fault, but a throttled one was not executed.
                await polite.execute(CREATE, {"data": {"name": f"polite {i}"}})
                done += 1
            return done

        greedy_calls = [greedy.execute(LIST) for _ in range(30)]
        results = await asyncio.gather(polite_work(), *greedy_calls)
    assert results[0] == 12
    assert bucket.executed == 42
    throttled = [x for x in seen if isinstance(x, ThrottleEvent)]
    assert throttled, "the greedy client should have made the polite one wait"
    assert polite.runtime.throttled == len(throttled)
    assert polite.runtime.consumed == 12  # throttled answers are not charged
    assert bucket.throttled >= len(throttled)
