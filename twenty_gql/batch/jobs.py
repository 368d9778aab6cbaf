"""Batch jobs on a workspace: upsert many rows, and update, delete, restore or destroy the
records a filter matches, within the server's per-call limit.

A job talks to the workspace through :class:`Workspace` (what ``Twenty`` offers: ``execute``,
``object_names``, ``profile``, ``events``), never through the facade itself, so ``client.py``
may call the jobs without an import circle.

::

    async with Twenty(url, api_key) as twenty:
        result = await upsert_many(twenty, "company", rows)          # rows: (async) iterable
        for outcome in result.failures:
            print(outcome.index, outcome.message)
        await update_many(twenty, "company", {"employees": {"lt": 10}}, {"tagline": "small"})

Retries of faults and throttles are the runtime's (an upsert by key and the by-filter mutations
are idempotent; a throttled call is re-sent until the policy's ``patience`` runs out, then the
job stops); the job adds chunking, dedupe, isolation of bad rows and the journal.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import AsyncIterable, AsyncIterator, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from pydantic import BaseModel

from twenty_gql.batch.chunking import RecordLimit, chunked
from twenty_gql.batch.dedupe import UniqueKey, default_unique_keys
from twenty_gql.batch.documents import (
    bulk_field,
    bulk_mutation,
    count_query,
    list_query,
    upsert_mutation,
)
from twenty_gql.batch.engine import (
    InputRow,
    OutcomeHook,
    ProgressHook,
    UpsertOptions,
    as_async,
    run_upsert,
)
from twenty_gql.batch.journal import Journal
from twenty_gql.batch.result import JobResult, JobStats
from twenty_gql.batch.sender import Rejection, RejectionKind, SendError
from twenty_gql.errors import (
    BadInputError,
    NotFoundError,
    QueryTooComplexError,
    ServerError,
    TooManyRecordsError,
    TwentyError,
)
from twenty_gql.events import Event, EventBus, RetryEvent, ThrottleEvent
from twenty_gql.naming import ObjectNames
from twenty_gql.page_sizes import PageSizes
from twenty_gql.pagination import raw_pages
from twenty_gql.profiles import ServerProfile
from twenty_gql.retry import RetryPolicy

__all__ = [
    "JOB_RETRY",
    "BulkResult",
    "TwentySender",
    "Workspace",
    "delete_many",
    "destroy_many",
    "rejection_of",
    "restore_many",
    "update_many",
    "upsert_many",
]

JOB_RETRY = RetryPolicy(max_attempts=8, base_delay=0.25, max_delay=5.0)
"""Batch jobs retry faults longer than one-off calls: a lost batch costs a whole job."""


class Workspace(Protocol):
    """What a job needs of a workspace client (``Twenty`` is one)."""

    @property
    def profile(self) -> ServerProfile: ...

    @property
    def events(self) -> EventBus: ...

    @property
    def page_sizes(self) -> PageSizes: ...

    async def execute(
        self,
        query: str,
        variables: Mapping[str, Any] | None = None,
        operation_name: str | None = None,
        *,
        retry: RetryPolicy | None = None,
    ) -> dict[str, Any]: ...

    async def object_names(self, name: str | ObjectNames) -> ObjectNames: ...


_FIELD_IN_MESSAGE = re.compile(r'"([A-Za-z_][A-Za-z0-9_.]*)" field|field "([A-Za-z_][\w.]*)"')


def rejection_of(error: TwentyError) -> Rejection | None:
    """How the engine should take a refused batch; ``None``: not the rows' fault, stop the job
    (a throttle that outlasted the patience, a spent quota, auth, a server down)."""
    if isinstance(error, TooManyRecordsError):
        return Rejection(
            RejectionKind.TOO_MANY_RECORDS,
            error.server_message,
            code=error.code,
            sub_code=error.sub_code,
            limit=error.limit,
        )
    content = isinstance(error, BadInputError | NotFoundError) and not isinstance(
        error, QueryTooComplexError
    )
    # INTERNAL_SERVER_ERROR inside a 200 answer can come from one record's contents (transcript
    # 59); an HTTP 5xx is the server's own failure and stops the job once retries are spent.
    content = content or (isinstance(error, ServerError) and error.code == "INTERNAL_SERVER_ERROR")
    if not content:
        return None
    found = _FIELD_IN_MESSAGE.search(error.server_message)
    return Rejection(
        RejectionKind.CONTENT,
        error.server_message,
        code=error.code,
        sub_code=error.sub_code,
        field=(found.group(1) or found.group(2)) if found else None,
    )


class TwentySender:
    """Sends createMany(upsert: true) through ``Workspace.execute`` with the job's retry policy."""

    def __init__(self, twenty: Workspace, names: ObjectNames, retry: RetryPolicy = JOB_RETRY):
        self._twenty = twenty
        self._document, self.operation_name = upsert_mutation(names)
        self._root = names.root_fields.create_many
        self._retry = retry

    async def create_many(
        self, records: Sequence[Mapping[str, Any]]
    ) -> Sequence[Mapping[str, Any]]:
        try:
            data = await self._twenty.execute(
                self._document, {"data": list(records)}, self.operation_name, retry=self._retry
            )
        except TwentyError as error:
            rejection = rejection_of(error)
            if rejection is None:
                raise
            raise SendError(rejection) from error
        answered = data.get(self._root)
        if not isinstance(answered, list):
            raise SendError(Rejection(RejectionKind.CONTENT, f"{self._root} answered no records"))
        return answered


