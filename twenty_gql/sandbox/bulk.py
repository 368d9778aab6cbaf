"""Bulk loading for benchmarks and large tests: copies of one record, straight into the store.

No checks and no API call: a million records load in seconds, where creating them through
``/graphql`` would take the budget's hours. The template should be a record the sandbox created
(so every field the schema declares non-null is present).
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator, Mapping
from typing import Any

from .store import Store

__all__ = ["load_copies"]


def load_copies(
    store: Store,
    object_singular: str,
    template: Mapping[str, Any],
    count: int,
    *,
    rng: random.Random | None = None,
) -> list[str]:
    """Insert ``count`` copies of ``template`` with new random ids (drawn from ``rng`` when
    given, so a test can repeat them) and numbered names; returns their ids in insertion order."""
    ids: list[str] = []
    name = template.get("name")

    def copies() -> Iterator[dict[str, Any]]:
        for i in range(count):
            record = dict(template)
            record["id"] = str(
                uuid.UUID(int=rng.getrandbits(128), version=4) if rng else uuid.uuid4()
            )
            if isinstance(name, str):
                record["name"] = f"{name} {i}"
            ids.append(record["id"])
            yield record

    store.insert_many(object_singular, copies())
    return ids
