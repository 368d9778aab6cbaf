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
import math
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Any, Protocol
from uuid import UUID

import aiohttp
from pydantic import BaseModel, TypeAdapter
from pydantic_core import PydanticSerializationError, SchemaSerializer
from pydantic_core.core_schema import SerializationInfo

from twenty_gql.errors import RequestTimeoutError, TransportError

__all__ = [
    "AiohttpTransport",
    "HttpAnswer",
    "Timeouts",
    "Transport",
    "encode_request",
    "exact_json",
]


USER_AGENT = "twenty-gql"


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
            )
            self._session = session
        return session

    async def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> HttpAnswer:
        session = self._get_session()
        # The User-Agent goes with the request's own headers: session-level default headers
        # are merged into a new CIMultiDict on every request (~4 µs per call, measured).
        if "User-Agent" not in headers:
            headers = {**headers, "User-Agent": USER_AGENT}
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

# A Decimal (or any value written by ``exact_json``) is first written as a marker string, then the
# marker is swapped for its JSON text. The random tag makes a clash with a real string impossible
# in practice; NUL is escaped by json and by pydantic-core alike (``\u0000``).
_TAG = "\x00decimal-" + secrets.token_hex(8) + ":"
_TAG_JSON = json.dumps(_TAG)[1:-1]
_MARKER = re.compile('"' + re.escape(_TAG_JSON) + r'(\d+)"')
_MARKER_BYTES = re.compile(_MARKER.pattern.encode())


def _decimal_text(value: Decimal) -> str:
    if not value.is_finite():
        raise ValueError(f"a Decimal must be finite to be sent as a JSON number (got {value})")
    return str(value)


def _json_text(value: object) -> str:
    """``value`` as JSON text: pydantic models by alias without unset fields, exact Decimals."""
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

    text = json.dumps(value, default=default, ensure_ascii=False, separators=(",", ":"))
    if decimals:
        text = _MARKER.sub(lambda m: _decimal_text(decimals[int(m.group(1))]), text)
    return text


# Dumps every pydantic model inside a value in one pass of pydantic-core, in Python mode (exactly
# what ``model_dump`` gives, so Decimals, UUIDs and dates still reach ``default`` above). Cheaper
# than one ``model_dump`` call per record from ``json``'s ``default`` hook.
_dump_models = TypeAdapter(Any).serializer.to_python


def _holds_models(value: object) -> bool:
    if isinstance(value, BaseModel):
        return True
    return isinstance(value, list | tuple) and bool(value) and isinstance(value[0], BaseModel)


def encode_request(
    query: str,
    operation_name: str | None,
    variables: Mapping[str, Any] | None,
    unset_type: type | None = None,
) -> bytes:
    """The JSON body of one GraphQL request (variables holding ``unset_type`` are dropped)."""
    clean: dict[str, Any] = {}
    for name, value in (variables or {}).items():
        if unset_type is not None and isinstance(value, unset_type):
            continue
        clean[name] = value
    fast = _encode_json_mode(query, operation_name, clean)
    if fast is not None:
        return fast
    if any(_holds_models(value) for value in clean.values()):
        clean = _dump_models(clean, by_alias=True, exclude_unset=True)
    payload: dict[str, Any] = {"query": query, "variables": clean}
    if operation_name is not None:
        payload["operationName"] = operation_name
    try:
        text = _json_text(payload)
    except (TypeError, ValueError) as exc:
        raise _naming_the_variable(exc, clean) from None
    return text.encode()


def _naming_the_variable(error: TypeError | ValueError, variables: Mapping[str, Any]) -> Exception:
    """``error`` with the name of the first variable that cannot be written (error path only)."""
    for name, value in variables.items():
        try:
            _json_text(value)
        except (TypeError, ValueError):
            kind = TypeError if isinstance(error, TypeError) else ValueError
            return kind(f"variable {name!r}: {error}")
    return error


