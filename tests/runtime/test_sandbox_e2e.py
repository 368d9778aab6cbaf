"""End to end against the sandbox (a Twenty-compatible server on 127.0.0.1): the typed clients,
errors from a live server, its token bucket, injected faults, and pagination during inserts."""

from __future__ import annotations

import asyncio
import random
from dataclasses import replace
from typing import Any

import pytest

from twenty_gql import errors as e
from twenty_gql.base_client import BaseClient, Runtime
from twenty_gql.budget import NoBudget, Shape
from twenty_gql.client import Twenty
from twenty_gql.events import Event, RetryEvent, ThrottleEvent
from twenty_gql.profiles import CLOUD
from twenty_gql.retry import NO_RETRY, RetryPolicy
from twenty_gql.sandbox import FaultConfig, Sandbox

FAST = RetryPolicy(max_attempts=6, base_delay=0.005, max_delay=0.02)
COUNT = "query Count($filter: CompanyFilterInput) { companies(filter: $filter) { totalCount } }"


def _inputs(names: list[str], domain: bool = True) -> list[Any]:
    from twenty_gql.generated.core.input_types import CompanyCreateInput, LinksCreateInput

    return [
        CompanyCreateInput(
            name=name,
            domain_name=LinksCreateInput(primary_link_url=f"https://{name.lower()}.example")
            if domain
            else None,
        )
        for name in names
    ]


async def _count(twenty: Twenty, prefix: str) -> int:
    data = await twenty.execute(COUNT, {"filter": {"name": {"like": f"{prefix}%"}}})
    total: int = data["companies"]["totalCount"]
    return total


# --- errors from a live server --------------------------------------------------------------


async def test_errors_from_the_sandbox(twenty_sandbox: Sandbox) -> None:
    from twenty_gql.generated.core.input_types import CompanyUpdateInput

    async with Twenty(twenty_sandbox.url, twenty_sandbox.api_key, rate_limit="off") as twenty:
        created = await twenty.core.create_companies(data=_inputs(["Dupco"]))
        dup_id = created.create_companies[0].id

        with pytest.raises(e.ConflictError) as conflict:
            await twenty.core.create_companies(data=_inputs(["Dupco"]))
        assert conflict.value.conflicting_record_id == str(dup_id)

        with pytest.raises(e.TooManyRecordsError) as too_many:
            await twenty.core.create_companies(data=_inputs([f"n{i}" for i in range(61)]))
        assert too_many.value.limit == CLOUD.records_per_call == 60
        assert too_many.value.operation_name == "CreateCompanies"

        with pytest.raises(e.NotFoundError) as missing:
            await twenty.core.update_company(
                id="00000000-0000-4000-8000-000000000000", data=CompanyUpdateInput(name="x")
            )
        assert missing.value.data is not None

        with pytest.raises(e.PermissionDeniedError):
            reader = Twenty(twenty_sandbox.url, twenty_sandbox.issue_api_key("read-only"))
            async with reader:
                await reader.execute(
                    'mutation { createCompany(data: {name: "x"}) { id } }',
                    retry=NO_RETRY,
                )

    async with Twenty(twenty_sandbox.url, "not-a-key", rate_limit="off") as stranger:
        with pytest.raises(e.AuthenticationError) as auth:
            await stranger.core.list_companies(first=1)
        assert auth.value.user_friendly_message == (
            "You must be authenticated to perform this action."
        )

    anonymous = Runtime(twenty_sandbox.url, None, budget=NoBudget(Shape(100, 60.0)))
    try:
        with pytest.raises(e.AuthenticationError):
            await BaseClient(anonymous).execute("{ companies { totalCount } }")
        with pytest.raises(e.PermissionDeniedError):
            await BaseClient(anonymous, "/metadata").execute(
                "{ objects { edges { node { id } } } }"
            )
    finally:
        await anonymous.close()


# --- the server's token bucket ---------------------------------------------------------------

CAPACITY, WINDOW = 10, 0.25
PROFILE = replace(CLOUD, calls_per_window=CAPACITY, window_seconds=WINDOW)


@pytest.mark.parametrize("style", ["twenty", "retry-after"])
async def test_right_after_a_drain_the_burst_costs_at_most_the_calls_in_flight(
    style: str,
) -> None:
    async with Sandbox.start(port=0, rate_limit=(CAPACITY, WINDOW), rate_limit_style=style) as sb:
        async with Twenty(sb.url, sb.api_key, rate_limit="off", retry=NO_RETRY) as other:
            # Another program spends the whole budget just before our client starts.
            for _ in range(CAPACITY):
                await other.execute(COUNT)
        async with Twenty(sb.url, sb.api_key, profile=PROFILE) as twenty:
            await asyncio.gather(*(twenty.execute(COUNT) for _ in range(2 * CAPACITY)))
            for _ in range(5):
                await twenty.execute(COUNT)
        # The client starts full (a quiet workspace would give the burst): the drained server
        # refuses what was in flight, every refused call is sent again, paced from there.
        assert 1 <= twenty.runtime.throttled <= 2 * CAPACITY
        assert sb.stats["throttled"] == twenty.runtime.throttled
        assert sb.stats["executed"] == 3 * CAPACITY + 5


