"""Setting relations by a unique key of the target: ``company.domainName`` -> ``companyId``.

Rows pass through a small buffer; the distinct key values the buffer needs and the cache does not
hold go to the lookup once per target (which asks with ``in`` filters, a page of values a query),
then each row gets its ids. A value that matches no record rejects the row, naming the relation
and the value. The cache is bounded.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import AsyncIterable, AsyncIterator, Mapping, Sequence
from typing import Protocol

from twenty_gql.batch.dedupe import UniqueKey
from twenty_gql.batch.engine import InputRow
from twenty_gql.batch.sender import Rejection, RejectionKind
from twenty_gql.io.object_schema import RelationPath
from twenty_gql.io.rows import CLIENT_VALIDATION, BuiltRow, set_path
from twenty_gql.naming import ObjectNames

__all__ = ["RELATION_NOT_FOUND", "RelationLookup", "resolve_relations"]

RELATION_NOT_FOUND = "RELATION_NOT_FOUND"


class RelationLookup(Protocol):
    async def find_ids(
        self, target: ObjectNames, key: UniqueKey, values: Sequence[str]
    ) -> Mapping[str, str]:
        """``{value: id}`` for the ``target`` records whose ``key`` is one of ``values`` (as
        many as one buffer of rows needs: the lookup cuts them to its own query size)."""
        ...


def _norm(key: UniqueKey, value: str) -> str:
    return value.casefold() if key.casefold else value


class _Cache:
    def __init__(self, size: int) -> None:
        self._size = size
        self._items: OrderedDict[tuple[str, str, str], str | None] = OrderedDict()

    def get(self, slot: tuple[str, str, str]) -> tuple[bool, str | None]:
        if slot in self._items:
            self._items.move_to_end(slot)
            return True, self._items[slot]
        return False, None

    def put(self, slot: tuple[str, str, str], value: str | None) -> None:
        self._items[slot] = value
        self._items.move_to_end(slot)
        while len(self._items) > self._size:
            self._items.popitem(last=False)


def _slot(relation: RelationPath, value: str) -> tuple[str, str, str]:
    return (relation.target.singular, relation.key.name, _norm(relation.key, value))


async def resolve_relations(
    rows: AsyncIterable[BuiltRow],
    lookup: RelationLookup | None,
    *,
    buffer: int = 200,
    cache_size: int = 100_000,
) -> AsyncIterator[InputRow]:
    """``BuiltRow`` -> ``InputRow`` with relation ids set (or the row rejected)."""
    cache = _Cache(cache_size)
    pending: list[BuiltRow] = []
    async for row in rows:
        if not row.relations and not pending:
            yield _input(row)
            continue
        pending.append(row)
        if len(pending) >= buffer:
            for ready in await _resolve(pending, lookup, cache):
                yield ready
            pending = []
    if pending:
        for ready in await _resolve(pending, lookup, cache):
            yield ready


def _input(row: BuiltRow) -> InputRow:
    return InputRow(row.index, row.data, line=row.line, error=row.error)


async def _resolve(
    rows: list[BuiltRow], lookup: RelationLookup | None, cache: _Cache
) -> list[InputRow]:
    wanted: dict[tuple[str, str], tuple[RelationPath, set[str]]] = {}
    for row in rows:
        for relation, value in row.relations:
            if not cache.get(_slot(relation, value))[0]:
                group = (relation.target.singular, relation.key.name)
                wanted.setdefault(group, (relation, set()))[1].add(value)
    for relation, values in wanted.values():
        ordered = sorted(values)
        found = (
            {} if lookup is None else await lookup.find_ids(relation.target, relation.key, ordered)
        )
        normalised = {_norm(relation.key, k): v for k, v in found.items()}
        for value in ordered:
            cache.put(_slot(relation, value), normalised.get(_norm(relation.key, value)))
    ready: list[InputRow] = []
    for row in rows:
        ready.append(_finish(row, cache, checked=lookup is not None))
    return ready


def _finish(row: BuiltRow, cache: _Cache, *, checked: bool) -> InputRow:
    if row.data is None or not row.relations:
        return _input(row)
    data = dict(row.data)
    for relation, value in row.relations:
        record_id = cache.get(_slot(relation, value))[1]
        if record_id is None:
            if not checked:
                continue
            return InputRow(
                row.index,
                None,
                line=row.line,
                error=Rejection(
                    RejectionKind.CONTENT,
                    f"no {relation.target.singular} has {relation.key.paths[0]} {value!r}",
                    code=CLIENT_VALIDATION,
                    sub_code=RELATION_NOT_FOUND,
                    field=relation.path,
                ),
            )
        set_path(data, relation.id_field, record_id)
    return InputRow(row.index, data, line=row.line)
