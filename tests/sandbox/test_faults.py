"""Fault injection: seeded, reproducible, counted, and only on ``/graphql``."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest

from twenty_gql.sandbox import FaultConfig, Sandbox

from .conftest import Client

CREATE = 'mutation { createCompany(data: {name: "Faulty"}) { id } }'


async def outcome(
    session: aiohttp.ClientSession, sb: Sandbox, query: str, limit_s: float = 10.0
) -> str:
    headers = {"Authorization": f"Bearer {sb.api_key}"}
    try:
        async with session.post(
            sb.url + "/graphql",
            json={"query": query},
            headers=headers,
            timeout=aiohttp.ClientTimeout(total=limit_s),
        ) as response:
            await response.read()
            return str(response.status)
    except (aiohttp.ServerDisconnectedError, aiohttp.ClientOSError):
        return "dropped"
    except TimeoutError:
        return "timeout"


async def run(config: FaultConfig, query: str, n: int) -> tuple[list[str], Sandbox]:
    async with Sandbox.start(port=0, rate_limit=None, faults=config) as sb:
        # a fresh connection per request, so a dropped one does not poison the next
        outcomes = []
        for _ in range(n):
            async with aiohttp.ClientSession() as session:
                outcomes.append(await outcome(session, sb, query))
        return outcomes, sb


async def test_5xx_answers_without_executing() -> None:
    outcomes, sb = await run(FaultConfig(seed=3, error_5xx=1.0), CREATE, 6)
    assert set(outcomes) <= {"500", "502"} and len(set(outcomes)) == 2
    assert sb.stats["fault_error_500"] + sb.stats["fault_error_502"] == 6
    assert sb.stats["executed"] == 0


async def test_drop_closes_without_answer_and_without_writing() -> None:
    async with Sandbox.start(port=0, rate_limit=None, faults=FaultConfig(drop=1.0)) as sb:
        before = sb.store.count("company")
        async with aiohttp.ClientSession() as session:
            assert await outcome(session, sb, CREATE) == "dropped"
        assert sb.store.count("company") == before
        assert sb.stats["fault_drop"] == 1


async def test_drop_after_write_commits_then_drops() -> None:
    config = FaultConfig(drop_after_write=1.0)
    async with Sandbox.start(port=0, rate_limit=None, faults=config) as sb:
        before = sb.store.count("company")
        async with aiohttp.ClientSession() as session:
            assert await outcome(session, sb, CREATE) == "dropped"
        assert sb.store.count("company") == before + 1
        assert sb.stats["fault_drop_after_write"] == 1


async def test_delay_past_client_timeout() -> None:
    config = FaultConfig(delay=1.0, delay_seconds=0.6)
    async with Sandbox.start(port=0, rate_limit=None, faults=config) as sb:
        async with aiohttp.ClientSession() as session:
            reply = await outcome(session, sb, "{ companies { totalCount } }", limit_s=0.3)
            assert reply == "timeout"
        await asyncio.sleep(0.4)  # the delayed request still runs; let it finish
        assert sb.stats["fault_delay"] == 1


async def test_same_seed_same_faults_and_metadata_untouched() -> None:
    config = FaultConfig(seed=42, error_5xx=0.3, drop=0.2, drop_after_write=0.2)
    first, sb1 = await run(config, "{ companies(first: 1) { totalCount } }", 20)
    second, sb2 = await run(config, "{ companies(first: 1) { totalCount } }", 20)
    assert first == second
    assert len(set(first)) >= 3  # a mix of answers, not one kind
    assert sb1.stats == sb2.stats
    other, _ = await run(
        FaultConfig(seed=7, error_5xx=0.3, drop=0.2, drop_after_write=0.2),
        "{ companies(first: 1) { totalCount } }",
        20,
    )
    assert other != first
    async with (
        Sandbox.start(port=0, faults=FaultConfig(error_5xx=1.0)) as sb,
        aiohttp.ClientSession() as session,
    ):
        client = Client(session, sb, sb.api_key)
        meta = await client.post("{ currentWorkspace { id } }", endpoint="/metadata")
        assert meta.status == 200 and meta.errors == []


def test_fault_config_rejects_bad_probability() -> None:
    with pytest.raises(ValueError, match="error_5xx"):
        FaultConfig(error_5xx=1.5)
