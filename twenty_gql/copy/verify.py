"""``--verify``: both workspaces' copies of each object, compared record by record.

Both sides are read in id order (soft-deleted records included) and merged like two sorted
files, so memory holds two pages, not the object. Per object: the record counts, how many are
soft-deleted, a checksum (sha256 over each record's compared form, in id order) and the first
differences by id.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from twenty_gql.copy.plan import ObjectPlan
from twenty_gql.copy.records import canonical, read_pages

if TYPE_CHECKING:
    from twenty_gql.client import Twenty

__all__ = ["ObjectCheck", "verify_object"]

MAX_LISTED = 20


@dataclass(slots=True)
class Side:
    count: int = 0
    deleted: int = 0
    checksum: str = ""


@dataclass(slots=True)
class ObjectCheck:
    object_name: str
    source: Side
    target: Side
    differences: list[str] = field(default_factory=list)
    different: int = 0

    @property
    def matches(self) -> bool:
        return self.different == 0 and self.source.checksum == self.target.checksum


async def _records(
    twenty: Twenty, plan: ObjectPlan, paths: Sequence[str], side: Side
) -> AsyncIterator[tuple[str, str]]:
    hasher = hashlib.sha256()
    async for page in read_pages(twenty, plan.names, paths):
        for record in page:
            one = canonical(record, paths)
            hasher.update(hashlib.sha256(one.encode()).digest())
            side.count += 1
            side.deleted += record.get("deletedAt") is not None
            yield record["id"], one
    side.checksum = hasher.hexdigest()[:16]


async def _next(iterator: AsyncIterator[tuple[str, str]]) -> tuple[str, str] | None:
    try:
        return await anext(iterator)
    except StopAsyncIteration:
        return None


def _differing(source: str, target: str) -> list[str]:
    mine, theirs = json.loads(source), json.loads(target)
    return [path for path in mine if mine[path] != theirs.get(path)]


async def verify_object(source: Twenty, target: Twenty, plan: ObjectPlan) -> ObjectCheck:
    paths = [*plan.fields, *plan.deferred]
    if "deletedAt" not in paths:
        paths.append("deletedAt")
    check = ObjectCheck(plan.singular, Side(), Side())
    left = _records(source, plan, paths, check.source)
    right = _records(target, plan, paths, check.target)
    a, b = await _next(left), await _next(right)

    def note(text: str) -> None:
        check.different += 1
        if len(check.differences) < MAX_LISTED:
            check.differences.append(text)

    while a is not None or b is not None:
        if b is None or (a is not None and a[0] < b[0]):
            assert a is not None
            note(f"{plan.singular} {a[0]}: missing in the target")
            a = await _next(left)
        elif a is None or b[0] < a[0]:
            note(f"{plan.singular} {b[0]}: only in the target")
            b = await _next(right)
        else:
            if a[1] != b[1]:
                note(f"{plan.singular} {a[0]}: {', '.join(_differing(a[1], b[1]))} differ")
            a, b = await _next(left), await _next(right)
    return check
