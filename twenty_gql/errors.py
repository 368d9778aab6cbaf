"""The one exception tree of twenty-gql.

Twenty answers nearly every error with HTTP 200 and ``errors[].extensions.code``/``subCode``,
so errors are classified on those, not on the HTTP status::

    TwentyError                      every error this library raises
    ├── TransportError               no usable HTTP answer: connect, timeout, dropped connection
    │   └── RequestTimeoutError      the request timed out (it may have been executed)
    ├── ProtocolError                an answer that is not GraphQL: non-JSON, HTTP 400
    ├── SchemaDriftError             data the generated models cannot read: the workspace
    │                                changed since ``pull`` (a required field null, a wrong kind)
    └── GraphQLError                 the server answered with ``errors``
        ├── AuthenticationError      UNAUTHENTICATED; "Cannot query field" sent without a key
        ├── PermissionDeniedError    FORBIDDEN
        │   └── RevokedKeyError      "This API Key is revoked": final, another key is needed
        ├── NotFoundError            NOT_FOUND / RECORD_NOT_FOUND
        ├── BadInputError            BAD_USER_INPUT (INVALID_ARGS_DATA, INVALID_QUERY_INPUT, ...)
        │   ├── TooManyRecordsError  TOO_MANY_RECORDS_TO_UPDATE; ``limit`` parsed from the message
        │   ├── QueryTooComplexError TOO_COMPLEX_QUERY and "Too many root resolvers"
        │   └── ConflictError        UPSERT_MULTIPLE_MATCHING_RECORDS_CONFLICT, duplicate entry
        ├── RateLimitedError         LIMIT_REACHED, or RATE_LIMITED with ``retry_after``
        ├── QuotaExhaustedError      QUOTA_EXHAUSTED / STOCK_EXHAUSTED: no retry can help
        ├── MetadataValidationError  METADATA_VALIDATION_FAILED (/metadata)
        └── ServerError              INTERNAL_SERVER_ERROR, HTTP 5xx, the plain-text 500

Every error carries what the server said: ``operation_name``, ``code``, ``sub_code``,
``server_message``, ``user_friendly_message`` (Twenty sends a string, or ``{id, message}`` for
authentication errors), ``status`` (the HTTP status, when there was an answer), ``errors`` (every
entry of the answer's ``errors`` list) and ``data`` (any partial data). No error ever holds the
API key: requests are not attached, only the server's answer.

:func:`error_from_answer` is the one place that maps an HTTP answer to a class. Twenty answers
errors with HTTP 200; a non-200 status without GraphQL errors (a proxy's page) is a
ProtocolError, except 401, 403 and 429, which map to the classes of the same meaning.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

__all__ = [
    "AuthenticationError",
    "BadInputError",
    "ConflictError",
    "GraphQLError",
    "MetadataValidationError",
    "NotFoundError",
    "PermissionDeniedError",
    "ProtocolError",
    "QueryTooComplexError",
    "QuotaExhaustedError",
    "RateLimitedError",
    "RequestTimeoutError",
    "RevokedKeyError",
    "SchemaDriftError",
    "ServerError",
    "TooManyRecordsError",
    "TransportError",
    "TwentyError",
    "error_from_answer",
]

_BODY_EXCERPT = 500


class TwentyError(Exception):
    """Every error this library raises."""

    def __init__(
        self,
        server_message: str,
        *,
        operation_name: str | None = None,
        code: str | None = None,
        sub_code: str | None = None,
        user_friendly_message: str | None = None,
        status: int | None = None,
        errors: Sequence[Mapping[str, Any]] = (),
        data: Mapping[str, Any] | None = None,
    ) -> None:
        self.server_message = server_message
        self.operation_name = operation_name
        self.code = code
        self.sub_code = sub_code
        self.user_friendly_message = user_friendly_message
        self.status = status
        self.errors: list[Mapping[str, Any]] = list(errors)
        self.data = data
        self.hint: str | None = None
        """What the client adds to the server's words (shown by ``str``)."""
        super().__init__(server_message)

    def __str__(self) -> str:
        where = f"{self.operation_name}: " if self.operation_name else ""
        codes = "/".join(c for c in (self.code, self.sub_code) if c)
        tail = f" [{codes}]" if codes else ""
        more = f" (+{len(self.errors) - 1} more errors)" if len(self.errors) > 1 else ""
        hint = f" ({self.hint})" if self.hint else ""
        return f"{where}{self.server_message}{tail}{more}{hint}"

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}({self.server_message!r}, operation_name="
            f"{self.operation_name!r}, code={self.code!r}, sub_code={self.sub_code!r})"
        )


