from __future__ import annotations

import math

import pytest

from tests.batch.fakes import FakeServer
from twenty_gql.batch.chunking import PlannedRow, RecordLimit
from twenty_gql.batch.dedupe import default_unique_keys
from twenty_gql.batch.isolate import Landed, Refused, land_batch
from twenty_gql.batch.result import JobStats

KEYS = default_unique_keys("company")


BAD = "notAField"


def batch(n: int, bad: set[int] = frozenset()) -> list[PlannedRow]:  # type: ignore[assignment]
    return [PlannedRow(i, {"name": f"c{i}", **({BAD: True} if i in bad else {})}) for i in range(n)]


@pytest.mark.parametrize("bad_at", [0, 17, 31, 59])
async def test_one_bad_row_is_found_alone_and_every_other_row_lands(bad_at: int) -> None:
    server = FakeServer(KEYS, bad_field=BAD)
    stats = JobStats()
    results = await land_batch(batch(60, {bad_at}), server, RecordLimit(60), stats)
    assert [r.row.index for r in results] == list(range(60))
    refused = [r for r in results if isinstance(r, Refused)]
    assert [r.row.index for r in refused] == [bad_at]
    assert refused[0].rejection.message == 'Object company doesn\'t have any "notAField" field.'
    assert refused[0].rejection.sub_code == "INVALID_ARGS_DATA"
    assert len(server.records) == 59
    extra = server.calls - 1
    assert extra <= math.ceil(math.log2(60)) + 1
    assert stats.calls == server.calls


async def test_isolation_costs_log2_plus_one_calls_per_bad_row() -> None:
    for bad_at in range(64):
        server = FakeServer(KEYS, bad_field=BAD)
        await land_batch(batch(64, {bad_at}), server, RecordLimit(64), JobStats())
        assert server.calls - 1 <= math.log2(64) + 1, bad_at


async def test_two_bad_rows_with_messages_naming_nothing_keep_their_own_reasons() -> None:
    rows = batch(16)
    rows[9].data["generic"] = "FIRST"
    rows[10].data["generic"] = "SECOND"
    server = FakeServer(KEYS)
    results = await land_batch(rows, server, RecordLimit(16), JobStats())
    refused = {r.row.index: r.rejection.sub_code for r in results if isinstance(r, Refused)}
    assert refused == {9: "FIRST", 10: "SECOND"}
    assert len(server.records) == 14


async def test_several_bad_rows_are_each_reported_and_valid_rows_all_land() -> None:
    server = FakeServer(KEYS, bad_field=BAD)
    bad = {3, 4, 40, 59}
    results = await land_batch(batch(60, bad), server, RecordLimit(60), JobStats())
    assert {r.row.index for r in results if isinstance(r, Refused)} == bad
    assert {r.row.index for r in results if isinstance(r, Landed)} == set(range(60)) - bad
    assert len(server.records) == 56


async def test_a_lower_server_limit_is_learned_and_no_row_fails_for_it() -> None:
    server = FakeServer(KEYS, limit=25)
    limit = RecordLimit(60)
    stats = JobStats()
    results = await land_batch(batch(60), server, limit, stats)
    assert all(isinstance(r, Landed) for r in results)
    assert limit.value == 25 and stats.learned_limit == 25
    assert server.batch_sizes == [25, 25, 10]
    assert len(server.records) == 60


async def test_a_clean_batch_costs_one_call() -> None:
    server = FakeServer(KEYS)
    stats = JobStats()
    await land_batch(batch(60), server, RecordLimit(60), stats)
    assert server.calls == 1 and stats.isolation_calls == 0
