"""Reading an object's records from one workspace and writing them, by id, to another.

Pages come from the source in id order (keyset), soft-deleted records included. When the target
already holds records of the object, each page is first compared with the target's copy of the
same ids (one list call) and only the records that differ are written, so a second run writes
nothing. Writes are upserts matched by id (``createMany(upsert: true)``), so a page written
twice (after a crash) lands once.
"""

from __future__ import annotations

import asyncio
import json
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from twenty_gql.batch.dedupe import ID_KEY, get_path
from twenty_gql.batch.documents import bulk_mutation, list_query
from twenty_gql.batch.jobs import JOB_RETRY, count_records
from twenty_gql.batch.result import RowOutcome, RowStatus
from twenty_gql.errors import TwentyError
from twenty_gql.io.rows import set_path
from twenty_gql.naming import ObjectNames
from twenty_gql.pagination import raw_pages

if TYPE_CHECKING:
    from twenty_gql.client import Twenty

__all__ = [
    "ANY_DELETED",
    "ObjectTally",
    "Refusal",
    "canonical",
    "count_all",
    "read_pages",
    "write_pages",
]

ANY_DELETED: dict[str, Any] = {
    "or": [{"deletedAt": {"is": "NULL"}}, {"deletedAt": {"is": "NOT_NULL"}}]
}
"""A list filter that shows live and soft-deleted records alike."""

SERVER_STAMPED = frozenset({"updatedAt", "updatedBy.source", "updatedBy.context"})
"""Set by the server on every write, so never compared (they are still copied on create)."""

MAX_KEPT_REFUSALS = 1000


@dataclass(frozen=True, slots=True)
class Refusal:
    object_name: str
    record_id: str | None
    reason: str


@dataclass(slots=True)
class ObjectTally:
    object_name: str
    total: int | None = None
    read: int = 0
    written: int = 0
    unchanged: int = 0
    refused: int = 0
    resumed: bool = False
    refusals: list[Refusal] = field(default_factory=list)

    def refuse(self, refusal: Refusal) -> None:
        self.refused += 1
        if len(self.refusals) < MAX_KEPT_REFUSALS:
            self.refusals.append(refusal)


