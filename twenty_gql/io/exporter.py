"""Exporting an object's records to JSONL or CSV, streamed page by page.

Pages come by keyset pagination (ordered by id, each page asks for ``id > last id``), so a
deep page costs what the first one does and memory holds one page. Page sizes follow the
server's answers (the shared loop of :mod:`twenty_gql.pagination`): they grow while pages come
back full and fast, within the workspace's ``PageBounds`` (whose response size ceiling also
bounds the memory a page takes), unless ``page_size`` fixes them. JSONL keeps records nested
as the API returns them; CSV flattens them to dotted columns (``emails.primaryEmail``), the same
headers ``import`` reads, with lists and JSON values written as JSON text. The file is written
beside the target and renamed into place at the end, so a failed export leaves no half file.
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import io
import json
import os
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Literal

from graphql import GraphQLEnumType, GraphQLObjectType, GraphQLScalarType, get_named_type

from twenty_gql.base_client import CHARGED_ENDPOINT, RawAnswer
from twenty_gql.batch.dedupe import get_path
from twenty_gql.batch.documents import list_query
from twenty_gql.batch.jobs import JOB_RETRY, count_records
from twenty_gql.io.object_schema import ObjectSchema, UnknownObjectError, find_object
from twenty_gql.io.writable import is_writable
from twenty_gql.page_sizes import PageSizer
from twenty_gql.pagination import raw_pages

if TYPE_CHECKING:
    from graphql import GraphQLSchema

    from twenty_gql.client import Twenty

__all__ = ["ExportReport", "ExportSetupError", "export_fields", "run_export"]

_SKIPPED_SCALARS = frozenset({"TSVector"})
OutFormat = Literal["csv", "jsonl"]


class ExportSetupError(ValueError):
    """The export cannot start: unknown object or field, bad output path. Names the culprit."""


@dataclass(slots=True)
class ExportReport:
    object_name: str
    path: Path
    rows: int
    fields: list[str]
    calls: int
    pages: int = 0
    """Pages read (the calls minus the count)."""
    page_size_reached: int = 0
    """The largest page the server answered."""


def _leaf_paths(record: GraphQLObjectType, prefix: str = "") -> list[str]:
    paths: list[str] = []
    for name, field in sorted(record.fields.items()):
        named = get_named_type(field.type)
        if isinstance(named, GraphQLScalarType | GraphQLEnumType):
            if named.name not in _SKIPPED_SCALARS:
                paths.append(f"{prefix}{name}")
        elif (
            isinstance(named, GraphQLObjectType)
            and not prefix
            and not named.name.endswith("Connection")
            and all(
                isinstance(get_named_type(sub.type), GraphQLScalarType | GraphQLEnumType)
                for sub in named.fields.values()
            )
            and named.name != f"{record.name}"
            and "id" not in named.fields
        ):
            # A composite value (Links, Emails, Currency...), not a relation to a record.
            paths += _leaf_paths(named, f"{name}.")
    return paths


def export_fields(obj: ObjectSchema, wanted: Sequence[str] | None) -> list[str]:
    """Dotted leaf paths to export: every scalar and composite sub-field by default; a
    composite named alone (``emails``) stands for all its sub-fields."""
    available = _leaf_paths(obj.record_type())
    if not wanted:
        return ["id", *(p for p in available if p != "id" and is_writable(obj, p))]
    chosen: list[str] = []
    for item in wanted:
        for name in (part.strip() for part in item.split(",")):
            if not name:
                continue
            matches = [p for p in available if p == name or p.startswith(f"{name}.")]
            if not matches:
                raise ExportSetupError(
                    f"--fields {name}: {obj.singular} has no such field (or it is a relation)"
                )
            chosen += [m for m in matches if m not in chosen]
    if "id" not in chosen:
        chosen.insert(0, "id")
    return chosen


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


class _Writer:
    def __init__(self, handle: IO[str], fmt: OutFormat, fields: list[str]) -> None:
        self._handle = handle
        self._fmt = fmt
        self._fields = fields
        if fmt == "csv":
            self._write_csv([fields])

    def _write_csv(self, rows: list[list[str]]) -> None:
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerows(rows)
        self._handle.write(buffer.getvalue())

    def page(self, nodes: Sequence[Mapping[str, Any]]) -> None:
        if self._fmt == "csv":
            self._write_csv([[_cell(get_path(node, f)) for f in self._fields] for node in nodes])
        else:
            self._handle.write(
                "".join(json.dumps(node, ensure_ascii=False) + "\n" for node in nodes)
            )


def _format_of(path: Path, fmt: OutFormat | None) -> OutFormat:
    if fmt is not None:
        return fmt
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return "csv"
    if suffix in (".jsonl", ".ndjson", ".json"):
        return "jsonl"
    raise ExportSetupError(f"--out {path}: end the name with .csv or .jsonl")


async def run_export(
    twenty: Twenty,
    schema: GraphQLSchema,
    object_name: str,
    out: Path,
    *,
    filter: Mapping[str, Any] | None = None,
    fields: Sequence[str] | None = None,
    fmt: OutFormat | None = None,
    page_size: int | None = None,
    on_progress: Callable[[int, int | None], None] | None = None,
) -> ExportReport:
    """Write every record ``filter`` matches to ``out``; see the module doc."""
    try:
        obj = find_object(schema, object_name)
    except UnknownObjectError as exc:
        raise ExportSetupError(str(exc)) from None
    out_format = _format_of(out, fmt)
    paths = export_fields(obj, fields)
    names = obj.names
    sizer = (
        PageSizer.fixed_size(page_size)
        if page_size is not None
        else twenty.page_sizes.sizer(names.root_fields.find_many)
    )
    total = await count_records(twenty, names, filter, JOB_RETRY)
    calls = 1
    document, operation = list_query(names, paths, op_prefix="Export")
    temp = out.with_name(f".{out.name}.partial")
    try:
        handle = await asyncio.to_thread(temp.open, "w", encoding="utf-8", newline="")
    except OSError as exc:
        raise ExportSetupError(f"--out {out}: cannot write ({exc.strerror})") from None
    rows = 0

    async def fetch(query: str, variables: dict[str, Any]) -> dict[str, Any] | RawAnswer:
        nonlocal calls
        calls += 1
        # A large page comes unparsed and is read a chunk at a time (flat memory).
        return await twenty.runtime.send_raw(
            CHARGED_ENDPOINT, query, operation, variables, retry=JOB_RETRY
        )

    pages = raw_pages(
        fetch,
        document,
        {"filter": filter},
        names.root_fields.find_many,
        page_size=sizer,
        mode="keyset",
    )
    # One writing thread: the default pool may start a thread (and glibc a malloc arena, which
    # keeps what it held) for nearly every chunk; one thread keeps the memory flat (measured).
    loop = asyncio.get_running_loop()
    writing = ThreadPoolExecutor(max_workers=1, thread_name_prefix="twenty-gql-export")
    try:
        writer = _Writer(handle, out_format, paths)
        async for nodes in pages:
            if nodes:
                await loop.run_in_executor(writing, writer.page, nodes)
                rows += len(nodes)
            if on_progress is not None:
                on_progress(rows, total)
        await loop.run_in_executor(writing, _finish, handle)
        await asyncio.to_thread(os.replace, temp, out)
    except BaseException:
        await asyncio.to_thread(handle.close)
        with contextlib.suppress(OSError):
            temp.unlink()
        raise
    finally:
        writing.shutdown(wait=False)
    return ExportReport(obj.singular, out, rows, paths, calls, sizer.pages, sizer.reached)


def _finish(handle: IO[str]) -> None:
    handle.flush()
    os.fsync(handle.fileno())
    handle.close()
