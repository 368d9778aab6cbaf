"""The upsert engine: stream rows in, keep a bounded window of batches in flight, report rows.

Rows are read one at a time and planned into batches (:mod:`chunking`); at most ``window``
batches are in flight, so memory stays flat however long the input. Each batch is landed by
:func:`~twenty_gql.batch.isolate.land_batch`, journaled, then its rows' outcomes are released in
input order. The engine only talks to a :class:`~twenty_gql.batch.sender.RecordSender`.

Created or updated? The server returns the records but does not say. A record whose
``createdAt`` equals its ``updatedAt`` was created by this call; one whose ``updatedAt`` is later
existed before (an upsert keeps ``createdAt``). A record created and changed again within the
same millisecond would be miscounted as updated; nothing else is.
"""

from __future__ import annotations

import asyncio
import heapq
import time
import uuid
from collections.abc import AsyncIterable, AsyncIterator, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from twenty_gql.batch.chunking import BatchPlanner, PlannedBatch, PlannedRow, RecordLimit
from twenty_gql.batch.dedupe import UniqueKey, key_values
from twenty_gql.batch.isolate import Landed, RowResult, land_batch
from twenty_gql.batch.journal import Journal, JournalFailure
from twenty_gql.batch.result import JobResult, JobStats, RowOutcome, RowStatus
from twenty_gql.batch.sender import RecordSender, Rejection, RejectionKind

__all__ = ["InputRow", "JobAborted", "UpsertOptions", "record_status", "run_upsert"]

T = TypeVar("T")

_ID_NAMESPACE = uuid.UUID("0b7c1a52-7f0e-4d4c-9a64-1d1f9b1e5a20")


@dataclass(slots=True)
class InputRow:
    """A row to upsert. ``error`` set: the row was rejected before sending (bad value)."""

    index: int
    data: dict[str, Any] | None
    line: int | None = None
    error: Rejection | None = None


@dataclass(frozen=True, slots=True)
class UpsertOptions:
    window: int = 4
    """Batches in flight at once."""
    keep_outcomes: bool = True
    """Keep every row's outcome in ``JobResult.outcomes`` (turn off for huge inputs)."""
    assign_ids: bool = True
    """Give rows that carry no unique key a deterministic id (from ``job_key`` and the row's
    index), so a resend after a lost answer or a resumed run updates instead of duplicating."""
    job_key: str | None = None
    max_open_batches: int = 4


class JobAborted(Exception):
    """The job stopped on an error no row could be blamed for (auth, server down).

    ``result`` holds what was reported before it stopped; the journal, if any, lets it resume.
    """

    def __init__(self, result: JobResult, cause: BaseException) -> None:
        super().__init__(str(cause))
        self.result = result
        self.cause = cause


def record_status(record: Mapping[str, Any]) -> RowStatus:
    created, updated = record.get("createdAt"), record.get("updatedAt")
    if created is None or updated is None:
        return RowStatus.UPDATED if created != updated else RowStatus.CREATED
    try:
        same = _instant(created) == _instant(updated)
    except ValueError:
        same = created == updated
    return RowStatus.CREATED if same else RowStatus.UPDATED


def _instant(value: Any) -> datetime:
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))


_EMPTY_ROW = Rejection(RejectionKind.CONTENT, "the row is empty", code="CLIENT_VALIDATION")

OutcomeHook = Callable[[RowOutcome], None]
ProgressHook = Callable[[JobStats], None]


class _OrderedEmitter:
    """Releases outcomes strictly in input order, whatever order batches finish in."""

    def __init__(self, result: JobResult, keep: bool, hook: OutcomeHook | None) -> None:
        self._result = result
        self._keep = keep
        self._hook = hook
        self._next = 0
        self._heap: list[tuple[int, RowOutcome]] = []

    def push(self, outcome: RowOutcome) -> None:
        heapq.heappush(self._heap, (outcome.index, outcome))
        while self._heap and self._heap[0][0] <= self._next:
            self._deliver(heapq.heappop(self._heap)[1])

    def drain(self) -> None:
        while self._heap:
            self._deliver(heapq.heappop(self._heap)[1])

    def _deliver(self, outcome: RowOutcome) -> None:
        self._next = max(self._next, outcome.index + 1)
        self._result.stats.count(outcome)
        if self._keep:
            self._result.outcomes.append(outcome)
        if outcome.status is RowStatus.FAILED:
            self._result.failures.append(outcome)
        if self._hook is not None:
            self._hook(outcome)


def _failed(row: InputRow | PlannedRow, rejection: Rejection | JournalFailure) -> RowOutcome:
    return RowOutcome(
        index=row.index,
        status=RowStatus.FAILED,
        line=row.line,
        code=rejection.code,
        sub_code=rejection.sub_code,
        field=rejection.field,
        message=rejection.message,
    )


