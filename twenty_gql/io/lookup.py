"""Relation lookups through ``Twenty.execute``: ids of the records whose unique key matches."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from twenty_gql.batch.chunking import chunked
from twenty_gql.batch.dedupe import UniqueKey, get_path
from twenty_gql.batch.documents import list_query
from twenty_gql.batch.jobs import JOB_RETRY
from twenty_gql.naming import ObjectNames

if TYPE_CHECKING:
    from twenty_gql.client import Twenty

__all__ = ["TwentyRelationLookup", "key_filter"]


def key_filter(path: str, values: Sequence[str]) -> dict[str, Any]:
    """``domainName.primaryLinkUrl`` -> ``{"domainName": {"primaryLinkUrl": {"in": [...]}}}``."""
    node: dict[str, Any] = {"in": list(values)}
    for part in reversed(path.split(".")):
        node = {part: node}
    return node


class TwentyRelationLookup:
    def __init__(self, twenty: Twenty) -> None:
        self._twenty = twenty

    async def find_ids(
        self, target: ObjectNames, key: UniqueKey, values: Sequence[str]
    ) -> Mapping[str, str]:
        path = key.paths[0]
        document, operation = list_query(target, ["id", path], op_prefix="Lookup")
        found: dict[str, str] = {}
        page = self._twenty.profile.page_size
        for chunk in chunked(list(values), page):
            asked = [value.casefold() if key.casefold else value for value in chunk]
            data = await self._twenty.execute(
                document,
                {"filter": key_filter(path, asked), "first": len(asked)},
                operation,
                retry=JOB_RETRY,
            )
            connection = data.get(target.root_fields.find_many) or {}
            for edge in connection.get("edges") or ():
                node = edge.get("node") or {}
                value = get_path(node, path)
                if value is not None and node.get("id"):
                    found[str(value)] = str(node["id"])
        return found
