"""Landing a batch: send it, and when its contents are refused, find the bad rows.

A batch refused for its contents is searched by halving until each bad row is alone: every
valid row lands and each bad row gets the server's own message. Only left halves are sent on
the way down (a landed left half means the culprit is in the right one); right halves set aside
are sent together at the end. One bad row in a batch of ``n`` costs about ``log2(n) + 1`` extra
calls (see :meth:`_Lander._find`).

A ``TOO_MANY_RECORDS`` refusal teaches the limit and the same rows are sent again in smaller
batches: no row fails because of it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
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


async def land_batch(
    rows: Sequence[PlannedRow],
    sender: RecordSender,
    limit: RecordLimit,
    stats: JobStats,
) -> list[RowResult]:
    """Send ``rows`` until each has landed or been refused alone; results in ``rows`` order."""
    lander = _Lander(sender, limit, stats)
    results = await lander.land(list(rows), isolating=False)
    order = {id(row): position for position, row in enumerate(rows)}
    results.sort(key=lambda result: order[id(result.row)])
    return results


class _Lander:
    def __init__(self, sender: RecordSender, limit: RecordLimit, stats: JobStats) -> None:
        self._sender = sender
        self._limit = limit
        self._stats = stats

    async def land(self, rows: list[PlannedRow], isolating: bool) -> list[RowResult]:
        """Send ``rows`` (cut to the limit); isolate the bad ones if they are refused."""
        if len(rows) > self._limit.value:
            results: list[RowResult] = []
            for chunk in chunked(rows, self._limit.value):
                results += await self.land(list(chunk), isolating)
            return results
        answer = await self._send(rows, isolating)
        if isinstance(answer, list):
            return answer
        if answer.kind is RejectionKind.TOO_MANY_RECORDS:
            self._learn(answer, len(rows))
            return await self.land(rows, isolating)
        if len(rows) == 1:
            return [Refused(rows[0], answer)]
        return await self._find(rows, answer)

    def _learn(self, rejection: Rejection, sent: int) -> None:
        self._limit.learn(rejection.limit or sent // 2)
        self._stats.learned_limit = self._limit.learned

    async def _find(self, rows: list[PlannedRow], cause: Rejection) -> list[RowResult]:
        """``rows`` were refused for their contents: find one bad row by halving, then send
        everything set aside on the way as one batch (which lands, or is searched again).

        Going down, only the left half is sent: if it lands, the culprit is in the right half
        (known bad, not sent whole); if not, the right half is set aside and the search goes
        left. One bad row in ``n`` costs about ``log2(n) + 1`` calls."""
        results: list[RowResult] = []
        aside: list[PlannedRow] = []
        current, own = rows, False
        while len(current) > 1:
            middle = len(current) // 2
            left, right = current[:middle], current[middle:]
            answer = await self._send(left, isolating=True)
            if isinstance(answer, list):
                results += answer
                current, own = right, False
                continue
            if answer.kind is RejectionKind.TOO_MANY_RECORDS:
                self._learn(answer, len(left))
                found = await self.land(left, isolating=True)
                results += found
                if all(isinstance(result, Landed) for result in found):
                    current, own = right, False
                    continue
                aside += right
                current = []
                break
            aside += right
            current, cause, own = left, answer, len(left) == 1
        if current:
            results.append(await self._alone(current[0], cause, own))
        if aside:
            results += await self.land(aside, isolating=True)
        return results

    async def _alone(self, row: PlannedRow, cause: Rejection, own: bool) -> RowResult:
        """The bad row, with the server's message about it. A message inherited from a larger
        batch is kept when it names something in the row; else the row is sent alone for its
        own message (two bad rows in one batch must not swap reasons)."""
        if own or _names_something_in(cause.message, row.data):
            return Refused(row, _blamed(cause, row))
        answer = await self._send([row], isolating=True)
        if isinstance(answer, list):
            return answer[0]
        return Refused(row, _blamed(answer, row))

    async def _send(self, rows: list[PlannedRow], isolating: bool) -> list[RowResult] | Rejection:
        records = [row.data for row in rows]
        self._stats.calls += 1
        self._stats.isolation_calls += isolating
        try:
            answered = await self._sender.create_many(records)
        except SendError as error:
            return error.rejection
        if len(answered) != len(rows):
            raise RuntimeError(f"the server answered {len(answered)} records for {len(rows)} sent")
        return [Landed(row, record) for row, record in zip(rows, answered, strict=True)]


def _leaves(data: Mapping[str, Any]) -> Iterator[str]:
    for key, value in data.items():
        yield key
        if isinstance(value, Mapping):
            yield from _leaves(value)
        elif isinstance(value, str | int | float) and not isinstance(value, bool):
            yield str(value)


def _names_something_in(message: str, data: Mapping[str, Any]) -> bool:
    """Whether the server's message quotes a field name or value of this row (an id, a URL,
    an unknown field): then it is about this row. Short tokens are ignored as too common."""
    return any(len(token) >= 6 and token in message for token in _leaves(data))


_FOREIGN_KEY = "violates foreign key constraint"


def _blamed(rejection: Rejection, row: PlannedRow) -> Rejection:
    """Twenty answers a relation to a record that does not exist in Postgres' words, which name
    a constraint, not a field: the row's relation ids are the fields at fault."""
    if rejection.field is not None or _FOREIGN_KEY not in rejection.message:
        return rejection
    relations = sorted(k for k, v in row.data.items() if k.endswith("Id") and v is not None)
    return replace(rejection, field=", ".join(relations)) if relations else rejection
