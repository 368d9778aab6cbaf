"""A workspace's objects and fields through ``/metadata``, every page of them.

Twenty's ``objects`` and ``fields`` (and ``Object.fields``) answer 10 a page when ``paging`` is
left out (the argument defaults to ``{first: 10}``, reference NOTES (m)), and a workspace has
dozens of objects (33 in a fresh 2.21 one), each with dozens of fields. So every listing the
client makes follows ``pageInfo.hasNextPage``/``endCursor``, asking :data:`METADATA_PAGE_SIZE`
a page (Twenty answered ``first: 1000`` whole, transcript 69), and reads an object's fields from
the unpaged ``fieldsList``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from twenty_gql.pagination import paginate_raw

__all__ = ["METADATA_PAGE_SIZE", "every_object"]

METADATA_PAGE_SIZE = 1000


async def every_object(
    execute: Callable[[str, dict[str, Any]], Awaitable[Mapping[str, Any]]],
    operation_name: str,
    selection: str,
    *,
    page_size: int = METADATA_PAGE_SIZE,
) -> list[dict[str, Any]]:
    """Every object's ``selection`` (GraphQL, e.g. ``"nameSingular fieldsList { name }"``), in
    Twenty's order; ``execute(document, variables)`` runs a document on ``/metadata``."""
    document = (
        f"query {operation_name}($first: Int!, $after: ConnectionCursor) "
        "{ objects(paging: {first: $first, after: $after}) "
        f"{{ pageInfo {{ hasNextPage endCursor }} edges {{ node {{ {selection} }} }} }} }}"
    )
    pages = paginate_raw(execute, document, None, "objects", page_size=page_size)
    return [node async for node in pages]
