"""The records API budget, as Twenty keeps it: a token bucket per workspace.

:class:`TwentyBucket` is Twenty 2.21's throttler (``throttler.service.ts``, NOTES.md (n), (w)),
quirk included: on each charged call ``refill = floor((now - lastRefillAt) * LIMIT / TTL)`` and
``tokens = min(LIMIT, tokens + refill)``; with fewer than one token the call is refused and
nothing is written; else one token is taken and ``lastRefillAt = now``, so calls closer than
``TTL / LIMIT`` apart earn no refill at all. A new workspace starts full, like a quiet one.

:class:`ContinuousBucket` is the newer servers' bucket (NOTES.md "After 2.21"): fractional
tokens are kept, and a refused call is told ``retryAfterMs``, the wait for the next token.

What is charged (sequence 226): valid requests that reach a record resolver, one token however
many record root fields (83), including ones that then fail Twenty's value checks. Not charged:
syntax and validation errors (refused before), ``search`` and ``__typename`` alone
(:func:`~twenty_gql.operation_rules.charged`), ``/metadata``, unauthenticated requests.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any

from graphql import GraphQLError, OperationDefinitionNode, OperationType, parse

from twenty_gql.operation_rules import charged, fragment_definitions, root_fields

from .graphql_endpoint import PreparedRequest

__all__ = ["BucketSet", "ContinuousBucket", "TwentyBucket", "charges", "charges_refusal"]

_BAD_INPUT = "BAD_USER_INPUT"

Clock = Callable[[], float]
"""Milliseconds (a monotonic clock; tests replay recorded times through it)."""


def _monotonic_ms() -> float:
    return time.monotonic() * 1000.0


def charges(prepared: PreparedRequest) -> bool:
    """Whether this valid, authenticated request takes a token."""
    roots = root_fields(prepared.operation, fragment_definitions(prepared.document))
    return charged(field.name.value for field in roots)


def charges_refusal(payload: dict[str, Any], query: object) -> bool:
    """Whether a request refused before execution still took a token. Twenty throttles at the
    start of its records runner and checks a mutation's ``data`` values after, so a mutation of
    record fields refused as BAD_USER_INPUT is charged (INVALID_ARGS_DATA, "Invalid number
    value"); syntax errors, validation errors and a query's argument errors are not (226)."""
    errors = payload.get("errors") or ()
    if not any(
        isinstance(error, dict) and (error.get("extensions") or {}).get("code") == _BAD_INPUT
        for error in errors
    ):
        return False
    try:
        document = parse(query) if isinstance(query, str) else None
    except GraphQLError:
        return False
    if document is None:
        return False
    fragments = fragment_definitions(document)
    return any(
        operation.operation is OperationType.MUTATION
        and charged(field.name.value for field in root_fields(operation, fragments))
        for operation in document.definitions
        if isinstance(operation, OperationDefinitionNode)
    )


class TwentyBucket:
    """Twenty 2.21's bucket (see the module doc); ``drained``: start empty."""

    style = "twenty"

    def __init__(
        self, calls: int, seconds: float, *, drained: bool = False, clock: Clock = _monotonic_ms
    ) -> None:
        if calls < 1 or seconds <= 0:
            raise ValueError(
                f"rate limit must be at least 1 call per positive window, got {calls}/{seconds}"
            )
        self.calls = calls
        self.seconds = seconds
        self.clock = clock
        self.tokens: float = 0 if drained else calls
        self.last_refill_at: float | None = clock() if drained else None
        """``None``: no key yet (Twenty reads a missing key as a full bucket)."""

    @property
    def window_ms(self) -> float:
        return self.seconds * 1000.0

    @property
    def message(self) -> str:
        return f"Limit reached ({self.calls} tokens per {round(self.window_ms)} ms)"

    def describe(self) -> str:
        return f"{self.calls} calls / {self.seconds:g} s"

    def _available(self, now: float) -> float:
        if self.last_refill_at is None:
            return self.calls
        refill = math.floor((now - self.last_refill_at) * self.calls / self.window_ms)
        return min(self.calls, self.tokens + refill)

    def try_take(self) -> bool:
        now = self.clock()
        available = self._available(now)
        if available < 1:
            return False  # nothing written: time keeps accruing
        self.tokens = available - 1
        self.last_refill_at = now
        return True

    def retry_after_ms(self) -> int:
        """The wait until a call would pass (2.21 never says it; newer servers do)."""
        if self.last_refill_at is None or self._available(self.clock()) >= 1:
            return 0
        interval = self.window_ms / self.calls
        due = self.last_refill_at + (1 - self.tokens) * interval
        return max(1, math.ceil(due - self.clock()))


class ContinuousBucket(TwentyBucket):
    """A newer server's bucket: continuous refill, fractional tokens kept."""

    style = "retry-after"

    def _available(self, now: float) -> float:
        if self.last_refill_at is None:
            return self.calls
        refill = (now - self.last_refill_at) * self.calls / self.window_ms
        return min(float(self.calls), self.tokens + refill)

    def try_take(self) -> bool:
        now = self.clock()
        available = self._available(now)
        self.tokens = available
        self.last_refill_at = now
        if available < 1:
            return False
        self.tokens = available - 1
        return True

    def retry_after_ms(self) -> int:
        available = self._available(self.clock())
        if available >= 1:
            return 0
        return max(1, math.ceil((1 - available) * self.window_ms / self.calls))


class BucketSet:
    """Several buckets on one workspace: Twenty's short and long limits, or a newer server's
    buckets per workspace, key or user. ``style`` follows the buckets':

    - ``"twenty"`` (2.21): each bucket is its own read-then-write, so every bucket that has a
      token takes it even when another refuses. Sequence 82 (short 5 / 2 s, long 12 / 30 s)
      shows it: the two calls the short bucket refused still spent long tokens. The answer
      names the first bucket, in the order given, that refused.
    - ``"retry-after"`` (after 2.21): one atomic script checks every bucket at once, so a call
      is taken from all or from none, and the hint is the wait of the slowest empty bucket.
    """

    def __init__(self, buckets: list[TwentyBucket]) -> None:
        if len(buckets) < 2:
            raise ValueError("a bucket set holds at least two buckets")
        self.buckets = buckets
        self.style = buckets[0].style
        self._refused_by = buckets[0]

    @property
    def clock(self) -> Clock:
        return self.buckets[0].clock

    @clock.setter
    def clock(self, clock: Clock) -> None:
        for bucket in self.buckets:
            bucket.clock = clock

    @property
    def message(self) -> str:
        return self._refused_by.message

    def describe(self) -> str:
        return " + ".join(bucket.describe() for bucket in self.buckets)

    def try_take(self) -> bool:
        if self.style == "twenty":
            refused = [bucket for bucket in self.buckets if not bucket.try_take()]
        else:
            now = self.clock()
            refused = [bucket for bucket in self.buckets if bucket._available(now) < 1]
            if not refused:
                for bucket in self.buckets:
                    bucket.try_take()
        if refused:
            self._refused_by = refused[0]
        return not refused

    def retry_after_ms(self) -> int:
        return max(bucket.retry_after_ms() for bucket in self.buckets)
