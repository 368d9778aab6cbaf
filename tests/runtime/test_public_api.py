"""The public API is pinned: a change to it is a deliberate edit of this list."""

from __future__ import annotations

import subprocess
import sys

import twenty_gql

PUBLIC_API = [
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


def _isort_style(name: str) -> tuple[int, str]:
    """Ruff's RUF022 order: CONSTANTS, then Classes, then functions, each alphabetical."""
    return (0 if name.isupper() else 1 if name[0].isupper() else 2, name)


def test_all_is_pinned_and_sorted() -> None:
    assert twenty_gql.__all__ == PUBLIC_API
    assert twenty_gql.__all__ == sorted(twenty_gql.__all__, key=_isort_style)


def test_every_public_name_resolves() -> None:
    for name in twenty_gql.__all__:
        assert getattr(twenty_gql, name) is not None, name
    assert twenty_gql.TwentyError.__module__ == "twenty_gql.errors"


def test_unknown_name_is_an_attribute_error() -> None:
    try:
        twenty_gql.NotAThing  # type: ignore[attr-defined]  # noqa: B018
    except AttributeError as exc:
        assert "NotAThing" in str(exc)
    else:
        raise AssertionError("expected AttributeError")


def test_importing_a_submodule_does_not_load_the_runtime() -> None:
    code = (
        "import sys, twenty_gql.naming, twenty_gql.profiles; "
        "print(sorted(m for m in sys.modules if m.startswith(('aiohttp', 'twenty_gql.client'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