def _outcome(result: RowResult) -> RowOutcome:
    row = result.row
    if isinstance(result, Landed):
        record_id = result.record.get("id")
        return RowOutcome(
            index=row.index,
            status=record_status(result.record),
            id=None if record_id is None else str(record_id),
            line=row.line,
        )
    return _failed(row, result.rejection)


async def as_async(rows: AsyncIterable[T] | Iterable[T]) -> AsyncIterator[T]:
    """``rows`` as an async iterable, whichever kind it is."""
    if isinstance(rows, AsyncIterable):
        async for row in rows:
            yield row
    else:
        for row in rows:
            yield row


async def run_upsert(
    rows: AsyncIterable[InputRow] | Iterable[InputRow],
    sender: RecordSender,
    *,
    keys: Sequence[UniqueKey],
    limit: RecordLimit,
    options: UpsertOptions | None = None,
    journal: Journal | None = None,
    stats: JobStats | None = None,
    on_outcome: OutcomeHook | None = None,
    on_progress: ProgressHook | None = None,
) -> JobResult:
    """Upsert every row; return one outcome per row, in input order (see the module doc)."""
    options = options or UpsertOptions()
    if options.window < 1:
        raise ValueError(f"window must be at least 1 (got {options.window})")
    result = JobResult(stats=stats or JobStats())
    job = _Job(result, sender, keys, limit, options, journal, on_outcome, on_progress)
    started = time.monotonic()
    try:
        await job.run(rows)
    except BaseExceptionGroup as group:
        cause = _first_cause(group)
        raise JobAborted(result, cause) from cause
    finally:
        result.stats.elapsed = time.monotonic() - started
    return result


def _first_cause(group: BaseExceptionGroup[BaseException]) -> BaseException:
    for exc in group.exceptions:
        if isinstance(exc, BaseExceptionGroup):
            return _first_cause(exc)
        if not isinstance(exc, asyncio.CancelledError):
            return exc
    return group


@dataclass(slots=True)
class _Job:
    result: JobResult
    sender: RecordSender
    keys: Sequence[UniqueKey]
    limit: RecordLimit
    options: UpsertOptions
    journal: Journal | None
    on_outcome: OutcomeHook | None
    on_progress: ProgressHook | None
    _landed: dict[int, asyncio.Event] = field(default_factory=dict)

    async def run(self, rows: AsyncIterable[InputRow] | Iterable[InputRow]) -> None:
        emitter = _OrderedEmitter(self.result, self.options.keep_outcomes, self.on_outcome)
        planner = BatchPlanner(self.limit, self.keys, max_open=self.options.max_open_batches)
        slots = asyncio.Semaphore(self.options.window)
        job_key = self.options.job_key or uuid.uuid4().hex

        async with asyncio.TaskGroup() as tasks:

            async def launch(batch: PlannedBatch) -> None:
                await slots.acquire()
                self._landed[batch.seq] = asyncio.Event()
                tasks.create_task(self._run_batch(batch, planner, emitter, slots))

            async for row in as_async(rows):
                if self.journal is not None and self.journal.covers(row.index):
                    failure = self.journal.failure(row.index)
                    emitter.push(
                        _failed(row, failure)
                        if failure is not None
                        else RowOutcome(row.index, RowStatus.RESUMED, line=row.line)
                    )
                    continue
                if row.error is not None or row.data is None:
                    emitter.push(_failed(row, row.error or _EMPTY_ROW))
                    continue
                data = row.data
                if self.options.assign_ids and not key_values(data, self.keys):
                    data = {"id": str(uuid.uuid5(_ID_NAMESPACE, f"{job_key}:{row.index}")), **data}
                for batch in planner.add(PlannedRow(row.index, data, row.line)):
                    await launch(batch)
            for batch in planner.flush():
                await launch(batch)
        emitter.drain()

    async def _run_batch(
        self,
        batch: PlannedBatch,
        planner: BatchPlanner,
        emitter: _OrderedEmitter,
        slots: asyncio.Semaphore,
    ) -> None:
        try:
            for earlier in sorted(batch.after):
                event = self._landed.get(earlier)
                if event is not None:
                    await event.wait()
            results = await land_batch(
                batch.rows,
                self.sender,
                self.limit,
                self.result.stats,
            )
            outcomes = [_outcome(result) for result in results]
            if self.journal is not None:
                failures = [
                    (o.index, JournalFailure(o.code, o.sub_code, o.field, o.message or ""))
                    for o in outcomes
                    if o.status is RowStatus.FAILED
                ]
                await self.journal.record([row.index for row in batch.rows], failures)
            planner.landed(batch)
            for outcome in outcomes:
                emitter.push(outcome)
            if self.on_progress is not None:
                self.on_progress(self.result.stats)
        finally:
            event = self._landed.pop(batch.seq, None)
            if event is not None:
                event.set()
            slots.release()
