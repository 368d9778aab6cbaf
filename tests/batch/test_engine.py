from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path

import pytest

from tests.batch.fakes import FakeServer
from twenty_gql.batch import (
    InputRow,
    JobAborted,
    Journal,
    RecordLimit,
    Rejection,
    RejectionKind,
    RowStatus,
    UpsertOptions,
    default_unique_keys,
    record_status,
    run_upsert,
)

PEOPLE = default_unique_keys("person")


def person(i: int, email: str | None = None, **extra: object) -> dict[str, object]:
    return {"emails": {"primaryEmail": email or f"p{i}@x.io"}, "jobTitle": f"t{i}", **extra}


def inputs(datas: list[dict[str, object]]) -> list[InputRow]:
    return [InputRow(i, dict(d), line=i + 2) for i, d in enumerate(datas)]


async def test_outcomes_come_back_one_per_row_in_input_order_with_created_and_updated() -> None:
    server = FakeServer(PEOPLE, delay=0.002, seed=1)
    server.records["pre"] = {
        "id": "pre",
        "emails": {"primaryEmail": "p5@x.io"},
        "createdAt": "2025-01-01T00:00:00+00:00",
        "updatedAt": "2025-01-01T00:00:00+00:00",
    }
    result = await run_upsert(
        inputs([person(i) for i in range(200)]),
        server,
        keys=PEOPLE,
        limit=RecordLimit(7),
        options=UpsertOptions(window=5),
    )
    assert [o.index for o in result.outcomes] == list(range(200))
    assert [o.line for o in result.outcomes] == [i + 2 for i in range(200)]
    statuses = Counter(o.status for o in result.outcomes)
    assert statuses == {RowStatus.CREATED: 199, RowStatus.UPDATED: 1}
    assert result.outcomes[5].status is RowStatus.UPDATED and result.outcomes[5].id == "pre"
    assert result.stats.created == 199 and result.stats.updated == 1
    assert result.stats.calls == server.calls == 29
    assert len(server.records) == 200


async def test_the_later_of_two_rows_with_one_key_wins_even_with_batches_racing() -> None:
    for seed in range(5):
        server = FakeServer(PEOPLE, delay=0.003, seed=seed)
        datas = [person(i) for i in range(60)]
        datas += [person(i, email=f"P{i}@X.IO", jobTitle=f"second {i}") for i in range(0, 60, 3)]
        result = await run_upsert(
            inputs(datas),
            server,
            keys=PEOPLE,
            limit=RecordLimit(8),
            options=UpsertOptions(window=6),
        )
        assert result.ok
        assert len(server.records) == 60
        titles = {
            r["emails"]["primaryEmail"].lower(): r["jobTitle"] for r in server.records.values()
        }
        for i in range(0, 60, 3):
            assert titles[f"p{i}@x.io"] == f"second {i}"
        assert max(server.batch_sizes) <= 8


async def test_invalid_rows_are_reported_with_their_line_and_do_not_stop_valid_ones() -> None:
    server = FakeServer(PEOPLE, bad_field="notAField")
    rows = inputs([person(i, notAField=(i % 50 == 7)) for i in range(300)])
    rows[100] = InputRow(
        100,
        None,
        line=102,
        error=Rejection(
            RejectionKind.CONTENT, "'many' is not a number", code="CLIENT_VALIDATION", field="x"
        ),
    )
    result = await run_upsert(rows, server, keys=PEOPLE, limit=RecordLimit(60))
    failed = {o.index: o for o in result.failures}
    assert set(failed) == {7, 57, 100, 107, 157, 207, 257}
    assert failed[57].line == 59 and failed[57].sub_code == "INVALID_ARGS_DATA"
    assert failed[100].field == "x" and failed[100].code == "CLIENT_VALIDATION"
    assert result.stats.created == 293 and len(server.records) == 293


