"""twenty-gql: a GraphQL-first, async, fully typed Python client for the Twenty CRM.

The public API is the names in ``__all__``. They are imported on first use, so importing a
submodule (``twenty_gql.naming``, ``twenty_gql.sandbox``) does not load the HTTP runtime.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from twenty_gql.batch.jobs import BulkResult
    from twenty_gql.batch.result import JobResult, JobStats, RowOutcome, RowStatus
    from twenty_gql.client import Twenty
    from twenty_gql.config import ApiKey, ConfigError, Settings
    from twenty_gql.errors import (
        AuthenticationError,
        BadInputError,
        ConflictError,
        GraphQLError,
        MetadataValidationError,
        NotFoundError,
        PermissionDeniedError,
        ProtocolError,
        QueryTooComplexError,
        RateLimitedError,
        RequestTimeoutError,
        ServerError,
        TooManyRecordsError,
        TransportError,
        TwentyError,
    )
    from twenty_gql.events import (
        ConsumptionEvent,
        Event,
        EventBus,
        RequestEvent,
        ResponseEvent,
        RetryEvent,
        ThrottleEvent,
    )
    from twenty_gql.page_sizes import PageBounds
    from twenty_gql.profiles import CLOUD, SELF_HOSTED, ServerProfile
    from twenty_gql.ratelimit import NoLimit, RateLimiter, TokenBucket
    from twenty_gql.retry import NO_RETRY, RetryPolicy
    from twenty_gql.transport import Timeouts

_EXPORTS: dict[str, str] = {
    "BulkResult": "batch.jobs",
    "JobResult": "batch.result",
    "JobStats": "batch.result",
    "RowOutcome": "batch.result",
    "RowStatus": "batch.result",
    "Twenty": "client",
    "ApiKey": "config",
    "ConfigError": "config",
    "Settings": "config",
    "AuthenticationError": "errors",
    "BadInputError": "errors",
    "ConflictError": "errors",
    "GraphQLError": "errors",
    "MetadataValidationError": "errors",
    "NotFoundError": "errors",
    "PermissionDeniedError": "errors",
    "ProtocolError": "errors",
    "QueryTooComplexError": "errors",
    "RateLimitedError": "errors",
    "RequestTimeoutError": "errors",
    "ServerError": "errors",
    "TooManyRecordsError": "errors",
    "TransportError": "errors",
    "TwentyError": "errors",
    "ConsumptionEvent": "events",
    "Event": "events",
    "EventBus": "events",
    "RequestEvent": "events",
    "ResponseEvent": "events",
    "RetryEvent": "events",
    "ThrottleEvent": "events",
    "PageBounds": "page_sizes",
    "CLOUD": "profiles",
    "SELF_HOSTED": "profiles",
    "ServerProfile": "profiles",
    "NoLimit": "ratelimit",
    "RateLimiter": "ratelimit",
    "TokenBucket": "ratelimit",
    "NO_RETRY": "retry",
    "RetryPolicy": "retry",
    "Timeouts": "transport",
}

__all__ = [
    "CLOUD",
    "NO_RETRY",
    "SELF_HOSTED",
    "ApiKey",
    "AuthenticationError",
    "BadInputError",
    "BulkResult",
    "ConfigError",
    "ConflictError",
    "ConsumptionEvent",
    "Event",
    "EventBus",
    "GraphQLError",
    "JobResult",
    "JobStats",
    "MetadataValidationError",
    "NoLimit",
    "NotFoundError",
    "PageBounds",
    "PermissionDeniedError",
    "ProtocolError",
    "QueryTooComplexError",
    "RateLimitedError",
    "RateLimiter",
    "RequestEvent",
    "RequestTimeoutError",
    "ResponseEvent",
    "RetryEvent",
    "RetryPolicy",
    "RowOutcome",
    "RowStatus",
    "ServerError",
    "ServerProfile",
    "Settings",
    "ThrottleEvent",
    "Timeouts",
    "TokenBucket",
    "TooManyRecordsError",
    "TransportError",
    "Twenty",
    "TwentyError",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'twenty_gql' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"twenty_gql.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
