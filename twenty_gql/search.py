"""Typed full-text search across objects: Twenty's ``search`` root field, page by page.

``search`` works on ``/graphql`` but Twenty leaves it out of introspection, so codegen cannot
see it; this module is its hand-written, typed API::

    async for page in twenty.search("acme", limit=20, objects=["company", "person"]):
        for hit in page.results:
            print(hit.object_name_singular, hit.label, hit.ts_rank_cd)

Results from every searchable object (custom ones too) come merged by rank; each page asks for
the next with the previous page's ``end_cursor``. Twenty refuses a ``limit`` above 100 and a
document that mixes ``search`` with record root fields, so this module sends ``search`` alone and
checks ``limit`` before sending. Twenty's records rate limit does not count ``search`` calls.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["MAX_SEARCH_LIMIT", "SEARCH_QUERY", "SearchPage", "SearchResult", "search_pages"]

MAX_SEARCH_LIMIT = 100
"""Twenty's ``@Max(100)`` on ``limit``."""

SEARCH_QUERY = """\
query Search($searchInput: String!, $limit: Int!, $after: String,
    $filter: ObjectRecordFilterInput, $includedObjectNameSingulars: [String!],
    $excludedObjectNameSingulars: [String!]) {
  search(searchInput: $searchInput, limit: $limit, after: $after, filter: $filter,
      includedObjectNameSingulars: $includedObjectNameSingulars,
      excludedObjectNameSingulars: $excludedObjectNameSingulars) {
    edges {
      cursor
      node { recordId objectNameSingular objectLabelSingular label imageUrl tsRankCD tsRank }
    }
    pageInfo { hasNextPage endCursor }
  }
}
"""

Execute = Callable[[str, Mapping[str, Any]], Awaitable[dict[str, Any]]]
"""Runs a document with variables on ``/graphql`` and returns its ``data`` (``Twenty.execute``)."""


class SearchResult(BaseModel):
    """One record that matched, with Twenty's ranks (higher first)."""

    model_config = ConfigDict(frozen=True, populate_by_name=True)

    record_id: str = Field(alias="recordId")
    object_name_singular: str = Field(alias="objectNameSingular")
    object_label_singular: str = Field(alias="objectLabelSingular")
    label: str
    image_url: str | None = Field(default=None, alias="imageUrl")
    ts_rank_cd: float = Field(alias="tsRankCD")
    ts_rank: float = Field(alias="tsRank")
    cursor: str


class SearchPage(BaseModel):
    model_config = ConfigDict(frozen=True)

    results: list[SearchResult]
    has_next_page: bool
    end_cursor: str | None


def _variables(
    text: str,
    limit: int,
    after: str | None,
    objects: Sequence[str] | None,
    exclude: Sequence[str] | None,
    filter: Mapping[str, Any] | None,
) -> dict[str, Any]:
    variables: dict[str, Any] = {"searchInput": text, "limit": limit}
    if after is not None:
        variables["after"] = after
    if objects is not None:
        variables["includedObjectNameSingulars"] = list(objects)
    if exclude is not None:
        variables["excludedObjectNameSingulars"] = list(exclude)
    if filter is not None:
        variables["filter"] = dict(filter)
    return variables


def _page(data: dict[str, Any]) -> SearchPage:
    found = data["search"]
    results = [
        SearchResult.model_validate({**edge["node"], "cursor": edge["cursor"]})
        for edge in found["edges"]
    ]
    info = found["pageInfo"]
    return SearchPage(
        results=results, has_next_page=bool(info["hasNextPage"]), end_cursor=info["endCursor"]
    )


async def search_pages(
    execute: Execute,
    text: str,
    *,
    limit: int = 20,
    objects: Sequence[str] | None = None,
    exclude: Sequence[str] | None = None,
    filter: Mapping[str, Any] | None = None,
    after: str | None = None,
    max_pages: int | None = None,
) -> AsyncIterator[SearchPage]:
    """Pages of ``limit`` results for ``text``, following the cursor until the last page (or
    ``max_pages``). ``objects``/``exclude`` name objects by ``nameSingular``; ``filter`` takes
    and/or/not, id, createdAt, updatedAt and deletedAt."""
    if not 1 <= limit <= MAX_SEARCH_LIMIT:
        raise ValueError(f"search limit must be between 1 and {MAX_SEARCH_LIMIT}, got {limit}")
    pages = 0
    while True:
        variables = _variables(text, limit, after, objects, exclude, filter)
        page = _page(await execute(SEARCH_QUERY, variables))
        yield page
        pages += 1
        if not page.has_next_page or page.end_cursor is None:
            return
        if max_pages is not None and pages >= max_pages:
            return
        after = page.end_cursor