def _count_events(stats: JobStats, operation_name: str) -> Any:
    def on_event(event: Event) -> None:
        if getattr(event, "operation_name", None) != operation_name:
            return
        if isinstance(event, RetryEvent):
            stats.retries += 1
        elif isinstance(event, ThrottleEvent):
            stats.throttles += 1

    return on_event


def _as_dict(row: Any) -> dict[str, Any]:
    if isinstance(row, BaseModel):
        return row.model_dump(by_alias=True, exclude_unset=True, mode="json")
    if isinstance(row, Mapping):
        return dict(row)
    raise TypeError(f"a row must be a dict or a pydantic model, not {type(row).__name__}")


async def _input_rows(rows: Iterable[Any] | AsyncIterable[Any]) -> AsyncIterator[InputRow]:
    index = 0
    async for row in as_async(rows):
        yield row if isinstance(row, InputRow) else InputRow(index, _as_dict(row))
        index += 1


async def upsert_many(
    twenty: Workspace,
    object_name: str | ObjectNames,
    rows: Iterable[Any] | AsyncIterable[Any],
    *,
    plural: str | None = None,
    keys: Sequence[UniqueKey] | None = None,
    extra_keys: Iterable[UniqueKey] = (),
    batch_size: int | None = None,
    concurrency: int = 4,
    journal: Journal | str | Path | None = None,
    job_key: str | None = None,
    keep_outcomes: bool = True,
    assign_ids: bool = True,
    on_outcome: OutcomeHook | None = None,
    on_progress: ProgressHook | None = None,
    retry: RetryPolicy = JOB_RETRY,
    stats: JobStats | None = None,
) -> JobResult:
    """Upsert ``rows`` (dicts, generated input models, or :class:`InputRow`) into an object.

    Rows stream through a window of ``concurrency`` batches of at most ``batch_size`` records
    (the profile's ``records_per_call`` by default); see :mod:`twenty_gql.batch.engine` for
    ordering, isolation of bad rows and created/updated. ``keys``: the object's unique keys
    (default: ``id`` and the standard ones, plus ``extra_keys`` for custom unique fields).
    ``journal``: a path (or an open :class:`Journal`) that makes the job resumable; a path needs
    ``job_key``, a string that changes whenever the input or the options do.
    """
    names = await _names(twenty, object_name, plural)
    size = min(batch_size or twenty.profile.records_per_call, twenty.profile.records_per_call)
    own_journal: Journal | None = None
    if isinstance(journal, str | Path):
        if job_key is None:
            raise ValueError("a journal path needs job_key= (it identifies the input and options)")
        own_journal = journal = await Journal.open(journal, job_key)
    sender = TwentySender(twenty, names, retry)
    stats = stats or JobStats()
    unsubscribe = twenty.events.subscribe(_count_events(stats, sender.operation_name))
    try:
        return await run_upsert(
            _input_rows(rows),
            sender,
            keys=keys or default_unique_keys(names.singular, extra_keys),
            limit=RecordLimit(size),
            options=UpsertOptions(
                window=concurrency,
                keep_outcomes=keep_outcomes,
                assign_ids=assign_ids,
                job_key=job_key,
            ),
            journal=journal,
            stats=stats,
            on_outcome=on_outcome,
            on_progress=on_progress,
        )
    finally:
        unsubscribe()
        if own_journal is not None:
            await own_journal.close()


async def _names(twenty: Workspace, name: str | ObjectNames, plural: str | None) -> ObjectNames:
    """Names given, or as the workspace defines them (``Twenty.object_names`` reads /metadata)."""
    if isinstance(name, ObjectNames):
        return name
    return ObjectNames(name, plural) if plural else await twenty.object_names(name)


async def count_records(
    twenty: Workspace, names: ObjectNames, filter: Mapping[str, Any] | None, retry: RetryPolicy
) -> int | None:
    """How many records ``filter`` matches (the server's ``totalCount``), in one call."""
    document, operation = count_query(names)
    data = await twenty.execute(document, {"filter": filter}, operation, retry=retry)
    total: int | None = (data.get(names.root_fields.find_many) or {}).get("totalCount")
    return total


@dataclass(slots=True)
class BulkResult:
    """What a by-filter job did: the ids it affected, in the order the server returned them."""

    action: str
    ids: list[str] = field(default_factory=list)
    calls: int = 0
    elapsed: float = 0.0

    @property
    def affected(self) -> int:
        return len(self.ids)


