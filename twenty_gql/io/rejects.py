"""The rejects file: one JSON line per refused row, with its line number, the row as read, and
the reason (the server's own message, or the client's check that refused it)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import IO, Any

from twenty_gql.batch.result import RowOutcome

__all__ = ["RejectsWriter"]

_FLUSH_EVERY = 256


class RejectsWriter:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.count = 0
        self._buffer: list[str] = []
        self._handle: IO[str] | None = None

    async def open(self) -> RejectsWriter:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._handle = await asyncio.to_thread(self.path.open, "w", encoding="utf-8")
        return self

    def add(self, outcome: RowOutcome, row: Any) -> None:
        entry: dict[str, Any] = {"line": outcome.line, "index": outcome.index, "row": row}
        entry["reason"] = outcome.message or "rejected"
        for name in ("code", "sub_code", "field"):
            value = getattr(outcome, name)
            if value is not None:
                entry[name] = value
        self._buffer.append(json.dumps(entry, ensure_ascii=False, default=str) + "\n")
        self.count += 1

    async def flush(self) -> None:
        if self._buffer and self._handle is not None:
            lines, self._buffer = "".join(self._buffer), []
            handle = self._handle
            await asyncio.to_thread(_write, handle, lines)

    @property
    def needs_flush(self) -> bool:
        return len(self._buffer) >= _FLUSH_EVERY

    async def close(self) -> None:
        await self.flush()
        if self._handle is not None:
            handle, self._handle = self._handle, None
            await asyncio.to_thread(handle.close)


def _write(handle: IO[str], text: str) -> None:
    handle.write(text)
    handle.flush()