class TransportError(TwentyError):
    """No usable HTTP answer: the connection failed, was dropped, or timed out.

    ``request_sent`` is False only when the connection could not be opened, so nothing reached
    the server and even a plain create is safe to send again.
    """

    request_sent: bool = True


class RequestTimeoutError(TransportError):
    """The request timed out. The server may have executed it."""


class ProtocolError(TwentyError):
    """An answer that is not a GraphQL answer: not JSON, HTTP 400, an unexpected status."""


class SchemaDriftError(TwentyError):
    """The answer is data, but not data the generated models can read.

    Nearly always the workspace changed after ``twenty-gql pull``: a renamed or removed field
    answers ``null`` through Twenty's direct execution, so a field the models require comes back
    null; a field changed type. ``path`` is where in ``data`` (``shipments.edges.0.node.status``),
    ``record_id`` the id of the nearest record holding it (when it has one), ``value`` what came
    back (``None`` for null or a missing key), ``problem`` what the model expected, and
    ``problems`` every ``(path, value, problem)`` found, the first one included. ``data`` is the
    whole decoded answer. Values a newer workspace may add without breaking the models (SELECT
    options, numbers) never raise this: see ``twenty_gql.open_enums`` and ``twenty_gql.scalars``.
    """

    def __init__(
        self,
        *,
        operation_name: str | None,
        path: str,
        record_id: str | None,
        value: object,
        problem: str,
        problems: Sequence[tuple[str, object, str]] = (),
        data: Mapping[str, Any] | None = None,
    ) -> None:
        record = f" of record {record_id}" if record_id else ""
        shown = "null" if value is None else repr(value)
        super().__init__(
            f"{path}{record} is {shown}: {problem}",
            operation_name=operation_name,
            data=data,
        )
        self.path = path
        self.record_id = record_id
        self.value = value
        self.problem = problem
        self.problems = list(problems) or [(path, value, problem)]
        more = len(self.problems) - 1
        others = f"{more} more value(s) do not fit either; " if more else ""
        self.hint = (
            f"{others}the workspace has probably changed since `twenty-gql pull`: run "
            "`twenty-gql pull --check` to see how, then pull and generate again"
        )


class GraphQLError(TwentyError):
    """The server answered with ``errors``."""


class AuthenticationError(GraphQLError):
    """The API key is missing, invalid or revoked."""


class PermissionDeniedError(GraphQLError):
    """FORBIDDEN: the key may not do this (also /metadata without a key)."""


class RevokedKeyError(PermissionDeniedError):
    """The API key was revoked (Twenty refuses it from the very next request, on /graphql and
    /metadata alike): retrying cannot help; a job stops and can resume with another key."""


class NotFoundError(GraphQLError):
    """NOT_FOUND: the record does not exist or was deleted."""


class BadInputError(GraphQLError):
    """BAD_USER_INPUT and GraphQL validation errors: the request is wrong; retrying won't help."""


class TooManyRecordsError(BadInputError):
    """More records in one call than the server allows; ``limit`` is the server's maximum."""

    limit: int | None = None


class QueryTooComplexError(BadInputError):
    """The query nests too deep or asks for too many root fields."""


class ConflictError(BadInputError):
    """A unique value is already used, or an upsert matched several records."""

    conflicting_record_id: str | None = None
    conflicting_object: str | None = None


class RateLimitedError(GraphQLError):
    """The workspace's budget is spent. The request was NOT executed.

    ``retry_after`` is the server's hint in seconds (``retryAfterMs``), when it gives one;
    ``refill_interval`` is the seconds per token parsed from "Limit reached (N tokens per M ms)".
    """

    retry_after: float | None = None
    refill_interval: float | None = None
    capacity: int | None = None
    """The refusing bucket's tokens, parsed from "Limit reached (N tokens per M ms)"."""
    window: float | None = None
    """The refusing bucket's window in seconds, from the same message."""
    gave_up_after: float | None = None
    """Set when the runtime stopped re-sending: seconds it waited without progress."""


