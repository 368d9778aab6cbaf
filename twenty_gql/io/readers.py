"""Streaming CSV and JSONL rows from a file or stdin, without blocking the event loop.

Rows are read in a worker thread a chunk at a time, so a file of any size costs the memory of
one chunk. Each row carries its index among the data rows and the line it starts on (CSV
records can span lines). A row that cannot be read (bad JSON, too many CSV cells) is still
yielded, with ``error`` set, so it is reported with its line instead of stopping the import.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import sys
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Literal

__all__ = ["InputFileError", "RowSource", "SourceRow", "open_rows"]

Format = Literal["csv", "jsonl"]
_EXTENSIONS: dict[str, Format] = {
    ".csv": "csv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
}
_CHUNK_ROWS = 512
csv.field_size_limit(16 * 1024 * 1024)


class InputFileError(ValueError):
    """The input cannot be read at all (missing, unreadable, no CSV header); names the file."""


@dataclass(slots=True)
class SourceRow:
    index: int
    line: int
    values: dict[str, Any] | None
    error: str | None = None


def _csv_rows(handle: IO[str], headers: list[str], first_line: int) -> Iterator[SourceRow]:
    reader = csv.reader(handle)
    index = 0
    previous_end = first_line
    for cells in reader:
        start = previous_end + 1
        previous_end = first_line + reader.line_num
        if not cells or (len(cells) == 1 and not cells[0].strip()):
            continue
        if len(cells) > len(headers):
            row = SourceRow(index, start, None, f"{len(cells)} values for {len(headers)} columns")
        else:
            row = SourceRow(index, start, dict(zip(headers, cells, strict=False)))
        index += 1
        yield row


def _jsonl_rows(handle: IO[str]) -> Iterator[SourceRow]:
    index = 0
    for number, text in enumerate(handle, start=1):
        if not text.strip():
            continue
        try:
            value = json.loads(text)
        except json.JSONDecodeError as exc:
            row = SourceRow(index, number, None, f"not valid JSON: {exc.msg}")
        else:
            if isinstance(value, dict):
                row = SourceRow(index, number, value)
            else:
                row = SourceRow(index, number, None, "a JSONL row must be a JSON object")
        index += 1
        yield row


class RowSource:
    """An opened input. ``headers`` is the CSV header row (``None`` for JSONL)."""

    def __init__(self, name: str, fmt: Format, handle: IO[str], headers: list[str] | None) -> None:
        self.name = name
        self.format: Format = fmt
        self.headers = headers
        self._handle = handle
        self._rows = (
            _csv_rows(handle, headers, 1)
            if fmt == "csv" and headers is not None
            else _jsonl_rows(handle)
        )

    async def __aiter__(self) -> AsyncIterator[SourceRow]:
        while True:
            chunk = await asyncio.to_thread(_take, self._rows, _CHUNK_ROWS)
            for row in chunk:
                yield row
            if len(chunk) < _CHUNK_ROWS:
                return

    async def close(self) -> None:
        if self._handle is not sys.stdin:
            await asyncio.to_thread(self._handle.close)


def _take(rows: Iterator[SourceRow], count: int) -> list[SourceRow]:
    chunk: list[SourceRow] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == count:
            break
    return chunk


def _open_sync(path: str, fmt: Format | None) -> RowSource:
    if path == "-":
        handle: IO[str] = io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8-sig", newline="")
        name = "stdin"
    else:
        file = Path(path)
        name = str(file)
        if fmt is None:
            fmt = _EXTENSIONS.get(file.suffix.lower())
        try:
            handle = file.open("r", encoding="utf-8-sig", newline="")
        except FileNotFoundError:
            raise InputFileError(f"{name}: no such file") from None
        except IsADirectoryError:
            raise InputFileError(f"{name}: is a directory, not a file") from None
        except OSError as exc:
            raise InputFileError(f"{name}: cannot open ({exc.strerror})") from None
    if fmt is None:
        fmt = _sniff(handle)
    if fmt == "jsonl":
        return RowSource(name, "jsonl", handle, None)
    header_line = handle.readline()
    try:
        headers = next(csv.reader([header_line]), [])
    except csv.Error as exc:
        raise InputFileError(f"{name}: unreadable CSV header ({exc})") from None
    headers = [h.strip() for h in headers]
    if not any(headers):
        handle.close()
        raise InputFileError(f"{name}: empty file (a CSV file needs a header row)")
    if len(set(headers)) != len(headers):
        dupes = sorted({h for h in headers if headers.count(h) > 1})
        handle.close()
        raise InputFileError(f"{name}: the header repeats column {', '.join(dupes)}")
    return RowSource(name, "csv", handle, headers)


def _sniff(handle: IO[str]) -> Format:
    """Peek at the first character: ``{`` means JSONL, anything else CSV."""
    if handle.seekable():
        position = handle.tell()
        head = handle.read(1024)
        handle.seek(position)
        return "jsonl" if head.lstrip().startswith("{") else "csv"
    # stdin cannot seek back after a peek: the caller must name the format.
    raise InputFileError("cannot tell the format of stdin: pass --format csv or --format jsonl")


async def open_rows(path: str, *, fmt: Format | None = None) -> RowSource:
    """Open ``path`` (``-`` for stdin) as CSV or JSONL (from the extension, else sniffed)."""
    return await asyncio.to_thread(_open_sync, path, fmt)
