"""Importing a CSV/JSONL file into an object: the whole pipeline behind ``twenty-gql import``.

read (stream) -> build records (mapping, coercion) -> relations by key -> upsert job -> rejects.

Everything that can be checked before sending is checked first (object, columns, ``--map``,
``--key``, the file), raising :class:`ImportSetupError` with one line naming the culprit. The
job key that guards the journal hashes the object, the options and the input's bytes, so a
journal is only ever resumed against the same input.

The journal exists for crash recovery: it is removed when the job ends (every row answered),
and kept when the job stops early, so rerunning the same command resumes where it stopped.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from graphql import GraphQLSchema

from twenty_gql.batch.engine import InputRow, JobAborted
from twenty_gql.batch.jobs import upsert_many
from twenty_gql.batch.journal import Journal
from twenty_gql.batch.result import JobResult, JobStats, RowOutcome, RowStatus
from twenty_gql.io.lookup import TwentyRelationLookup
from twenty_gql.io.mapping import MappingError, plan_columns
from twenty_gql.io.object_schema import (
    Leaf,
    ObjectSchema,
    UnknownFieldError,
    UnknownObjectError,
    find_object,
)
from twenty_gql.io.readers import Format, InputFileError, RowSource, SourceRow, open_rows
from twenty_gql.io.rejects import RejectsWriter
from twenty_gql.io.relations import RelationLookup, resolve_relations
from twenty_gql.io.rows import BuiltRow, RowBuilder

if TYPE_CHECKING:
    from twenty_gql.client import Twenty

__all__ = ["ImportOptions", "ImportReport", "ImportSetupError", "run_import"]


class ImportSetupError(ValueError):
    """The import cannot start: bad object, column, option or file. One line, names it."""


@dataclass(frozen=True, slots=True)
class ImportOptions:
    object_name: str
    path: str
    """A file path, or ``-`` for stdin."""
    mapping: dict[str, str] = field(default_factory=dict)
    keys: tuple[str, ...] = ()
    """Fields every row must carry to identify its record (each a unique field)."""
    batch_size: int | None = None
    concurrency: int = 4
    rejects: Path | None = None
    journal: Path | None = None
    dry_run: bool = False
    fmt: Format | None = None


def journal_path_of(options: ImportOptions) -> Path | None:
    """The journal a (non dry) run keeps: ``--journal``, else ``FILE.journal`` (none for stdin)."""
    if options.journal is not None or options.path == "-":
        return options.journal
    return Path(f"{options.path}.journal")


@dataclass(slots=True)
class ImportReport:
    object_name: str
    result: JobResult
    total_rows: int | None
    dry_run: bool
    rejects_path: Path | None = None
    journal_path: Path | None = None
    journal_kept: bool = False
    resumed_rows: int = 0
    lookup_pages: int = 0
    """Pages read to resolve relations (0: none needed)."""
    lookup_page_size_reached: int = 0


ProgressHook = Callable[[JobStats, int | None], None]


def _resolve_keys(obj: ObjectSchema, keys: tuple[str, ...]) -> tuple[str, ...]:
    """Each ``--key`` as a leaf path, checked to be one of the object's unique keys."""
    unique = obj.unique_keys()
    paths: list[str] = []
    for key in keys:
        match = next((k for k in unique if key == k.name or key in k.paths), None)
        if match is None:
            names = ", ".join(k.name for k in unique)
            raise ImportSetupError(
                f"--key {key}: not a unique field of {obj.singular} (unique: {names})"
            )
        if len(match.paths) != 1:
            raise ImportSetupError(f"--key {key}: spans several sub-fields; name one of them")
        paths.append(match.paths[0])
    return tuple(paths)


def _fingerprint_sync(path: str) -> tuple[str, int]:
    """sha256 of the file's bytes, and its line count (for the progress bar's total)."""
    digest = hashlib.sha256()
    lines = 0
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
            lines += chunk.count(b"\n")
    return digest.hexdigest(), lines


def job_key(options: ImportOptions, object_singular: str, content_hash: str) -> str:
    """What the journal is tied to: same object, options that shape records, same bytes."""
    shape = {
        "object": object_singular,
        "map": sorted(options.mapping.items()),
        "keys": list(options.keys),
        "format": options.fmt,
        "input": content_hash,
    }
    return hashlib.sha256(json.dumps(shape, sort_keys=True).encode()).hexdigest()


@dataclass(slots=True)
class _Prepared:
    obj: ObjectSchema
    source: RowSource
    builder: RowBuilder
    key: str | None
    total: int | None