class QuotaExhaustedError(GraphQLError):
    """The workspace's usage quota or storage is spent (``QUOTA_EXHAUSTED``,
    ``STOCK_EXHAUSTED``; servers after 2.21). Final for the job: no retry can help."""


class MetadataValidationError(GraphQLError):
    """METADATA_VALIDATION_FAILED: a /metadata change was refused (``errors`` has the details)."""


class ServerError(GraphQLError):
    """The server failed: INTERNAL_SERVER_ERROR, HTTP 5xx, or a plain-text 500."""


# --- classification -------------------------------------------------------------------------

_UNKNOWN_ROOT_FIELD = re.compile(r'^Cannot query field "[^"]*" on type "(Query|Mutation)"\.')
_MAX_RECORDS = re.compile(
    r"Maximum number of records to upsert is (\d+)|Cannot update more than (\d+) records"
)
_LIMIT_REACHED = re.compile(r"Limit reached \((\d+) tokens per (\d+) ms\)")

_RATE_LIMIT_SUB_CODES = frozenset({"LIMIT_REACHED", "RATE_LIMITED"})
_QUOTA_CODES = frozenset({"QUOTA_EXHAUSTED", "STOCK_EXHAUSTED"})
_CONFLICT_SUB_CODES = frozenset({"UPSERT_MULTIPLE_MATCHING_RECORDS_CONFLICT"})
_TOO_COMPLEX_SUB_CODES = frozenset({"TOO_COMPLEX_QUERY"})
_TOO_MANY_SUB_CODES = frozenset({"TOO_MANY_RECORDS_TO_UPDATE"})

# When an answer carries several errors, the most actionable one names the class.
_PRECEDENCE: tuple[type[GraphQLError], ...] = (
    AuthenticationError,
    QuotaExhaustedError,
    RateLimitedError,
    ServerError,
    RevokedKeyError,
    PermissionDeniedError,
    MetadataValidationError,
    NotFoundError,
    ConflictError,
    TooManyRecordsError,
    QueryTooComplexError,
    BadInputError,
)


_BY_STATUS: dict[int, type[TwentyError]] = {
    401: AuthenticationError,
    403: PermissionDeniedError,
    429: RateLimitedError,
}


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _user_friendly(extensions: Mapping[str, Any]) -> str | None:
    value = extensions.get("userFriendlyMessage")
    if isinstance(value, Mapping):
        return _text(value.get("message"))
    return _text(value)


_REVOKED = "This API Key is revoked"


def _class_of(entry: Mapping[str, Any], *, authenticated: bool) -> type[GraphQLError]:
    message = _text(entry.get("message")) or ""
    ext = entry.get("extensions")
    extensions: Mapping[str, Any] = ext if isinstance(ext, Mapping) else {}
    code = _text(extensions.get("code"))
    sub_code = _text(extensions.get("subCode"))

    if code == "UNAUTHENTICATED" or sub_code == "UNAUTHENTICATED":
        return AuthenticationError
    if sub_code in _QUOTA_CODES or code in _QUOTA_CODES:
        return QuotaExhaustedError
    if sub_code in _RATE_LIMIT_SUB_CODES or code in _RATE_LIMIT_SUB_CODES:
        return RateLimitedError
    if code == "INTERNAL_SERVER_ERROR":
        return ServerError
    if code == "FORBIDDEN":
        return RevokedKeyError if message == _REVOKED else PermissionDeniedError
    if code == "METADATA_VALIDATION_FAILED":
        return MetadataValidationError
    if code == "NOT_FOUND" or sub_code == "RECORD_NOT_FOUND":
        return NotFoundError
    if sub_code in _CONFLICT_SUB_CODES or "conflictingRecordId" in extensions:
        return ConflictError
    if message.startswith("A duplicate entry was detected"):
        return ConflictError
    if sub_code in _TOO_MANY_SUB_CODES or _MAX_RECORDS.search(message):
        return TooManyRecordsError
    if sub_code in _TOO_COMPLEX_SUB_CODES or "Too many root resolvers" in message:
        return QueryTooComplexError
    if code is None and _UNKNOWN_ROOT_FIELD.match(message) and not authenticated:
        # Without a key Twenty serves its unauthenticated schema, which has no record fields
        # (transcript 43). With a key the same words mean an unknown root field (50).
        return AuthenticationError
    return BadInputError


