"""Relation lookups through ``Twenty.execute``: ids of the records whose unique key matches."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from twenty_gql.batch.chunking import chunked
from twenty_gql.batch.dedupe import UniqueKey, get_path
from twenty_gql.batch.documents import list_query
from twenty_gql.batch.jobs import JOB_RETRY
from twenty_gql.naming import ObjectNames
from twenty_gql.pagination import raw_pages

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
        self.pages = 0
        """Pages read so far (for the import summary)."""
        self.page_size_reached = 0

    async def find_ids(
        self, target: ObjectNames, key: UniqueKey, values: Sequence[str]
    ) -> Mapping[str, str]:
        path = key.paths[0]
        document, operation = list_query(target, ["id", path], op_prefix="Lookup")
        found: dict[str, str] = {}
        root = target.root_fields.find_many

        async def run(query: str, variables: dict[str, Any]) -> dict[str, Any]:
            return await self._twenty.execute(query, variables, operation, retry=JOB_RETRY)

        for chunk in chunked(list(values), self._twenty.profile.page_size):
            asked = [value.casefold() if key.casefold else value for value in chunk]
            # Through the shared page loop: a server that caps pages below the chunk still
            # yields every match, and what it taught about the object is kept.
            sizer = self._twenty.page_sizes.sizer(root)
            pages = raw_pages(
                run,
                document,
                {"filter": key_filter(path, asked)},
                root,
                page_size=sizer,
                mode="keyset",
            )
            async for nodes in pages:
                for node in nodes:
                    value = get_path(node, path)
                    if value is not None and node.get("id"):
                        found[str(value)] = str(node["id"])
            self.pages += sizer.pages
            self.page_size_reached = max(self.page_size_reached, sizer.reached)
        return found
