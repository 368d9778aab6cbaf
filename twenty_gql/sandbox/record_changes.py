"""What a request changed, record by record, as the events Twenty emits for it.

:class:`RecordingStore` stands in for the :class:`Store` of one request's ``Records``: it forwards
everything and notes each write (insert, replace, delete) with the record before and after. A
write inside a transaction that rolls back is forgotten, so a refused batch emits nothing. No
record module knows it is watched: every mutation (create, upsert, update, delete, restore,
destroy, by id or by filter, merge) is seen because every one of them writes through the store.

:func:`events_of` turns the writes into Twenty's events, as its ORM emits them (source:
``format-twenty-orm-event-to-database-batch-event``, ``object-record-changed-values``):

* insert -> ``created``, then ``upserted``;
* replace -> ``deleted`` (deletedAt set), ``restored`` (deletedAt cleared) or ``updated``, each
  with ``updatedFields``: the fields whose value changed, ignoring ``updatedAt`` and
  ``searchVector``; a write that changed nothing emits nothing. ``updated`` is followed by
  ``upserted``;
* delete -> ``destroyed``, carrying the record as it was.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from .store import Store

__all__ = ["RecordEvent", "RecordingStore", "Write", "events_of"]

_IGNORED = frozenset({"updatedAt", "searchVector"})


@dataclass(frozen=True, slots=True)
class Write:
    object_name: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


@dataclass(frozen=True, slots=True)
class RecordEvent:
    object_name: str
    action: str
    record: dict[str, Any]
    updated_fields: list[str] | None

    @property
    def name(self) -> str:
        return f"{self.object_name}.{self.action}"


class RecordingStore:
    """A :class:`Store` that also keeps the list of committed writes in ``writes``."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self.writes: list[Write] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        mark = len(self.writes)
        try:
            with self._store.transaction():
                yield
        except BaseException:
            del self.writes[mark:]
            raise

    def insert(self, object_singular: str, record: dict[str, Any]) -> None:
        self._store.insert(object_singular, record)
        self.writes.append(Write(object_singular, None, _copy(record)))

    def replace(self, object_singular: str, record: dict[str, Any]) -> None:
        before = self._store.get(object_singular, record["id"])
        self._store.replace(object_singular, record)
        self.writes.append(Write(object_singular, before, _copy(record)))

    def delete(self, object_singular: str, ids: Sequence[str]) -> None:
        before = self._store.get_many(object_singular, ids)
        self._store.delete(object_singular, ids)
        self.writes.extend(Write(object_singular, before[i], None) for i in ids if i in before)


def _copy(record: dict[str, Any]) -> dict[str, Any]:
    # The caller may go on changing its dict (soft_delete does); keep what was written.
    copied: dict[str, Any] = json.loads(json.dumps(record))
    return copied


def _changed(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    return [key for key, value in after.items() if key not in _IGNORED and before.get(key) != value]


def events_of(writes: Sequence[Write]) -> list[RecordEvent]:
    events: list[RecordEvent] = []
    for write in writes:
        name, before, after = write.object_name, write.before, write.after
        if after is None:
            if before is not None:
                events.append(RecordEvent(name, "destroyed", before, None))
            continue
        if before is None:
            events.append(RecordEvent(name, "created", after, None))
            events.append(RecordEvent(name, "upserted", after, _changed({}, after)))
            continue
        fields = _changed(before, after)
        if not fields:
            continue
        was_deleted, is_deleted = (
            before.get("deletedAt") is not None,
            after.get("deletedAt") is not None,
        )
        if is_deleted and not was_deleted:
            events.append(RecordEvent(name, "deleted", after, fields))
        elif was_deleted and not is_deleted:
            events.append(RecordEvent(name, "restored", after, fields))
        else:
            events.append(RecordEvent(name, "updated", after, fields))
            events.append(RecordEvent(name, "upserted", after, fields))
    return events