def _number(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def canonical(record: dict[str, Any], paths: Sequence[str]) -> str:
    """The compared form of a record: its values at ``paths`` (server-stamped ones left out,
    ``deletedAt`` reduced to deleted or not), numbers normalised, as JSON text."""
    values: dict[str, Any] = {}
    for path in paths:
        if path in SERVER_STAMPED:
            continue
        value = get_path(record, path)
        if path == "deletedAt":
            value = value is not None
        elif isinstance(value, str) and path.endswith("amountMicros"):
            value = _number(float(value)) if value else value
        values[path] = _number(value)
    return json.dumps(values, sort_keys=True, ensure_ascii=False, default=str)


async def count_all(twenty: Twenty, names: ObjectNames, extra: dict[str, Any] | None = None) -> int:
    where = ANY_DELETED if extra is None else {"and": [ANY_DELETED, extra]}
    return await count_records(twenty, names, where, JOB_RETRY) or 0


def read_pages(
    twenty: Twenty,
    names: ObjectNames,
    paths: Sequence[str],
    *,
    after: str | None = None,
    where: dict[str, Any] | None = None,
    on_call: Callable[[], None] | None = None,
) -> AsyncIterator[list[dict[str, Any]]]:
    """Pages of records in id order, soft-deleted included, starting after id ``after``."""
    parts: list[dict[str, Any]] = [where or ANY_DELETED]
    if after is not None:
        parts.append({"id": {"gt": after}})
    document, operation = list_query(names, list(paths), op_prefix="Copy")

    async def fetch(query: str, variables: dict[str, Any]) -> dict[str, Any]:
        if on_call is not None:
            on_call()
        return await twenty.execute(query, variables, operation, retry=JOB_RETRY)

    return raw_pages(
        fetch,
        document,
        {"filter": parts[0] if len(parts) == 1 else {"and": parts}},
        names.root_fields.find_many,
        page_size=twenty.page_sizes,
        mode="keyset",
    )


async def target_copies(
    twenty: Twenty, names: ObjectNames, paths: Sequence[str], ids: Sequence[str]
) -> dict[str, dict[str, Any]]:
    """The target's records with these ids (soft-deleted included), by id."""
    document, operation = list_query(names, list(paths), op_prefix="CopyCompare")
    found: dict[str, dict[str, Any]] = {}
    size = twenty.profile.page_size
    for start in range(0, len(ids), size):
        chunk = list(ids[start : start + size])
        where = {"and": [ANY_DELETED, {"id": {"in": chunk}}]}
        data = await twenty.execute(
            document, {"filter": where, "first": len(chunk)}, operation, retry=JOB_RETRY
        )
        for edge in (data.get(names.root_fields.find_many) or {}).get("edges") or []:
            found[edge["node"]["id"]] = edge["node"]
    return found


def _payload(record: dict[str, Any], paths: Sequence[str]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for path in paths:
        head = path.partition(".")[0]
        if record.get(head) is None:
            data[head] = None  # a null composite stays null, not a set of null sub-fields
        else:
            set_path(data, path, get_path(record, path))
    return data


class _Watermark:
    """Which pages have every sent row answered, in page order: the journal's resume point."""

    def __init__(self) -> None:
        self._pages: deque[list[Any]] = deque()  # [rows still unanswered, last id]
        self._page_of: dict[int, list[Any]] = {}

    def add_page(self, indices: range, last_id: str) -> None:
        page = [len(indices), last_id]
        self._pages.append(page)
        for index in indices:
            self._page_of[index] = page

    def answered(self, index: int) -> None:
        self._page_of.pop(index)[0] -= 1

    def advance(self) -> str | None:
        """The last id of the newest page that completes a run of answered pages, if any."""
        last = None
        while self._pages and self._pages[0][0] == 0:
            last = self._pages.popleft()[1]
        return last


async def write_pages(
    target: Twenty,
    names: ObjectNames,
    pages: AsyncIterator[list[dict[str, Any]]],
    paths: Sequence[str],
    tally: ObjectTally,
    *,
    compare: bool,
    existing_only: bool = False,
    concurrency: int = 4,
    on_page_done: Callable[[str], Awaitable[None]],
) -> None:
    """Write the records the target lacks or holds otherwise, as one upsert job (so
    ``concurrency`` batches stay in flight across pages); ``on_page_done(last_id)`` once every
    record up to ``last_id`` is answered. ``existing_only``: write only records the target
    holds (a second pass never creates a partial record)."""
    watermark = _Watermark()
    in_flight: dict[int, str] = {}

    def on_outcome(outcome: RowOutcome) -> None:
        record_id = in_flight.pop(outcome.index)
        watermark.answered(outcome.index)
        if outcome.status is RowStatus.FAILED:
            tally.refuse(Refusal(names.singular, record_id, _reason(outcome)))
        else:
            tally.written += 1

    async def rows() -> AsyncIterator[dict[str, Any]]:
        sent = 0
        async for page in pages:
            if not page:
                continue
            send = await _to_send(target, names, page, paths, tally, compare, existing_only)
            watermark.add_page(range(sent, sent + len(send)), page[-1]["id"])
            for record in send:
                in_flight[sent] = record["id"]
                sent += 1
                yield _payload(record, paths)
            if (last := watermark.advance()) is not None:
                await on_page_done(last)

    await target.upsert_many(
        names,
        rows(),
        keys=(ID_KEY,),
        concurrency=concurrency,
        keep_outcomes=False,
        assign_ids=False,
        on_outcome=on_outcome,
    )
    if (last := watermark.advance()) is not None:
        await on_page_done(last)


async def _to_send(
    target: Twenty,
    names: ObjectNames,
    records: list[dict[str, Any]],
    paths: Sequence[str],
    tally: ObjectTally,
    compare: bool,
    existing_only: bool,
) -> list[dict[str, Any]]:
    """The records of a page to upsert (after comparing with the target's copies)."""
    if not (compare or existing_only):
        return records
    lookup = paths if "deletedAt" in paths else [*paths, "deletedAt"]
    have = await target_copies(target, names, lookup, [r["id"] for r in records])
    if existing_only:
        records = [r for r in records if r["id"] in have]  # the rest were refused
    changed = [
        r
        for r in records
        if r["id"] not in have or canonical(have[r["id"]], paths) != canonical(r, paths)
    ]
    if not existing_only:  # a second pass re-reads records the first one counted
        tally.unchanged += len(records) - len(changed)
    # An upsert that matches a soft-deleted record restores it (as Twenty does): a record
    # soft-deleted on both sides is updated instead, and stays deleted.
    binned = {
        r["id"]
        for r in changed
        if r["id"] in have
        and have[r["id"]].get("deletedAt") is not None
        and ("deletedAt" not in paths or r.get("deletedAt") is not None)
    }
    for record in (r for r in changed if r["id"] in binned):
        await _update_in_place(target, names, record, paths, tally)
    return [r for r in changed if r["id"] not in binned]


async def _update_in_place(
    target: Twenty,
    names: ObjectNames,
    record: dict[str, Any],
    paths: Sequence[str],
    tally: ObjectTally,
) -> None:
    """Update a record soft-deleted in the target (an update by filter reaches it, 176)."""
    data = _payload(record, [p for p in paths if p not in ("id", "deletedAt")])
    document, operation = bulk_mutation(names, "update")
    # Naming deletedAt is not needed on Twenty (176) but harmless, and the sandbox needs it.
    where = {"and": [{"id": {"eq": record["id"]}}, ANY_DELETED]}
    variables = {"filter": where, "data": data}
    try:
        await target.execute(document, variables, operation, retry=JOB_RETRY)
    except TwentyError as exc:
        tally.refuse(Refusal(names.singular, record["id"], str(exc)))
    else:
        tally.written += 1


def _reason(outcome: RowOutcome) -> str:
    message = outcome.message or outcome.code or "refused"
    if outcome.field and outcome.field not in message:
        return f"[{outcome.field}] {message}"
    return message


async def prefetched(
    pages: AsyncIterator[list[dict[str, Any]]],
) -> AsyncIterator[list[dict[str, Any]]]:
    """``pages``, with the next page read while the caller writes the current one."""
    iterator = aiter(pages)
    pending: asyncio.Task[list[dict[str, Any]]] | None = asyncio.ensure_future(anext(iterator))
    try:
        while pending is not None:
            try:
                page = await pending
            except StopAsyncIteration:
                return
            pending = asyncio.ensure_future(anext(iterator))
            yield page
    finally:
        if pending is not None and not pending.done():
            pending.cancel()
