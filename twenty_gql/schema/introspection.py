"""Fetch one introspection result over HTTP.

This is the seam to the runtime's transport: everything HTTP about ``pull`` happens in
:func:`fetch_introspection`. It talks to aiohttp directly for now; once the runtime transport
exists, only this module needs to change.

Every failure is raised as an :class:`IntrospectionError` whose message is one line, names the
URL, and never contains the API key (any echo of it from the server is masked).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

import aiohttp
from graphql import get_introspection_query
from yarl import URL

from twenty_gql.config import ApiKey

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


class IntrospectionError(Exception):
    """Introspecting a Twenty endpoint failed. ``url`` is the endpoint (credentials removed)."""

    def __init__(self, message: str, *, url: str) -> None:
        super().__init__(message)
        self.url = url


class ServerUnreachableError(IntrospectionError):
    """No HTTP answer: connection refused, DNS failure, timeout, dropped connection."""


class UnexpectedAnswerError(IntrospectionError):
    """An answer that is not a GraphQL introspection result (non-JSON, unexpected HTTP status)."""


class ApiKeyRejectedError(IntrospectionError):
    """The server did not accept the API key (invalid, missing, or ignored)."""


class ServerErrorAnswer(IntrospectionError):
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
    session: aiohttp.ClientSession | None = None,
    *,
    timeout_s: float = _DEFAULT_TIMEOUT_S,
) -> dict[str, Any]:
    """POST the standard introspection query to ``url`` and return the ``data`` object
    (``{"__schema": ...}``). Uses ``session`` if given, else a short-lived one."""
    if session is not None:
        return await _fetch(session, url, api_key, timeout_s)
    async with aiohttp.ClientSession() as own_session:
        return await _fetch(own_session, url, api_key, timeout_s)


async def _fetch(
    session: aiohttp.ClientSession, url: str, api_key: ApiKey, timeout_s: float
) -> dict[str, Any]:
    shown = display_url(url)
    body = {"query": INTROSPECTION_QUERY, "operationName": _OPERATION_NAME}
    headers = {**api_key.authorization_header(), "Accept": "application/json"}
    try:
        async with session.post(
            url, json=body, headers=headers, timeout=aiohttp.ClientTimeout(total=timeout_s)
        ) as response:
            status = response.status
            content_type = response.headers.get("Content-Type", "no content type")
            raw = await response.read()
    except TimeoutError:
        raise ServerUnreachableError(
            f"{shown} did not answer within {timeout_s:g} s", url=shown
        ) from None
    except aiohttp.InvalidURL:
        raise ServerUnreachableError(f"{shown} is not a valid URL", url=shown) from None
    except aiohttp.ClientError as exc:
        reason = _one_line(str(exc) or type(exc).__name__, api_key)
        raise ServerUnreachableError(f"cannot reach {shown}: {reason}", url=shown) from None

    if status in (401, 403):
        raise ApiKeyRejectedError(
            f"the API key was not accepted by {shown} (HTTP {status})", url=shown
        )
    try:
        answer = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise UnexpectedAnswerError(
            f"{shown} did not answer with JSON (HTTP {status}, {content_type}); "
            "is this the URL of a Twenty workspace?",
            url=shown,
        ) from None
    if not isinstance(answer, Mapping):
        raise UnexpectedAnswerError(
            f"{shown} answered with JSON that is not a GraphQL response (HTTP {status})",
            url=shown,
        )
    errors = answer.get("errors")
    if errors:
        raise _classify_errors(errors, shown, api_key)
    if status != 200:
        raise UnexpectedAnswerError(f"{shown} answered HTTP {status}", url=shown)
    data = answer.get("data")
    if not isinstance(data, dict) or not isinstance(data.get("__schema"), Mapping):
        raise UnexpectedAnswerError(
            f"{shown} answered without an introspection result (no data.__schema)", url=shown
        )
    return data


def _classify_errors(errors: object, shown: str, api_key: ApiKey) -> IntrospectionError:
    first: Mapping[str, Any] = {}
    if isinstance(errors, Sequence) and errors and isinstance(errors[0], Mapping):
        first = errors[0]
    message = _one_line(str(first.get("message", "no message")), api_key)
    extensions = first.get("extensions")
    code = extensions.get("code") if isinstance(extensions, Mapping) else None
    if code in _AUTH_CODES:
        return ApiKeyRejectedError(
            f"the API key was not accepted by {shown}: {message} ({code})", url=shown
        )
    suffix = f" ({code})" if isinstance(code, str) else ""
    return ServerErrorAnswer(
        f"{shown} answered the introspection query with an error: {message}{suffix}", url=shown
    )
