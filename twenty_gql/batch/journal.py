"""The job journal: an append-only JSONL file that lets a killed job resume.

The first line names the job (a key hashing the input and the job's options); every later line
records one batch that the server answered: the input rows it covered, as index ranges, and the
rows it refused with the reason. Each line is flushed and fsynced before the job moves on, so
after ``kill -9`` the journal holds every landed batch, at worst plus a torn last line, which is
dropped. A rerun skips the rows the journal covers and sends only the rest.
"""

from __future__ import annotations

import asyncio
import bisect
import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

__all__ = ["Journal", "JournalError", "JournalFailure", "to_ranges"]

_FORMAT = 1


class JournalError(ValueError):
    """The journal cannot be used for this job; the message says why and names the file."""


@dataclass(frozen=True, slots=True)
class JournalFailure:
    code: str | None
    sub_code: str | None
    field: str | None
    message: str


def to_ranges(indices: Iterable[int]) -> list[list[int]]:
    """``[0, 1, 2, 5, 6]`` -> ``[[0, 3], [5, 7]]`` (half-open ranges)."""
    ranges: list[list[int]] = []
    for index in sorted(indices):
        if ranges and ranges[-1][1] == index:
            ranges[-1][1] = index + 1
        else:
            ranges.append([index, index + 1])
    return ranges


class _Coverage:
    """Sorted, merged half-open ranges of row indices."""

    def __init__(self) -> None:
        self._starts: list[int] = []
        self._ends: list[int] = []

    def add(self, start: int, end: int) -> None:
        position = bisect.bisect_left(self._starts, start)
        self._starts.insert(position, start)
        self._ends.insert(position, end)
        self._merge()

    def _merge(self) -> None:
        starts, ends = self._starts, self._ends
        merged_s: list[int] = []
        merged_e: list[int] = []
        for s, e in zip(starts, ends, strict=True):
            if merged_e and s <= merged_e[-1]:
                merged_e[-1] = max(merged_e[-1], e)
            else:
                merged_s.append(s)
                merged_e.append(e)
        self._starts, self._ends = merged_s, merged_e

    def __contains__(self, index: int) -> bool:
        position = bisect.bisect_right(self._starts, index) - 1
        return position >= 0 and index < self._ends[position]

    def __len__(self) -> int:
        return sum(e - s for s, e in zip(self._starts, self._ends, strict=True))


class Journal:
    """Open with :meth:`open`; ``covers(i)`` says whether row ``i`` was answered before."""

    def __init__(self, path: Path, job_key: str) -> None:
        self.path = path
        self.job_key = job_key
        self._covered = _Coverage()
        self._failures: dict[int, JournalFailure] = {}
        self._handle: IO[str] | None = None
        self._lock = asyncio.Lock()
        self.resumed = False

    @classmethod
    async def open(cls, path: str | Path, job_key: str) -> Journal:
        journal = cls(Path(path), job_key)
        await asyncio.to_thread(journal._open_sync)
        return journal

    def _open_sync(self) -> None:
        if self.path.exists() and self.path.stat().st_size > 0:
            self._load()
            self.resumed = True
        else:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self._handle = self.path.open("a", encoding="utf-8")
        if not self.resumed:
            self._write_line({"journal": _FORMAT, "job": self.job_key})

    def _load(self) -> None:
        raw = self.path.read_bytes()
        complete = raw[: raw.rfind(b"\n") + 1]
        if len(complete) != len(raw):
            # A torn line from a killed run: drop it so appends start on a fresh line.
            with self.path.open("r+b") as handle:
                handle.truncate(len(complete))
        lines = complete.decode("utf-8").splitlines()
        try:
            header = json.loads(lines[0]) if lines else {}
        except json.JSONDecodeError:
            header = {}
        if not isinstance(header, dict) or header.get("journal") != _FORMAT:
            raise JournalError(f"{self.path} is not a twenty-gql journal")
        if header.get("job") != self.job_key:
            raise JournalError(
                f"{self.path} belongs to another job (the input or the options changed); "
                "delete it or pass another --journal"
            )
        for number, line in enumerate(lines[1:], start=2):
            try:
                entry = json.loads(line)
                for start, end in entry["rows"]:
                    self._covered.add(int(start), int(end))
                for failure in entry.get("failed", ()):
                    self._failures[int(failure["index"])] = JournalFailure(
                        code=failure.get("code"),
                        sub_code=failure.get("sub_code"),
                        field=failure.get("field"),
                        message=str(failure.get("message", "")),
                    )
            except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
                raise JournalError(f"{self.path}:{number}: unreadable journal entry") from exc

    def covers(self, index: int) -> bool:
        return index in self._covered

    def failure(self, index: int) -> JournalFailure | None:
        return self._failures.get(index)

    @property
    def covered_rows(self) -> int:
        return len(self._covered)

    async def record(
        self, indices: Sequence[int], failures: Sequence[tuple[int, JournalFailure]]
    ) -> None:
        """Append one answered batch and fsync it."""
        entry: dict[str, Any] = {"rows": to_ranges(indices)}
        if failures:
            entry["failed"] = [
                {
                    "index": index,
                    "code": failure.code,
                    "sub_code": failure.sub_code,
                    "field": failure.field,
                    "message": failure.message,
                }
                for index, failure in failures
            ]
        async with self._lock:
            await asyncio.to_thread(self._write_line, entry)
        for start, end in entry["rows"]:
            self._covered.add(start, end)

    def _write_line(self, entry: dict[str, Any]) -> None:
        assert self._handle is not None, "the journal is closed"
        self._handle.write(json.dumps(entry, separators=(",", ":")) + "\n")
        self._handle.flush()
        os.fsync(self._handle.fileno())

    async def close(self) -> None:
        if self._handle is not None:
            handle, self._handle = self._handle, None
            await asyncio.to_thread(handle.close)
