"""Landing a batch: send it, and when its contents are refused, find the bad rows.

A batch refused for its contents is split in halves, each sent on its own, until every bad row
is alone: every valid row lands and each bad row gets the server's own message. When the left
half lands, the right half is known to hold the culprit, so it is split again without being
sent whole; one bad row in a batch of ``n`` costs about ``1.5 * log2(n)`` extra calls.

A ``TOO_MANY_RECORDS`` refusal teaches the limit and the same rows are sent again in smaller
batches: no row fails because of it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from twenty_gql.batch.chunking import PlannedRow, RecordLimit, chunked
from twenty_gql.batch.result import JobStats
from twenty_gql.batch.sender import RecordSender, Rejection, RejectionKind, SendError

__all__ = ["Landed", "Refused", "land_batch"]


@dataclass(frozen=True, slots=True)
class Landed:
    row: PlannedRow
    record: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Refused:
    row: PlannedRow
    rejection: Rejection


RowResult = Landed | Refused

_MAX_THROTTLED_RESENDS = 20


async def land_batch(
    rows: Sequence[PlannedRow],
    sender: RecordSender,
    limit: RecordLimit,
    stats: JobStats,
    *,
    throttle_backoff: float = 1.0,
) -> list[RowResult]:
    """Send ``rows`` until each has landed or been refused alone; results in ``rows`` order."""
    lander = _Lander(sender, limit, stats, throttle_backoff)
    results = await lander.land(list(rows), suspect=None, isolating=False)
    order = {id(row): position for position, row in enumerate(rows)}
    results.sort(key=lambda result: order[id(result.row)])
    return results


class _Lander:
    def __init__(
        self, sender: RecordSender, limit: RecordLimit, stats: JobStats, backoff: float
    ) -> None:
        self._sender = sender
        self._limit = limit
        self._stats = stats
        self._backoff = backoff

    async def land(
        self, rows: list[PlannedRow], suspect: Rejection | None, isolating: bool
    ) -> list[RowResult]:
        """``suspect``: the refusal of a larger batch that these rows are known to cause."""
        if len(rows) > self._limit.value:
            results: list[RowResult] = []
            for chunk in chunked(rows, self._limit.value):
                results += await self.land(list(chunk), suspect=None, isolating=isolating)
            return results
        if suspect is not None:
            if len(rows) == 1:
                return [Refused(rows[0], suspect)]
            return await self._split(rows, suspect)
        rejection = await self._send(rows, isolating)
        if isinstance(rejection, list):
            return rejection
        if rejection.kind is RejectionKind.TOO_MANY_RECORDS:
            self._limit.learn(rejection.limit or len(rows) // 2)
            self._stats.learned_limit = self._limit.learned
            return await self.land(rows, suspect=None, isolating=isolating)
        if len(rows) == 1:
            return [Refused(rows[0], rejection)]
        return await self._split(rows, rejection)

    async def _split(self, rows: list[PlannedRow], rejection: Rejection) -> list[RowResult]:
        middle = len(rows) // 2
        left = await self.land(rows[:middle], suspect=None, isolating=True)
        left_clean = all(isinstance(result, Landed) for result in left)
        right = await self.land(
            rows[middle:], suspect=rejection if left_clean else None, isolating=True
        )
        return left + right

    async def _send(self, rows: list[PlannedRow], isolating: bool) -> list[RowResult] | Rejection:
        records = [row.data for row in rows]
        for attempt in range(_MAX_THROTTLED_RESENDS + 1):
            self._stats.calls += 1
            self._stats.isolation_calls += isolating
            try:
                answered = await self._sender.create_many(records)
            except SendError as error:
                rejection = error.rejection
                if rejection.kind is not RejectionKind.THROTTLED:
                    return rejection
                if attempt == _MAX_THROTTLED_RESENDS:
                    raise
                self._stats.throttles += 1
                await asyncio.sleep(rejection.retry_after or self._backoff * (attempt + 1))
                continue
            if len(answered) != len(rows):
                raise RuntimeError(
                    f"the server answered {len(answered)} records for {len(rows)} sent"
                )
            return [Landed(row, record) for row, record in zip(rows, answered, strict=True)]
        raise AssertionError("unreachable")
