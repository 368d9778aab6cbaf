"""Async iteration over Twenty connections (``{pageInfo, edges {cursor node}}``).

Two modes:

* ``"cursor"`` follows ``pageInfo.endCursor`` while ``pageInfo.hasNextPage`` (never
  ``hasPreviousPage``: Twenty leaves it false on pages fetched with ``after``, transcript 02). The
  cursor encodes the sort key and id, so records inserted meanwhile never shift a page.
* ``"keyset"`` orders by ``id`` and asks each page for ``id > last id``, combined with the
  caller's filter through ``and``. Each page is an index range scan, whatever the depth, which
  suits exports of millions of rows; a record inserted meanwhile shows up only if its id sorts
  after the current position.

Both yield each record once; records that existed before the iteration began are never missed.

Page sizes: a fixed ``page_size`` (an int) asks that many records each page. Given the
workspace's :class:`~twenty_gql.page_sizes.PageSizes` (what ``Twenty.paginate``, export and the
bulk jobs pass), the loop sizes each page from the answers: it grows while pages come back full
and fast, shrinks on a slow answer, a 5xx, a timeout or a "too complex" refusal, and learns the
server's cap; see :mod:`twenty_gql.page_sizes`. Either way each page continues after the last
record received, so a page smaller than asked or a change of size loses and repeats nothing.
"""

from __future__ import annotations

import inspect
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from typing import Any, Literal

from pydantic import BaseModel

from twenty_gql.base_client import RawAnswer
from twenty_gql.connection_stream import StreamedConnection
from twenty_gql.events import LAST_ANSWER
from twenty_gql.page_sizes import PageSizer, PageSizes

__all__ = [
    "KEYSET_ORDER",
    "PageMode",
    "PaginationError",
    "paginate",
    "paginate_raw",
    "raw_pages",
]

PageMode = Literal["cursor", "keyset"]
KEYSET_ORDER: list[dict[str, str]] = [{"id": "AscNullsFirst"}]


class PaginationError(ValueError):
    """The operation or answer cannot be paginated; the message says why."""


def _get(obj: object, graphql_name: str, python_name: str) -> Any:
    if isinstance(obj, Mapping):
        return obj.get(graphql_name)
    return getattr(obj, python_name, None)


def _find_connection(result: object, where: str) -> tuple[str, object]:
    """The one root field of ``result`` that is a connection (it has ``edges``)."""
    if isinstance(result, Mapping):
        items = list(result.items())
    elif isinstance(result, BaseModel):
        items = [(name, getattr(result, name)) for name in type(result).model_fields]
    else:
        raise PaginationError(f"{where} returned {type(result).__name__}, not a GraphQL result")
    found = [(n, v) for n, v in items if _get(v, "edges", "edges") is not None]
    if len(found) != 1:
        names = ", ".join(n for n, _ in items) or "nothing"
        raise PaginationError(
            f"{where} must return exactly one connection (a field with edges); it returned {names}"
        )
    return found[0]


def _page(connection: object) -> tuple[list[Any], bool | None, str | None]:
    edges = _get(connection, "edges", "edges") or []
    nodes = [_get(edge, "node", "node") for edge in edges]
    has_next, cursor = _page_info(_get(connection, "pageInfo", "page_info"))
    if cursor is None and edges:
        cursor = _get(edges[-1], "cursor", "cursor")
    return nodes, has_next, cursor


def _page_info(page_info: object) -> tuple[bool | None, str | None]:
    if page_info is None:
        return None, None
    has_next = _get(page_info, "hasNextPage", "has_next_page")
    return has_next, _get(page_info, "endCursor", "end_cursor")


def _keyset_filter(user_filter: object, last_id: object) -> object:
    after = {"id": {"gt": str(last_id)}}
    if last_id is None:
        return user_filter
    if user_filter is None:
        return after
    return {"and": [user_filter, after]}


def _node_id(node: object) -> object:
    node_id = _get(node, "id", "id")
    if node_id is None:
        raise PaginationError("keyset pagination needs the id of every node: select `id`")
    return node_id


def _filter_parameter(method: Callable[..., object]) -> str:
    try:
        parameters = inspect.signature(method).parameters
    except (TypeError, ValueError):
        return "filter_"
    for name in ("filter_", "filter"):
        if name in parameters:
            return name
    return "filter_"


def _check(mode: str) -> None:
    if mode not in ("cursor", "keyset"):
        raise PaginationError(f"mode must be 'cursor' or 'keyset' (got {mode!r})")


