"""Where an interrupted copy resumes: one JSON line per page that fully landed.

``{"job": KEY}`` opens the file; ``{"object", "phase", "after": ID}`` says every source record
of that phase up to ``ID`` (in id order) has been answered; ``{"object", "phase", "done": true}``
closes a phase. A copy is idempotent (records are upserted by id), so the journal only saves
work: a page written but not yet journalled when the process died is simply written again.
A journal for another job (other workspaces or objects) is set aside, never resumed.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import IO

__all__ = ["CopyJournal"]


class CopyJournal:
    def __init__(self, path: Path, job_key: str) -> None:
        self.path = path
        self.job_key = job_key
        self._after: dict[tuple[str, str], str] = {}
        self._done: set[tuple[str, str]] = set()
        self._handle: IO[str] | None = None

    @classmethod
    def open(cls, path: Path, job_key: str) -> CopyJournal:
        journal = cls(path, job_key)
        journal._load()
        fresh = not journal.path.exists()
        journal._handle = journal.path.open("a", encoding="utf-8")
        if fresh:
            journal._write({"job": job_key})
        return journal

    def _load(self) -> None:
        try:
            lines = self.path.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return
        entries = []
        for line in lines:
            try:
                entries.append(json.loads(line))
            except json.JSONDecodeError:
                break  # a line cut short by a crash: everything before it stands
        if not entries or entries[0].get("job") != self.job_key:
            os.replace(self.path, self.path.with_name(self.path.name + ".other"))
            return
        for entry in entries[1:]:
            key = (entry["object"], entry["phase"])
            if entry.get("done"):
                self._done.add(key)
            elif "after" in entry:
                self._after[key] = entry["after"]

    @property
    def resumed(self) -> bool:
        return bool(self._after or self._done)

    def is_done(self, object_name: str, phase: str) -> bool:
        return (object_name, phase) in self._done

    def resume_after(self, object_name: str, phase: str) -> str | None:
        return self._after.get((object_name, phase))

    def page_done(self, object_name: str, phase: str, last_id: str) -> None:
        self._after[(object_name, phase)] = last_id
        self._write({"object": object_name, "phase": phase, "after": last_id})

    def phase_done(self, object_name: str, phase: str) -> None:
        self._done.add((object_name, phase))
        self._write({"object": object_name, "phase": phase, "done": True})

    def _write(self, entry: dict[str, object]) -> None:
        assert self._handle is not None
        self._handle.write(json.dumps(entry) + "\n")
        self._handle.flush()

    def close(self, *, finished: bool) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None
        if finished:
            self.path.unlink(missing_ok=True)