# --- JSON mode, for generated inputs ----------------------------------------------------------
#
# pydantic-core writes models straight to JSON bytes about twice as fast as dumping them to
# Python and then through ``json``, but writes some values differently (a Decimal as a string,
# inf as null). Generated input classes (marked ``__twenty_exact_json__`` by codegen's
# ExactJsonInputsPlugin) route their ``Any`` values through :func:`exact_json` and write inf/NaN
# as ``json`` does (``ser_json_inf_nan="constants"``), so their JSON mode writes what the ``json``
# path writes; floats are the same numbers, though an exponent may be spelt differently
# (``1.5e-7`` for ``1.5e-07``). Any other variable takes the ``json`` path.

EXACT_JSON_MARKER = "__twenty_exact_json__"


class _Fragments(list[str]):
    """The JSON texts ``exact_json`` wrote during one request (the serializer's context)."""


def exact_json(value: object, info: SerializationInfo) -> object:
    """The serializer generated inputs put on ``Any`` fields, used in JSON mode only.

    While the runtime encodes a request, a value pydantic-core would not write as ``json`` does
    becomes a marker for its exact JSON text; in any other JSON dump it is left to pydantic."""
    fragments = info.context
    if type(fragments) is not _Fragments:
        return value
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None:
        return value
    if isinstance(value, float) and kind is float and math.isfinite(value):
        return value
    fragments.append(_json_text(value))
    return f"{_TAG}{len(fragments) - 1}"


_LIST_SERIALIZERS: dict[type[BaseModel], SchemaSerializer] = {}


def _exact_class(cls: type) -> bool:
    return cls.__dict__.get(EXACT_JSON_MARKER) is True


@lru_cache(maxsize=512)
def _json_string(text: str) -> bytes:
    """A query, operation or variable name as JSON: the same few strings on every call (a
    generated document is ~1.6 kB, 4 µs to escape each time)."""
    return json.dumps(text, ensure_ascii=False).encode()


def _json_mode_value(value: object, fragments: _Fragments) -> bytes | None:
    """One variable as JSON bytes, or None when it needs the ``json`` path."""
    if value is True:
        return b"true"
    if value is False:
        return b"false"
    if value is None:
        return b"null"
    kind = type(value)
    if kind is str or kind is int or kind is float:
        return json.dumps(value, ensure_ascii=False).encode()
    if isinstance(value, BaseModel) and _exact_class(kind):
        serializer = value.__pydantic_serializer__
    elif isinstance(value, list) and kind is list and value:
        cls = type(value[0])
        if not _exact_class(cls) or any(type(item) is not cls for item in value):
            return None
        serializer = _LIST_SERIALIZERS.get(cls) or _list_serializer(cls)
    else:
        return None
    return serializer.to_json(value, by_alias=True, exclude_unset=True, context=fragments)


def _list_serializer(cls: type[BaseModel]) -> SchemaSerializer:
    serializer = _LIST_SERIALIZERS[cls] = TypeAdapter(list[cls]).serializer  # type: ignore[valid-type]
    return serializer


def _encode_json_mode(
    query: str, operation_name: str | None, variables: dict[str, Any]
) -> bytes | None:
    """The request body with generated inputs written by pydantic-core, or None when a variable
    needs the ``json`` path (which also raises the error a bad value deserves)."""
    fragments = _Fragments()
    parts = [b'{"query":', _json_string(query), b',"variables":{']
    try:
        for i, (name, value) in enumerate(variables.items()):
            encoded = _json_mode_value(value, fragments)
            if encoded is None:
                return None
            if i:
                parts.append(b",")
            parts += [_json_string(name), b":", encoded]
    except PydanticSerializationError:
        return None
    parts.append(b"}")
    if operation_name is not None:
        parts += [b',"operationName":', _json_string(operation_name)]
    parts.append(b"}")
    body = b"".join(parts)
    if fragments:
        body = _MARKER_BYTES.sub(lambda m: fragments[int(m.group(1))].encode(), body)
    return body
