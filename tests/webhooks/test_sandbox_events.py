"""The sandbox's writes -> Twenty's events (pure), and rolled-back writes are forgotten."""

from __future__ import annotations

import pytest

from twenty_gql.sandbox.record_changes import RecordingStore, Write, events_of
from twenty_gql.sandbox.store import Store

LIVE = {"id": "r1", "name": "A", "employees": 1, "deletedAt": None, "updatedAt": "t0"}


def test_writes_become_twentys_events() -> None:
    deleted = {**LIVE, "deletedAt": "t1", "updatedAt": "t1"}
    touched = {**LIVE, "updatedAt": "t2", "searchVector": "'a':1"}
    events = events_of(
        [
            Write("company", None, LIVE),
            Write("company", LIVE, {**LIVE, "employees": 2, "updatedAt": "t1"}),
            Write("company", LIVE, touched),  # only ignored fields changed: no event
            Write("company", LIVE, deleted),
            Write("company", deleted, LIVE),
            Write("company", LIVE, None),
        ]
    )
    assert [(e.name, e.updated_fields) for e in events] == [
        ("company.created", None),
        ("company.upserted", ["id", "name", "employees"]),  # updatedAt is ignored
        ("company.updated", ["employees"]),
        ("company.upserted", ["employees"]),
        ("company.deleted", ["deletedAt"]),
        ("company.restored", ["deletedAt"]),
        ("company.destroyed", None),
    ]
    assert events[-1].record == LIVE  # a destroyed record is delivered as it was


def test_a_rolled_back_transaction_leaves_no_writes() -> None:
    store = Store()
    store.ensure_table("company")
    recording = RecordingStore(store)
    with recording.transaction():
        recording.insert("company", dict(LIVE))
    with pytest.raises(RuntimeError), recording.transaction():
        recording.replace("company", {**LIVE, "employees": 9})
        recording.insert("company", {**LIVE, "id": "r2"})
        raise RuntimeError("refused batch")
    assert [(w.before, w.after and w.after["id"]) for w in recording.writes] == [(None, "r1")]
    assert store.get("company", "r1") == LIVE and store.get("company", "r2") is None
    store.close()