def _graphql_error(
    errors: Sequence[Mapping[str, Any]],
    data: Mapping[str, Any] | None,
    *,
    status: int,
    operation_name: str | None,
    authenticated: bool,
) -> GraphQLError:
    classes = [_class_of(e, authenticated=authenticated) for e in errors]
    rank = {cls: i for i, cls in enumerate(_PRECEDENCE)}
    index = min(range(len(errors)), key=lambda i: rank.get(classes[i], len(rank)))
    cls, entry = classes[index], errors[index]
    ext = entry.get("extensions")
    extensions: Mapping[str, Any] = ext if isinstance(ext, Mapping) else {}
    message = _text(entry.get("message")) or "(no message)"
    error = cls(
        message,
        operation_name=operation_name,
        code=_text(extensions.get("code")),
        sub_code=_text(extensions.get("subCode")),
        user_friendly_message=_user_friendly(extensions),
        status=status,
        errors=errors,
        data=data,
    )
    if (
        cls is BadInputError
        and extensions.get("code") is None
        and _UNKNOWN_ROOT_FIELD.match(message)
    ):
        error.hint = "an object unknown to this workspace, or a key the server did not accept"
    if isinstance(error, TooManyRecordsError):
        found = _MAX_RECORDS.search(message)
        if found:
            error.limit = int(found.group(1) or found.group(2))
    elif isinstance(error, ConflictError):
        error.conflicting_record_id = _text(extensions.get("conflictingRecordId"))
        error.conflicting_object = _text(extensions.get("conflictingObjectNameSingular"))
    elif isinstance(error, RateLimitedError):
        retry_after_ms = extensions.get("retryAfterMs")
        if isinstance(retry_after_ms, int | float) and not isinstance(retry_after_ms, bool):
            error.retry_after = max(0.0, float(retry_after_ms) / 1000.0)
        found = _LIMIT_REACHED.search(message)
        if found and int(found.group(1)) > 0 and int(found.group(2)) > 0:
            error.capacity = int(found.group(1))
            error.window = int(found.group(2)) / 1000.0
            error.refill_interval = error.window / error.capacity
    return error


def _excerpt(text: str) -> str:
    text = text.strip()
    first_line = text.splitlines()[0] if text else "(empty body)"
    return first_line[:_BODY_EXCERPT]


def error_from_answer(
    status: int,
    body: object,
    text: str,
    *,
    operation_name: str | None = None,
    authenticated: bool = True,
) -> TwentyError | None:
    """The error an HTTP answer stands for, or ``None`` when it carries usable ``data``.

    ``body`` is the parsed JSON (``None`` when the body was not JSON) and ``text`` the raw body,
    used only for messages. ``authenticated`` says whether the request carried an API key.
    """
    answer: dict[str, Any] | None = body if isinstance(body, dict) else None
    errors = answer.get("errors") if answer is not None else None
    data = answer.get("data") if answer is not None else None
    entries = [e for e in errors if isinstance(e, Mapping)] if isinstance(errors, list) else []
    partial = data if isinstance(data, dict) else None

    if status >= 500:
        message = _excerpt(text) if answer is None else f"HTTP {status}"
        if entries:
            message = _text(entries[0].get("message")) or message
        return ServerError(
            message,
            operation_name=operation_name,
            status=status,
            errors=entries,
            data=partial,
            code=f"HTTP_{status}",
        )
    if status != 200 or answer is None:
        if answer is None:
            message = f"HTTP {status}: the answer is not a JSON object: {_excerpt(text)}"
        elif entries:
            message = f"HTTP {status}: {_text(entries[0].get('message')) or '(no message)'}"
        else:
            message = f"HTTP {status}: {_text(answer.get('message')) or _excerpt(text)}"
        # Twenty itself answers these with HTTP 200; a proxy in front of it may not.
        cls = _BY_STATUS.get(status, ProtocolError)
        return cls(
            message, operation_name=operation_name, status=status, errors=entries, data=partial
        )
    if entries:
        return _graphql_error(
            entries,
            partial,
            status=status,
            operation_name=operation_name,
            authenticated=authenticated,
        )
    if "data" not in answer:
        return ProtocolError(
            "the answer has neither data nor errors",
            operation_name=operation_name,
            status=status,
        )
    return None