async def test_rows_without_any_key_get_a_stable_id_so_a_rerun_does_not_duplicate() -> None:
    server = FakeServer(default_unique_keys("company"))
    rows = [{"name": f"n{i}"} for i in range(10)]
    options = UpsertOptions(job_key="job-1")
    first = await run_upsert(
        inputs(rows),
        server,
        keys=default_unique_keys("company"),
        limit=RecordLimit(4),
        options=options,
    )
    second = await run_upsert(
        inputs(rows),
        server,
        keys=default_unique_keys("company"),
        limit=RecordLimit(4),
        options=options,
    )
    assert len(server.records) == 10
    assert {o.status for o in first.outcomes} == {RowStatus.CREATED}
    assert {o.status for o in second.outcomes} == {RowStatus.UPDATED}
    assert [o.id for o in first.outcomes] == [o.id for o in second.outcomes]


async def test_a_killed_job_resumes_from_its_journal_without_resending_landed_rows(
    tmp_path: Path,
) -> None:
    path = tmp_path / "job.journal"
    datas = [person(i, notAField=(i == 13)) for i in range(100)]
    dying = FakeServer(PEOPLE, bad_field="notAField", fail_after_calls=4)
    journal = await Journal.open(path, "key-1")
    with pytest.raises(JobAborted) as aborted:
        await run_upsert(
            inputs(datas),
            dying,
            keys=PEOPLE,
            limit=RecordLimit(10),
            journal=journal,
            options=UpsertOptions(window=1),
        )
    await journal.close()
    assert isinstance(aborted.value.cause, ConnectionError)
    # Batch 0 (rows 0-9) landed and was journaled; batch 1 died while being split around row 13.
    journaled = {f"p{i}@x.io" for i in range(10)}
    assert journaled <= {r["emails"]["primaryEmail"] for r in dying.sent_rows}

    server = FakeServer(PEOPLE, bad_field="notAField")
    server.records = dict(dying.records)
    journal = await Journal.open(path, "key-1")
    assert journal.resumed and journal.covered_rows == 10
    result = await run_upsert(
        inputs(datas), server, keys=PEOPLE, limit=RecordLimit(10), journal=journal
    )
    await journal.close()
    resent = {r["emails"]["primaryEmail"] for r in server.sent_rows}
    assert not (resent & journaled)
    assert resent == {f"p{i}@x.io" for i in range(10, 100)} - {"p13@x.io"}
    assert len(server.records) == 99
    by_status = Counter(o.status for o in result.outcomes)
    assert by_status[RowStatus.RESUMED] == 10 and by_status[RowStatus.FAILED] == 1
    assert result.failures[0].index == 13 and "notAField" in (result.failures[0].message or "")


async def test_a_fatal_error_aborts_with_the_outcomes_so_far() -> None:
    server = FakeServer(PEOPLE, fail_after_calls=2)
    with pytest.raises(JobAborted) as aborted:
        await run_upsert(
            inputs([person(i) for i in range(50)]),
            server,
            keys=PEOPLE,
            limit=RecordLimit(10),
            options=UpsertOptions(window=1),
        )
    assert aborted.value.result.stats.created == 20


def test_created_and_updated_come_from_the_record_timestamps() -> None:
    same = "2026-11-28T03:56:41.721Z"
    assert record_status({"createdAt": same, "updatedAt": same}) is RowStatus.CREATED
    assert (
        record_status({"createdAt": "2026-11-28T03:56:41.636Z", "updatedAt": same})
        is RowStatus.UPDATED
    )


async def test_an_async_iterable_is_consumed_lazily_within_the_window() -> None:
    server = FakeServer(PEOPLE, delay=0.001)
    produced = 0

    async def stream():  # type: ignore[no-untyped-def]
        nonlocal produced
        for i in range(1000):
            produced += 1
            yield InputRow(i, person(i))
            if i == 100:
                # window 2 x 10 rows + 4 open batches: the reader must not run far ahead.
                assert produced - len(server.sent_rows) <= 10 * (2 + 4) + 1
            await asyncio.sleep(0)

    result = await run_upsert(
        stream(),
        server,
        keys=PEOPLE,
        limit=RecordLimit(10),
        options=UpsertOptions(window=2, keep_outcomes=False),
    )
    assert result.outcomes == [] and result.stats.created == 1000
