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
    from twenty_gql.budget import Budget, LocalBudget, NoBudget, RedisBudget, Refusal, Shape
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
        QuotaExhaustedError,
        RateLimitedError,
        RequestTimeoutError,
        RevokedKeyError,
        SchemaDriftError,
        ServerError,
        TooManyRecordsError,
        TransportError,
        TwentyError,
    )
    from twenty_gql.events import (
        BudgetLearnedEvent,
        BudgetStoreEvent,
        ConsumptionEvent,
        Event,
        EventBus,
        RequestEvent,
        ResponseEvent,
        RetryEvent,
        ThrottleEvent,
        UnknownEnumValueEvent,
    )
    from twenty_gql.open_enums import OpenEnum, UnknownEnumValue
    from twenty_gql.page_sizes import PageBounds
    from twenty_gql.profiles import CLOUD, SELF_HOSTED, ServerProfile
    from twenty_gql.retry import NO_RETRY, RetryPolicy
    from twenty_gql.transport import Timeouts

_EXPORTS: dict[str, str] = {
    "BulkResult": "batch.jobs",
    "JobResult": "batch.result",
    "JobStats": "batch.result",
    "RowOutcome": "batch.result",
    "RowStatus": "batch.result",
    "Budget": "budget",
    "LocalBudget": "budget",
    "NoBudget": "budget",
    "RedisBudget": "budget",
    "Refusal": "budget",
    "Shape": "budget",
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
    "QuotaExhaustedError": "errors",
    "RateLimitedError": "errors",
    "RequestTimeoutError": "errors",
    "RevokedKeyError": "errors",
    "SchemaDriftError": "errors",
    "ServerError": "errors",
    "TooManyRecordsError": "errors",
    "TransportError": "errors",
    "TwentyError": "errors",
    "BudgetLearnedEvent": "events",
    "BudgetStoreEvent": "events",
    "ConsumptionEvent": "events",
    "Event": "events",
    "EventBus": "events",
    "RequestEvent": "events",
    "ResponseEvent": "events",
    "RetryEvent": "events",
    "ThrottleEvent": "events",
    "UnknownEnumValueEvent": "events",
    "OpenEnum": "open_enums",
    "UnknownEnumValue": "open_enums",
    "PageBounds": "page_sizes",
    "CLOUD": "profiles",
    "SELF_HOSTED": "profiles",
    "ServerProfile": "profiles",
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
    "Budget",
    "BudgetLearnedEvent",
    "BudgetStoreEvent",
    "BulkResult",
    "ConfigError",
    "ConflictError",
    "ConsumptionEvent",
    "Event",
    "EventBus",
    "GraphQLError",
    "JobResult",
    "JobStats",
    "LocalBudget",
    "MetadataValidationError",
    "NoBudget",
    "NotFoundError",
    "OpenEnum",
    "PageBounds",
    "PermissionDeniedError",
    "ProtocolError",
    "QueryTooComplexError",
    "QuotaExhaustedError",
    "RateLimitedError",
    "RedisBudget",
    "Refusal",
    "RequestEvent",
    "RequestTimeoutError",
    "ResponseEvent",
    "RetryEvent",
    "RetryPolicy",
    "RevokedKeyError",
    "RowOutcome",
    "RowStatus",
    "SchemaDriftError",
    "ServerError",
    "ServerProfile",
    "Settings",
    "Shape",
    "ThrottleEvent",
    "Timeouts",
    "TooManyRecordsError",
    "TransportError",
    "Twenty",
    "TwentyError",
    "UnknownEnumValue",
    "UnknownEnumValueEvent",
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