_SOFT_DELETED: dict[str, Any] = {"deletedAt": {"is": "NOT_NULL"}}
_ANY_STATE: dict[str, Any] = {
    "or": [{"deletedAt": {"is": "NULL"}}, {"deletedAt": {"is": "NOT_NULL"}}]
}


def _scope(action: str, user_filter: Mapping[str, Any]) -> dict[str, Any]:
    """The filter as each action sees it: restore acts on soft-deleted records and destroy on
    both kinds, while a plain list hides soft-deleted ones (transcripts 23-28)."""
    extras: dict[str, dict[str, Any]] = {"restore": _SOFT_DELETED, "destroy": _ANY_STATE}
    extra = extras.get(action)
    base = dict(user_filter)
    if extra is None or "deletedAt" in base:
        return base
    return {"and": [base, extra]} if base else dict(extra)


async def _bulk(
    twenty: Workspace,
    action: str,
    object_name: str | ObjectNames,
    filter: Mapping[str, Any],
    data: Mapping[str, Any] | None,
    plural: str | None,
    concurrency: int,
    retry: RetryPolicy,
) -> BulkResult:
    names = await _names(twenty, object_name, plural)
    limit = twenty.profile.records_per_call
    result = BulkResult(action)
    started = time.monotonic()
    scoped = _scope(action, filter)
    total = await count_records(twenty, names, scoped, retry) or 0
    result.calls += 1
    doc, op = bulk_mutation(names, action)
    root = bulk_field(names, action)
    extra = {} if data is None else {"data": dict(data)}

    async def run(chunk_filter: Mapping[str, Any]) -> None:
        answered = await twenty.execute(doc, {"filter": chunk_filter, **extra}, op, retry=retry)
        result.calls += 1
        result.ids.extend(str(r["id"]) for r in answered.get(root) or ())

    single = total <= limit
    if single:
        try:
            await run(filter if action in ("restore", "destroy") else scoped)
        except TooManyRecordsError:
            single = False  # records were added since the count: go by id after all
    if not single:
        # Snapshot the ids first, so an update that changes what the filter matches still
        # touches each record exactly once, then act on chunks of ``limit`` ids.
        ids = await _ids(twenty, names, scoped, retry, result)
        slots = asyncio.Semaphore(concurrency)

        async def run_chunk(chunk: Sequence[str]) -> None:
            async with slots:
                await run({"id": {"in": list(chunk)}})

        async with asyncio.TaskGroup() as tasks:
            for chunk in chunked(ids, limit):
                tasks.create_task(run_chunk(chunk))
    result.elapsed = time.monotonic() - started
    return result


async def _ids(
    twenty: Workspace,
    names: ObjectNames,
    scoped: Mapping[str, Any],
    retry: RetryPolicy,
    result: BulkResult,
) -> list[str]:
    doc, op = list_query(names, ["id"])

    async def fetch(query: str, variables: dict[str, Any]) -> dict[str, Any]:
        result.calls += 1
        return await twenty.execute(query, variables, op, retry=retry)

    pages = raw_pages(
        fetch,
        doc,
        {"filter": scoped},
        names.root_fields.find_many,
        page_size=twenty.page_sizes,
        mode="keyset",
    )
    return [str(node["id"]) async for nodes in pages for node in nodes]


async def update_many(
    twenty: Workspace,
    object_name: str | ObjectNames,
    filter: Mapping[str, Any],
    data: Mapping[str, Any],
    *,
    plural: str | None = None,
    concurrency: int = 4,
    retry: RetryPolicy = JOB_RETRY,
) -> BulkResult:
    """Set ``data`` on every record ``filter`` matches, in calls of at most the server's limit."""
    return await _bulk(twenty, "update", object_name, filter, data, plural, concurrency, retry)


async def delete_many(
    twenty: Workspace,
    object_name: str | ObjectNames,
    filter: Mapping[str, Any],
    *,
    plural: str | None = None,
    concurrency: int = 4,
    retry: RetryPolicy = JOB_RETRY,
) -> BulkResult:
    """Soft-delete every record ``filter`` matches."""
    return await _bulk(twenty, "delete", object_name, filter, None, plural, concurrency, retry)


async def restore_many(
    twenty: Workspace,
    object_name: str | ObjectNames,
    filter: Mapping[str, Any],
    *,
    plural: str | None = None,
    concurrency: int = 4,
    retry: RetryPolicy = JOB_RETRY,
) -> BulkResult:
    """Restore every soft-deleted record ``filter`` matches."""
    return await _bulk(twenty, "restore", object_name, filter, None, plural, concurrency, retry)


async def destroy_many(
    twenty: Workspace,
    object_name: str | ObjectNames,
    filter: Mapping[str, Any],
    *,
    plural: str | None = None,
    concurrency: int = 4,
    retry: RetryPolicy = JOB_RETRY,
) -> BulkResult:
    """Delete for good every record ``filter`` matches, soft-deleted or not."""
    return await _bulk(twenty, "destroy", object_name, filter, None, plural, concurrency, retry)