async def _pages(
    fetch: Callable[[dict[str, Any]], Awaitable[tuple[str, object]]],
    *,
    sizer: PageSizer,
    mode: PageMode,
    user_filter: object,
    filter_name: str,
    order_name: str,
) -> AsyncIterator[list[Any]]:
    """The nodes of each page (the last may be empty); ``fetch(arguments)`` returns the root
    field's name and its connection for ``first`` plus the cursor or keyset arguments.

    The next page always continues after the last record received, so a page of any size
    (smaller than asked, because the server capped it, or a new size) loses and repeats nothing.
    """
    cursor: str | None = None
    last_id: object = None
    while True:
        asked = sizer.next_size()
        call: dict[str, Any] = {"first": asked}
        if mode == "cursor":
            if user_filter is not None:
                call[filter_name] = user_filter
            if cursor is not None:
                call["after"] = cursor
        else:
            keyset = _keyset_filter(user_filter, last_id)
            if keyset is not None:
                call[filter_name] = keyset
            call[order_name] = KEYSET_ORDER
        LAST_ANSWER.set(None)
        started = time.perf_counter()
        try:
            root, connection = await fetch(call)
        except Exception as error:
            if sizer.failed(asked, error):
                continue
            raise
        measure = LAST_ANSWER.get()
        seconds = measure.seconds if measure is not None else time.perf_counter() - started
        sizer.bind(root)
        if isinstance(connection, StreamedConnection):
            # A large page: handed on a chunk at a time, never decoded whole.
            returned, last = 0, None
            for chunk in connection.chunks():
                if chunk:
                    returned, last = returned + len(chunk), chunk[-1]
                    yield chunk
            if not connection.found:
                raise PaginationError(f"the answer has no {root!r} connection")
            if not returned:
                yield []
            has_next, next_cursor = _page_info(connection.fields.get("pageInfo"))
        else:
            nodes, has_next, next_cursor = _page(connection)
            returned, last = len(nodes), nodes[-1] if nodes else None
            yield nodes
        sizer.answered(
            asked, returned, has_next, seconds, measure.size if measure is not None else None
        )
        if not returned:
            return
        if mode == "cursor":
            if not has_next or next_cursor is None:
                return
            cursor = next_cursor
        else:
            if has_next is False or (has_next is None and returned < asked):
                return
            last_id = _node_id(last)


def _sizer(page_size: int | PageSizes | PageSizer, key: str | None) -> PageSizer:
    if isinstance(page_size, PageSizer):
        return page_size
    if isinstance(page_size, PageSizes):
        return page_size.sizer(key)
    if isinstance(page_size, bool) or not isinstance(page_size, int) or page_size < 1:
        raise PaginationError(f"page_size must be at least 1 (got {page_size!r})")
    return PageSizer.fixed_size(page_size)


async def paginate(
    method: Callable[..., Awaitable[object]],
    *,
    page_size: int | PageSizes | PageSizer,
    mode: PageMode = "cursor",
    filter: object = None,
    **kwargs: Any,
) -> AsyncIterator[Any]:
    """Yield every node of a generated list operation, page by page.

    ``method`` is a generated client method taking ``first``, ``after``, ``filter_`` and
    ``order_by`` (as scaffolded list operations do); ``kwargs`` are passed on. ``page_size``:
    an int asks that many records a page; a :class:`PageSizes` (the workspace's, as
    ``Twenty.paginate`` passes) sizes pages from the answers; a :class:`PageSizer` as well, and
    tells afterwards how many pages were read and the page size reached.
    """
    _check(mode)
    sizer = _sizer(page_size, None)
    where = getattr(method, "__qualname__", repr(method))
    if mode == "keyset" and kwargs.get("order_by") is not None:
        raise PaginationError("keyset pagination orders by id: do not pass order_by")

    async def fetch(call: dict[str, Any]) -> tuple[str, object]:
        return _find_connection(await method(**{**kwargs, **call}), where)

    pages = _pages(
        fetch,
        sizer=sizer,
        mode=mode,
        user_filter=filter,
        filter_name=_filter_parameter(method),
        order_name="order_by",
    )
    async for nodes in pages:
        for node in nodes:
            yield node


def raw_pages(
    execute: Callable[[str, dict[str, Any]], Awaitable[Mapping[str, Any] | RawAnswer]],
    query: str,
    variables: Mapping[str, Any] | None,
    connection_path: str | Sequence[str],
    *,
    page_size: int | PageSizes | PageSizer,
    mode: PageMode = "cursor",
) -> AsyncIterator[list[dict[str, Any]]]:
    """:func:`paginate_raw` a page at a time: the nodes of each page (the last may be empty).

    ``execute`` may return a :class:`~twenty_gql.base_client.RawAnswer` (``Runtime.send_raw``):
    its page is then read a chunk at a time, each chunk yielded as a list, so a page of any
    size costs the memory of its body and one chunk of records.
    """
    path = connection_path.split(".") if isinstance(connection_path, str) else list(connection_path)
    if not path:
        raise PaginationError("connection_path is empty")
    _check(mode)
    key = ".".join(path)
    sizer = _sizer(page_size, key)
    base = dict(variables or {})
    user_filter = base.pop("filter", None)

    async def fetch(call: dict[str, Any]) -> tuple[str, object]:
        connection: Any = await execute(query, {**base, **call})
        if isinstance(connection, RawAnswer):
            streamed = StreamedConnection(connection.body, path)
            return key, streamed
        for step in path:
            if not isinstance(connection, Mapping) or step not in connection:
                raise PaginationError(f"the answer has no {key!r} connection")
            connection = connection[step]
        return key, connection

    return _pages(
        fetch,
        sizer=sizer,
        mode=mode,
        user_filter=user_filter,
        filter_name="filter",
        order_name="orderBy",
    )


async def paginate_raw(
    execute: Callable[[str, dict[str, Any]], Awaitable[Mapping[str, Any]]],
    query: str,
    variables: Mapping[str, Any] | None,
    connection_path: str | Sequence[str],
    *,
    page_size: int | PageSizes | PageSizer,
    mode: PageMode = "cursor",
) -> AsyncIterator[dict[str, Any]]:
    """Yield every node (a dict) of a connection in a hand-written document.

    The document declares ``$first`` and, for cursor mode, ``$after``; for keyset mode
    ``$filter`` and ``$orderBy``. ``connection_path`` names the connection in ``data``
    ("companies", or "a.b" / ("a", "b") when nested). ``execute(query, variables)`` returns data.
    """
    pages = raw_pages(execute, query, variables, connection_path, page_size=page_size, mode=mode)
    async for nodes in pages:
        for node in nodes:
            yield node
