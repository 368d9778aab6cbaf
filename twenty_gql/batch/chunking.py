"""Cutting a stream of rows into batches the server accepts.

:class:`RecordLimit` holds the records a call may carry, and learns a lower one when the server
says so. :class:`BatchPlanner` fills batches up to that limit while keeping rows that share a
unique key in different batches: a later row goes to a later batch, and that batch waits for
the earlier one to land, so the later row wins even with several batches in flight.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from twenty_gql.batch.dedupe import KeyValue, UniqueKey, key_values

__all__ = ["BatchPlanner", "PlannedBatch", "PlannedRow", "RecordLimit", "chunked"]

T = TypeVar("T")


def chunked(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    if size < 1:
        raise ValueError(f"chunk size must be at least 1 (got {size})")
    for start in range(0, len(items), size):
        yield items[start : start + size]


class RecordLimit:
    """Records per call; starts at the profile's ``records_per_call`` and only ever goes down."""

    __slots__ = ("learned", "value")

    def __init__(self, value: int) -> None:
        if value < 1:
            raise ValueError(f"records per call must be at least 1 (got {value})")
        self.value = value
        self.learned: int | None = None

    def learn(self, limit: int) -> None:
        limit = max(1, limit)
        if limit < self.value:
            self.value = limit
            self.learned = limit


@dataclass(slots=True)
class PlannedRow:
    """One row to send: its input position, its source line, and the record data."""

    index: int
    data: dict[str, Any]
    line: int | None = None


@dataclass(slots=True)
class PlannedBatch:
    """Rows sent together. ``after``: batches that must land before this one is sent."""

    seq: int
    rows: list[PlannedRow] = field(default_factory=list)
    after: set[int] = field(default_factory=set)
    keys: set[KeyValue] = field(default_factory=set)


class BatchPlanner:
    """Fills batches from rows in input order. Pure: no I/O, no clock.

    ``add`` returns the batches that became ready (full, or pushed out because too many were
    open); ``flush`` returns the rest at the end of the input; ``landed`` forgets a batch's keys
    once the server has it, so memory stays bounded by the batches open or in flight.
    """

    def __init__(self, limit: RecordLimit, keys: Sequence[UniqueKey], *, max_open: int = 4):
        if max_open < 1:
            raise ValueError("max_open must be at least 1")
        self._limit = limit
        self._keys = tuple(keys)
        self._max_open = max_open
        self._open: list[PlannedBatch] = []
        self._owner: dict[KeyValue, int] = {}
        self._next_seq = 0

    def add(self, row: PlannedRow) -> list[PlannedBatch]:
        values = key_values(row.data, self._keys)
        owners = {self._owner[v] for v in values if v in self._owner}
        after = max(owners, default=-1)
        size = self._limit.value
        target = next(
            (b for b in self._open if b.seq > after and len(b.rows) < size),
            None,
        )
        if target is None:
            target = PlannedBatch(seq=self._next_seq)
            self._next_seq += 1
            self._open.append(target)
        target.rows.append(row)
        target.after |= owners
        for value in values:
            self._owner[value] = target.seq
            target.keys.add(value)
        return self._ready(size)

    def _ready(self, size: int) -> list[PlannedBatch]:
        ready: list[PlannedBatch] = []
        while self._open and (len(self._open[0].rows) >= size or len(self._open) > self._max_open):
            ready.append(self._open.pop(0))
        return ready

    def flush(self) -> list[PlannedBatch]:
        ready, self._open = self._open, []
        return [batch for batch in ready if batch.rows]

    def landed(self, batch: PlannedBatch) -> None:
        for value in batch.keys:
            if self._owner.get(value) == batch.seq:
                del self._owner[value]

    @property
    def tracked_keys(self) -> int:
        return len(self._owner)