@pytest.mark.parametrize("style", ["twenty", "retry-after"])
async def test_a_greedy_neighbour_only_delays_the_client(style: str) -> None:
    async with Sandbox.start(port=0, rate_limit=(CAPACITY, WINDOW), rate_limit_style=style) as sb:
        seen: list[Event] = []
        async with (
            Twenty(sb.url, sb.api_key, profile=PROFILE, rate_limit="off") as greedy,
            Twenty(sb.url, sb.api_key, profile=PROFILE) as polite,
        ):
            polite.events.subscribe(seen.append)

            async def polite_work() -> None:
                for chunk in range(4):
                    names = [f"Polite{chunk}x{i}" for i in range(3)]
                    # Plain creates: a throttled one was not executed, so it is sent again.
                    await polite.core.create_companies(data=_inputs(names))

            await asyncio.gather(polite_work(), *(greedy.execute(COUNT) for _ in range(30)))
            assert await _count(polite, "Polite") == 12
        throttles = [x for x in seen if isinstance(x, ThrottleEvent)]
        assert throttles and polite.runtime.throttled == len(throttles)
        assert sb.stats["throttled"] >= len(throttles)


# --- injected faults ---------------------------------------------------------------------------


async def test_reads_survive_5xx_drops_and_timeouts() -> None:
    faults = FaultConfig(seed=3, error_5xx=0.2, drop=0.15, delay=0.1, delay_seconds=1.0)
    async with Sandbox.start(port=0, rate_limit=None, faults=faults) as sb:
        seen: list[Event] = []
        from twenty_gql.transport import Timeouts

        async with Twenty(
            sb.url,
            sb.api_key,
            rate_limit="off",
            retry=replace(FAST, max_attempts=10),
            timeouts=Timeouts(total=0.3, connect=1.0, read=None),
        ) as twenty:
            twenty.events.subscribe(seen.append)
            for _ in range(25):
                page = await twenty.core.list_companies(first=5)
                assert page.companies is not None and len(page.companies.edges) == 5
        retried = {x.error for x in seen if isinstance(x, RetryEvent)}
        assert {"ServerError", "TransportError", "RequestTimeoutError"} <= retried
        assert sb.stats["fault_drop"] and sb.stats["fault_delay"]


async def test_a_write_that_may_have_happened_is_retried_only_when_idempotent() -> None:
    faults = FaultConfig(seed=1, drop_after_write=1.0, mutations_only=True)
    async with (
        Sandbox.start(port=0, rate_limit=None, faults=faults) as sb,
        Twenty(sb.url, sb.api_key, rate_limit="off", retry=FAST) as twenty,
    ):
        # A plain create is executed, the answer lost: not retried (it would duplicate).
        with pytest.raises(e.TransportError):
            await twenty.core.create_companies(data=_inputs(["Onceco"], domain=False))
        assert sb.stats["executed"] == 1
        assert await _count(twenty, "Onceco") == 1

        # An upsert by key is retried: every attempt lands on the same record.
        with pytest.raises(e.TransportError):
            await twenty.core.create_companies(data=_inputs(["Upsco"]), upsert=True)
        assert sb.stats["executed"] == 2 + FAST.max_attempts
        assert await _count(twenty, "Upsco") == 1


# --- pagination while another client inserts --------------------------------------------------


@pytest.mark.parametrize("mode", ["cursor", "keyset"])
async def test_pagination_while_another_client_inserts(twenty_sandbox: Sandbox, mode: str) -> None:
    rng = random.Random(5)
    async with (
        Twenty(twenty_sandbox.url, twenty_sandbox.api_key, rate_limit="off") as reader,
        Twenty(twenty_sandbox.url, twenty_sandbox.api_key, rate_limit="off") as writer,
    ):
        for chunk in range(3):
            names = [f"Pre{rng.randrange(10**6):06d}c{chunk}i{i}" for i in range(40)]
            await writer.core.create_companies(data=_inputs(names))
        before = set()
        async for company in reader.paginate(reader.core.list_companies, page_size=60):
            before.add(company.id)
        assert len(before) >= 140

        seen: list[Any] = []
        inserted = 0
        async for company in reader.paginate(
            reader.core.list_companies,
            page_size=17,
            mode=mode,  # type: ignore[arg-type]
        ):
            seen.append(company.id)
            if len(seen) % 17 == 5:
                names = [f"New{rng.randrange(10**6):06d}n{inserted + i}" for i in range(4)]
                await writer.core.create_companies(data=_inputs(names))
                inserted += 4
    assert inserted >= 32
    assert len(seen) == len(set(seen)), "a record was yielded twice"
    assert before <= set(seen), "a record that existed before was missed"
