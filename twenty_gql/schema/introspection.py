"""Fetch one introspection result over HTTP.

Everything HTTP about ``pull`` happens in :func:`fetch_introspection`, over the runtime's
:class:`~twenty_gql.transport.Transport` (pass one to share a connection pool, or to inject a
fake). The errors are part of the one exception tree (:mod:`twenty_gql.errors`); their message
is one line, names the URL, and never holds the API key (any echo of it is masked)::

    IntrospectionError(TwentyError)
    ├── ServerUnreachableError(TransportError)   connection refused, DNS, timeout, dropped
    ├── UnexpectedAnswerError(ProtocolError)     non-JSON, unexpected HTTP status, no __schema
    ├── ApiKeyRejectedError(AuthenticationError) invalid, missing or ignored key; FORBIDDEN
    └── ServerErrorAnswer(GraphQLError)          any other GraphQL error
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from graphql import get_introspection_query
from yarl import URL

from twenty_gql.config import ApiKey
from twenty_gql.errors import (
    AuthenticationError,
    GraphQLError,
    ProtocolError,
    RequestTimeoutError,
    TransportError,
    TwentyError,
)
from twenty_gql.transport import AiohttpTransport, Timeouts, Transport, encode_request

__all__ = [
    "INTROSPECTION_QUERY",
    "ApiKeyRejectedError",
    "IntrospectionError",
    "ServerErrorAnswer",
    "ServerUnreachableError",
    "UnexpectedAnswerError",
    "display_url",
    "fetch_introspection",
    "mask_key",
]

INTROSPECTION_QUERY = get_introspection_query()
_OPERATION_NAME = "IntrospectionQuery"
_DEFAULT_TIMEOUT_S = 60.0
_MAX_MESSAGE_CHARS = 200
_SUBSTRING_MASK_MIN = 12
_AUTH_CODES = frozenset({"UNAUTHENTICATED", "FORBIDDEN"})


class IntrospectionError(TwentyError):
    """Introspecting a Twenty endpoint failed. ``url`` is the endpoint (credentials removed).
    ``str()`` is the one-line message, ready to show."""

    def __init__(
        self, message: str, *, url: str, code: str | None = None, status: int | None = None
    ) -> None:
        super().__init__(message, code=code, status=status)
        self.url = url

    def __str__(self) -> str:
        return self.server_message


class ServerUnreachableError(IntrospectionError, TransportError):
    """No HTTP answer: connection refused, DNS failure, timeout, dropped connection."""


class UnexpectedAnswerError(IntrospectionError, ProtocolError):
    """An answer that is not a GraphQL introspection result (non-JSON, unexpected HTTP status)."""


class ApiKeyRejectedError(IntrospectionError, AuthenticationError):
    """The server did not accept the API key (invalid, missing, or ignored)."""


class ServerErrorAnswer(IntrospectionError, GraphQLError):
    """The server answered the introspection query with GraphQL errors other than auth."""


def display_url(url: str) -> str:
    """The URL without user info, safe to show."""
    try:
        return str(URL(url).with_user(None))
    except (ValueError, TypeError):
        return "<invalid URL>"


def mask_key(text: str, api_key: ApiKey) -> str:
    """``text`` with any echo of the key replaced by ``***``. A short key is masked only as a
    whole token, so that a key like ``k`` does not mangle every word holding that letter."""
    key = api_key.reveal()
    if len(key) >= _SUBSTRING_MASK_MIN:
        return text.replace(key, "***")
    return re.sub(rf"(?<![\w.~+/=-]){re.escape(key)}(?![\w.~+/=-])", "***", text)


def _one_line(text: str, api_key: ApiKey) -> str:
    text = mask_key(text, api_key)
    text = re.sub(r"\s+", " ", text).strip()
    if len(text) > _MAX_MESSAGE_CHARS:
        text = text[: _MAX_MESSAGE_CHARS - 1] + "…"
    return text


async def fetch_introspection(
    url: str,
    api_key: ApiKey,
    transport: Transport | None = None,
    *,
    timeout_s: float = _DEFAULT_TIMEOUT_S,
) -> dict[str, Any]:
    """POST the standard introspection query to ``url`` and return the ``data`` object
    (``{"__schema": ...}``). Uses ``transport`` if given (its timeouts apply), else a
    short-lived :class:`~twenty_gql.transport.AiohttpTransport` with ``timeout_s``."""
    if transport is not None:
        return await _fetch(transport, url, api_key)
    own = AiohttpTransport(
        timeouts=Timeouts(total=timeout_s, connect=min(10.0, timeout_s), read=None)
    )
    try:
        return await _fetch(own, url, api_key)
    finally:
        await own.close()


async def _fetch(transport: Transport, url: str, api_key: ApiKey) -> dict[str, Any]:
    shown = display_url(url)
    body = encode_request(INTROSPECTION_QUERY, _OPERATION_NAME, None)
    headers = {
        **api_key.authorization_header(),
        "Content-Type": "application/json",
        "Accept": "application/json",
    }
    try:
        answer = await transport.post(url, body, headers)
    except RequestTimeoutError:
        raise ServerUnreachableError(
            f"{shown} did not answer within the timeout", url=shown
        ) from None
    except TransportError as exc:
        # The transport's message already names the URL ("cannot connect to <url>: ...").
        message = _one_line(exc.server_message.replace(url, shown), api_key)
        raise ServerUnreachableError(message, url=shown) from None
    except ValueError as exc:  # aiohttp refuses some requests before sending them
        reason = _one_line(str(exc), api_key)
        raise ServerUnreachableError(
            f"cannot send a request to {shown}: {reason}", url=shown
        ) from None

    status = answer.status
    if status in (401, 403):
        raise ApiKeyRejectedError(
            f"the API key was not accepted by {shown} (HTTP {status})", url=shown, status=status
        )
    try:
        parsed = json.loads(answer.body)
    except (ValueError, UnicodeDecodeError):
        raise UnexpectedAnswerError(
            f"{shown} did not answer with JSON (HTTP {status}, "
            f"{answer.content_type or 'no content type'}); is this a Twenty workspace URL?",
            url=shown,
            status=status,
        ) from None
    if not isinstance(parsed, Mapping):
        raise UnexpectedAnswerError(
            f"{shown} answered with JSON that is not a GraphQL response (HTTP {status})",
            url=shown,
            status=status,
        )
    errors = parsed.get("errors")
    if errors:
        raise _classify_errors(errors, shown, api_key, status)
    if status != 200:
        raise UnexpectedAnswerError(f"{shown} answered HTTP {status}", url=shown, status=status)
    data = parsed.get("data")
    if not isinstance(data, dict) or not isinstance(data.get("__schema"), Mapping):
        raise UnexpectedAnswerError(
            f"{shown} answered without an introspection result (no data.__schema)",
            url=shown,
            status=status,
        )
    return data


def _classify_errors(
    errors: object, shown: str, api_key: ApiKey, status: int
) -> IntrospectionError:
    first: Mapping[str, Any] = {}
    if isinstance(errors, Sequence) and errors and isinstance(errors[0], Mapping):
        first = errors[0]
    message = _one_line(str(first.get("message", "no message")), api_key)
    extensions = first.get("extensions")
    raw_code = extensions.get("code") if isinstance(extensions, Mapping) else None
    code = raw_code if isinstance(raw_code, str) else None
    if code in _AUTH_CODES:
        return ApiKeyRejectedError(
            f"the API key was not accepted by {shown}: {message} ({code})",
            url=shown,
            code=code,
            status=status,
        )
    suffix = f" ({code})" if code else ""
    return ServerErrorAnswer(
        f"{shown} answered the introspection query with an error: {message}{suffix}",
        url=shown,
        code=code,
        status=status,
    )