async def _prepare(schema: GraphQLSchema, options: ImportOptions) -> _Prepared:
    try:
        obj = find_object(schema, options.object_name)
    except UnknownObjectError as exc:
        raise ImportSetupError(str(exc)) from None
    key_paths = _resolve_keys(obj, options.keys)
    for column, target in options.mapping.items():
        if target:
            try:
                obj.resolve(target)
            except UnknownFieldError as exc:
                raise ImportSetupError(f"--map {column}={target}: {exc}") from None
    content_hash, total = "stdin", None
    if options.path != "-":
        try:
            content_hash, lines = await asyncio.to_thread(_fingerprint_sync, options.path)
            total = lines
        except FileNotFoundError:
            raise ImportSetupError(f"{options.path}: no such file") from None
        except IsADirectoryError:
            raise ImportSetupError(f"{options.path}: is a directory, not a file") from None
        except OSError as exc:
            raise ImportSetupError(f"{options.path}: cannot read ({exc.strerror})") from None
    try:
        source = await open_rows(options.path, fmt=options.fmt)
    except InputFileError as exc:
        raise ImportSetupError(str(exc)) from None
    if source.format == "csv" and total is not None:
        total = max(0, total - 1)  # the header
    try:
        if source.headers is not None:
            columns = plan_columns(obj, source.headers, options.mapping)
            for path in key_paths:
                if not any(isinstance(c.target, Leaf) and c.target.path == path for c in columns):
                    raise ImportSetupError(f"--key {path}: no column of {source.name} sets it")
            builder = RowBuilder(obj, columns=columns, key_paths=key_paths)
        else:
            builder = RowBuilder(obj, mapping=options.mapping, key_paths=key_paths)
    except (MappingError, ImportSetupError) as exc:
        await source.close()
        raise ImportSetupError(str(exc)) from None
    key = None if options.path == "-" else job_key(options, obj.singular, content_hash)
    return _Prepared(obj, source, builder, key, total)


async def run_import(
    twenty: Twenty | None,
    schema: GraphQLSchema,
    options: ImportOptions,
    *,
    on_progress: ProgressHook | None = None,
) -> ImportReport:
    """Import the file (see the module doc). ``twenty`` may be ``None`` only for a dry run,
    which then cannot check relations. Raises :class:`ImportSetupError` before sending
    anything, or :class:`~twenty_gql.batch.engine.JobAborted` when the job stops early."""
    if twenty is None and not options.dry_run:
        raise ImportSetupError("an import needs a workspace (url and API key)")
    prepared = await _prepare(schema, options)
    raw_rows: dict[int, Any] = {}
    rejects = await RejectsWriter(options.rejects).open() if options.rejects else None
    journal_path = journal_path_of(options)
    journal: Journal | None = None
    report = ImportReport(
        prepared.obj.singular,
        JobResult(),
        prepared.total,
        options.dry_run,
        rejects_path=options.rejects,
    )
    twenty_lookup = None if twenty is None else TwentyRelationLookup(twenty)
    try:
        if journal_path is not None and not options.dry_run:
            if prepared.key is None:
                raise ImportSetupError("--journal needs a file input (stdin cannot be resumed)")
            try:
                journal = await Journal.open(journal_path, prepared.key)
            except ValueError as exc:
                raise ImportSetupError(str(exc)) from None
            report.journal_path = journal_path
            report.resumed_rows = journal.covered_rows

        def on_outcome(outcome: RowOutcome) -> None:
            raw = raw_rows.pop(outcome.index, None)
            if outcome.status is RowStatus.FAILED and rejects is not None:
                rejects.add(outcome, raw)

        lookup: RelationLookup | None = twenty_lookup
        rows = resolve_relations(_built(prepared, raw_rows), lookup)
        if options.dry_run:
            report.result = await _validate_only(rows, on_outcome, prepared.total, on_progress)
        else:
            assert twenty is not None
            stats = JobStats()
            report.result = await upsert_many(
                twenty,
                prepared.obj.names,
                _flushing(rows, rejects),
                keys=prepared.obj.unique_keys(),
                batch_size=options.batch_size,
                concurrency=options.concurrency,
                journal=journal,
                job_key=prepared.key,
                keep_outcomes=False,
                on_outcome=on_outcome,
                on_progress=None
                if on_progress is None
                else (lambda s: on_progress(s, prepared.total)),
                stats=stats,
            )
    except JobAborted:
        report.journal_kept = journal is not None
        raise
    finally:
        if twenty_lookup is not None:
            report.lookup_pages = twenty_lookup.pages
            report.lookup_page_size_reached = twenty_lookup.page_size_reached
        await prepared.source.close()
        if rejects is not None:
            await rejects.close()
        if journal is not None:
            await journal.close()
    if journal is not None and journal_path is not None:
        with contextlib.suppress(FileNotFoundError):
            await asyncio.to_thread(journal_path.unlink)
    return report


async def _built(prepared: _Prepared, raw_rows: dict[int, Any]) -> AsyncIterator[BuiltRow]:
    async for row in prepared.source:
        raw_rows[row.index] = row.values if row.values is not None else _raw_text(row)
        yield prepared.builder.build(row)


def _raw_text(row: SourceRow) -> dict[str, Any]:
    return {"error": row.error}


async def _flushing(
    rows: AsyncIterator[InputRow], rejects: RejectsWriter | None
) -> AsyncIterator[InputRow]:
    async for row in rows:
        if rejects is not None and rejects.needs_flush:
            await rejects.flush()
        yield row


async def _validate_only(
    rows: AsyncIterator[InputRow],
    on_outcome: Callable[[RowOutcome], None],
    total: int | None,
    on_progress: ProgressHook | None,
) -> JobResult:
    result = JobResult()
    started = time.monotonic()
    async for row in rows:
        if row.error is not None:
            error = row.error
            outcome = RowOutcome(
                row.index,
                RowStatus.FAILED,
                line=row.line,
                code=error.code,
                sub_code=error.sub_code,
                field=error.field,
                message=error.message,
            )
            result.failures.append(outcome)
            result.stats.failed += 1
        else:
            outcome = RowOutcome(row.index, RowStatus.CREATED, line=row.line)
        result.stats.rows += 1
        on_outcome(outcome)
        if on_progress is not None and result.stats.rows % 500 == 0:
            on_progress(result.stats, total)
    result.stats.elapsed = time.monotonic() - started
    return result
