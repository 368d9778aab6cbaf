"""HTTP transport: one pooled aiohttp session, and the JSON encoding of GraphQL requests.

The session is created lazily, inside the running loop (aiohttp requires it), with a connection
pool, timeouts and TLS verification on. :class:`Transport` is a small interface, so tests (and
other HTTP stacks) can inject their own.

:func:`encode_request` encodes the variables: pydantic models by alias without unset fields,
``UUID``, ``datetime``/``date``/``time`` in ISO 8601, enums by value, and ``Decimal`` as a JSON
*number* written digit for digit (``amountMicros`` is a BigFloat and can exceed 2**53, where a
float would round).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import enum
import json
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol
from uuid import UUID

import aiohttp
from pydantic import BaseModel, TypeAdapter

from twenty_gql.errors import RequestTimeoutError, TransportError

__all__ = [
    "AiohttpTransport",
    "HttpAnswer",
    "Timeouts",
    "Transport",
    "encode_request",
]


@dataclass(frozen=True, slots=True)
class Timeouts:
    """Seconds: ``total`` per attempt, ``connect`` to open a connection (pool wait included)."""

    total: float = 60.0
    connect: float = 10.0
    read: float | None = 30.0
    """Longest silence while reading the answer."""


@dataclass(frozen=True, slots=True)
class HttpAnswer:
    status: int
    content_type: str
    body: bytes


class Transport(Protocol):
    async def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> HttpAnswer: ...

    async def close(self) -> None: ...


class AiohttpTransport:
    """POSTs over one pooled ``aiohttp.ClientSession``, created on first use."""

    def __init__(
        self,
        *,
        timeouts: Timeouts | None = None,
        pool_size: int = 20,
        verify_tls: bool = True,
    ) -> None:
        self.timeouts = timeouts or Timeouts()
        self.pool_size = pool_size
        self.verify_tls = verify_tls
        self._session: aiohttp.ClientSession | None = None

    def _get_session(self) -> aiohttp.ClientSession:
        session = self._session
        if session is None or session.closed:
            timeouts = self.timeouts
            session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self.pool_size, ssl=self.verify_tls),
                timeout=aiohttp.ClientTimeout(
                    total=timeouts.total, connect=timeouts.connect, sock_read=timeouts.read
                ),
                raise_for_status=False,
                skip_auto_headers=("User-Agent",),
                headers={"User-Agent": "twenty-gql"},
            )
            self._session = session
        return session

    async def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> HttpAnswer:
        session = self._get_session()
        try:
            async with session.post(url, data=body, headers=headers) as response:
                payload = await response.read()
                return HttpAnswer(response.status, response.content_type, payload)
        except aiohttp.ConnectionTimeoutError:
            error = TransportError(f"cannot connect to {url}: timed out")
            error.request_sent = False
            raise error from None
        except TimeoutError as exc:
            raise RequestTimeoutError(
                f"no answer from {url} within the timeout ({exc.__class__.__name__})"
            ) from None
        except aiohttp.ClientConnectorError as exc:
            error = TransportError(f"cannot connect to {url}: {exc.strerror or exc}")
            error.request_sent = False
            raise error from None
        except aiohttp.ClientError as exc:
            raise TransportError(f"{url}: {type(exc).__name__}: {exc}") from None

    async def close(self) -> None:
        session, self._session = self._session, None
        if session is not None and not session.closed:
            await session.close()
            # Let the connector's transports finish closing (aiohttp's recommendation).
            await asyncio.sleep(0)


# --- encoding -------------------------------------------------------------------------------

# A Decimal is first written as a marker string, then the marker is swapped for its digits. The
# random tag makes a clash with a real string impossible in practice; NUL is escaped by json.
_TAG = "\x00decimal-" + secrets.token_hex(8) + ":"
_TAG_JSON = json.dumps(_TAG)[1:-1]
_MARKER = re.compile('"' + re.escape(_TAG_JSON) + r'(\d+)"')


# Dumps every pydantic model inside a value in one pass of pydantic-core, in Python mode (exactly
# what ``model_dump`` gives, so Decimals, UUIDs and dates still reach ``default`` below). Cheaper
# than one ``model_dump`` call per record from ``json``'s ``default`` hook.
_dump_models = TypeAdapter(Any).serializer.to_python


def _holds_models(value: object) -> bool:
    if isinstance(value, BaseModel):
        return True
    return isinstance(value, list | tuple) and bool(value) and isinstance(value[0], BaseModel)


def _decimal_text(value: Decimal) -> str:
    if not value.is_finite():
        raise ValueError(f"a Decimal must be finite to be sent as a JSON number (got {value})")
    return str(value)


def encode_request(
    query: str,
    operation_name: str | None,
    variables: Mapping[str, Any] | None,
    unset_type: type | None = None,
) -> bytes:
    """The JSON body of one GraphQL request (variables holding ``unset_type`` are dropped)."""
    decimals: list[Decimal] = []

    def default(value: object) -> object:
        if isinstance(value, BaseModel):
            return value.model_dump(by_alias=True, exclude_unset=True)
        if isinstance(value, Decimal):
            decimals.append(value)
            return f"{_TAG}{len(decimals) - 1}"
        if isinstance(value, UUID):
            return str(value)
        if isinstance(value, dt.date | dt.time):  # datetime is a date
            return value.isoformat()
        if isinstance(value, enum.Enum):
            return value.value
        if isinstance(value, set | frozenset | tuple):
            return list(value)
        raise TypeError(f"a variable of type {type(value).__name__} cannot be sent as JSON")

    clean: dict[str, Any] = {}
    for name, value in (variables or {}).items():
        if unset_type is not None and isinstance(value, unset_type):
            continue
        clean[name] = value
    if any(_holds_models(value) for value in clean.values()):
        clean = _dump_models(clean, by_alias=True, exclude_unset=True)
    payload: dict[str, Any] = {"query": query, "variables": clean}
    if operation_name is not None:
        payload["operationName"] = operation_name
    text = json.dumps(payload, default=default, ensure_ascii=False, separators=(",", ":"))
    if decimals:
        text = _MARKER.sub(lambda m: _decimal_text(decimals[int(m.group(1))]), text)
    return text.encode()
