"""``copy``: every record of the chosen objects from one workspace to another, ids kept.

plan (schemas) -> data model (``/metadata``) -> records, targets first -> deferred relations ->
soft deletes -> optional verify. Each workspace is its own :class:`~twenty_gql.Twenty`, so each
has its own budget: reads spend the source's, writes the target's. Phases per object:

* ``records``: every writable field but deferred relations, upserted by id;
* ``relations``: for objects in a cycle, the deferred relation ids, once every record exists;
* ``deletes``: records soft-deleted in the source, soft-deleted in the target (an upsert that
  matches a soft-deleted record restores it, as Twenty does, so this comes last).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from twenty_gql.copy.journal import CopyJournal
from twenty_gql.copy.plan import ObjectPlan, default_objects, plan_copy
from twenty_gql.copy.records import (
    ObjectTally,
    count_all,
    prefetched,
    read_pages,
    target_copies,
    write_pages,
)
from twenty_gql.copy.schema_sync import SchemaChanges, read_model, sync_schema
from twenty_gql.copy.verify import ObjectCheck, verify_object
from twenty_gql.io.schema_source import load_schema

if TYPE_CHECKING:
    from twenty_gql.client import Twenty

__all__ = ["CopyOptions", "CopyReport", "run_copy"]

ProgressHook = Callable[[ObjectTally], None]


@dataclass(frozen=True, slots=True)
class CopyOptions:
    objects: tuple[str, ...] = ()
    """Empty: every object (see :func:`twenty_gql.copy.plan.default_objects`)."""
    create_schema: bool = True
    verify: bool = False
    journal: Path | None = None
    concurrency: int = 4


@dataclass(slots=True)
class CopyReport:
    plans: list[ObjectPlan] = field(default_factory=list)
    tallies: dict[str, ObjectTally] = field(default_factory=dict)
    schema_changes: SchemaChanges = field(default_factory=SchemaChanges)
    soft_deleted: int = 0
    resumed: bool = False
    checks: list[ObjectCheck] = field(default_factory=list)

    @property
    def written(self) -> int:
        return sum(t.written for t in self.tallies.values())

    @property
    def refused(self) -> int:
        return sum(t.refused for t in self.tallies.values())

    @property
    def changed_nothing(self) -> bool:
        return not self.written and not self.soft_deleted and not self.schema_changes


def job_key(source: Twenty, target: Twenty, objects: tuple[str, ...]) -> str:
    shape = {"from": source.settings.url, "to": target.settings.url, "objects": list(objects)}
    return hashlib.sha256(json.dumps(shape).encode()).hexdigest()


async def run_copy(
    source: Twenty,
    target: Twenty,
    options: CopyOptions,
    *,
    on_progress: ProgressHook | None = None,
) -> CopyReport:
    """Copy (see the module doc). Raises ``CopyPlanError`` or ``MissingSchemaError`` before
    writing any record, ``JobAborted`` when a write job stops (the journal is kept)."""
    report = CopyReport()
    source_model = await read_model(source)
    source_schema = await load_schema(source.settings, None)
    objects = list(options.objects) or default_objects(source_schema, source_model.system)
    report.schema_changes = await sync_schema(
        source, target, objects, create=options.create_schema, source_model=source_model
    )
    target_schema = await load_schema(target.settings, None)
    report.plans = plan_copy(source_schema, target_schema, objects, source_model.system)
    key = job_key(source, target, tuple(objects))
    path = options.journal or Path(f"twenty-copy-{key[:12]}.journal")
    journal = await asyncio.to_thread(CopyJournal.open, path, key)
    report.resumed = journal.resumed
    finished = False
    try:
        for plan in report.plans:
            tally = report.tallies[plan.singular] = ObjectTally(plan.singular)
            await _phase(
                source, target, plan, plan.fields, "records", journal, tally, options, on_progress
            )
        for plan in report.plans:
            if plan.deferred:
                tally = report.tallies[plan.singular]
                paths = ("id", *plan.deferred)
                await _phase(
                    source, target, plan, paths, "relations", journal, tally, options, None
                )
        for plan in report.plans:
            report.soft_deleted += await _soft_deletes(source, target, plan, journal)
        finished = True
    finally:
        await asyncio.to_thread(journal.close, finished=finished)
    if options.verify:
        for plan in report.plans:
            report.checks.append(await verify_object(source, target, plan))
    return report


async def _phase(
    source: Twenty,
    target: Twenty,
    plan: ObjectPlan,
    paths: tuple[str, ...],
    phase: str,
    journal: CopyJournal,
    tally: ObjectTally,
    options: CopyOptions,
    on_progress: ProgressHook | None,
) -> None:
    name = plan.singular
    if phase == "records":
        tally.total = await count_all(source, plan.names)
    if journal.is_done(name, phase):
        tally.resumed = True
        if phase == "records":
            tally.read = tally.total or 0
        return
    after = journal.resume_after(name, phase)
    tally.resumed = tally.resumed or after is not None
    compare = after is not None or await count_all(target, plan.names) > 0
    pages = read_pages(source, plan.names, paths, after=after)

    async def counted() -> AsyncIterator[list[dict[str, Any]]]:
        async for page in prefetched(pages):
            if phase == "records":
                tally.read += len(page)
            yield page

    async def page_done(last_id: str) -> None:
        await asyncio.to_thread(journal.page_done, name, phase, last_id)
        if on_progress is not None:
            on_progress(tally)

    await write_pages(
        target,
        plan.names,
        counted(),
        paths,
        tally,
        compare=compare,
        existing_only=phase != "records",
        concurrency=options.concurrency,
        on_page_done=page_done,
    )
    await asyncio.to_thread(journal.phase_done, name, phase)
    if on_progress is not None:
        on_progress(tally)


async def _soft_deletes(
    source: Twenty, target: Twenty, plan: ObjectPlan, journal: CopyJournal
) -> int:
    """Soft-delete in the target what is soft-deleted in the source and live there."""
    name = plan.singular
    if journal.is_done(name, "deletes"):
        return 0
    deleted = 0
    pages = read_pages(source, plan.names, ("id",), where={"deletedAt": {"is": "NOT_NULL"}})
    async for page in pages:
        ids = [r["id"] for r in page]
        if not ids:
            continue
        have = await target_copies(target, plan.names, ("id", "deletedAt"), ids)
        live = [i for i in ids if i in have and have[i].get("deletedAt") is None]
        if live:
            result = await target.delete_many(plan.names, {"id": {"in": live}})
            deleted += result.affected
    await asyncio.to_thread(journal.phase_done, name, "deletes")
    return deleted
