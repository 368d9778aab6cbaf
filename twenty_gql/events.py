"""Events: what the runtime did, for metering budgets and drawing progress.

Subscribe a plain (sync) callable; it receives every event in the order they happen. A callback
that raises is logged on ``twenty_gql`` and never disturbs the request::

    unsubscribe = twenty.events.subscribe(lambda event: print(event))

Events never carry the API key, the query variables or the answer's records: only what a meter
needs, and the unknown enum values met (an option's name, not a record).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TypeAlias

__all__ = [
    "LAST_ANSWER",
    "AnswerMeasure",
    "BudgetLearnedEvent",
    "BudgetStoreEvent",
    "ConsumptionEvent",
    "Event",
    "EventBus",
    "RequestEvent",
    "ResponseEvent",
    "RetryEvent",
    "ThrottleEvent",
    "UnknownEnumValueEvent",
]

logger = logging.getLogger("twenty_gql")


@dataclass(frozen=True, slots=True)
class RequestEvent:
    """One HTTP attempt is about to be sent."""

    endpoint: str
    operation_name: str | None
    attempt: int


@dataclass(frozen=True, slots=True)
class ResponseEvent:
    """One HTTP attempt ended: ``error`` is the error class name, or ``None`` on success."""

    endpoint: str
    operation_name: str | None
    attempt: int
    status: int | None
    elapsed: float
    error: str | None


@dataclass(frozen=True, slots=True)
class RetryEvent:
    """A failed attempt will be sent again after ``delay`` seconds."""

    endpoint: str
    operation_name: str | None
    attempt: int
    delay: float
    error: str


@dataclass(frozen=True, slots=True)
class ThrottleEvent:
    """The server refused for lack of budget (nothing executed); retrying after ``delay`` s."""

    endpoint: str
    operation_name: str | None
    attempt: int
    delay: float
    throttled_total: int


@dataclass(frozen=True, slots=True)
class ConsumptionEvent:
    """Calls charged against the workspace's budget (``cost`` now, ``total`` so far)."""

    endpoint: str
    operation_name: str | None
    cost: float
    total: float


@dataclass(frozen=True, slots=True)
class UnknownEnumValueEvent:
    """An answer held a value the generated enum ``enum`` does not list, read as an
    ``UnknownEnumValue``: reported once per ``(enum, field, value)`` by each runtime.

    Someone added a SELECT/MULTI_SELECT option after ``twenty-gql pull``; run
    ``twenty-gql pull --check`` to see the change, then pull and generate again to type it.
    ``field`` is the field of the generated model (``stage``, ``work_policy``).
    """

    endpoint: str
    operation_name: str | None
    enum: str
    field: str
    value: str

    suggestion = "twenty-gql pull --check"


@dataclass(frozen=True, slots=True)
class BudgetLearnedEvent:
    """A throttle answer named the server's bucket, and the budget now paces by it."""

    capacity: int
    window: float
    previous_capacity: int
    previous_window: float


@dataclass(frozen=True, slots=True)
class BudgetStoreEvent:
    """The shared budget's store went away (``store="local"``: pacing in-process) or came
    back (``store="redis"``); ``reason`` says which store and why, without credentials."""

    store: str
    reason: str


Event: TypeAlias = (
    RequestEvent
    | ResponseEvent
    | RetryEvent
    | ThrottleEvent
    | ConsumptionEvent
    | UnknownEnumValueEvent
    | BudgetLearnedEvent
    | BudgetStoreEvent
)
Callback: TypeAlias = Callable[[Event], object]


class EventBus:
    """Synchronous fan-out of events to subscribers."""

    __slots__ = ("_callbacks",)

    def __init__(self) -> None:
        self._callbacks: list[Callback] = []

    def subscribe(self, callback: Callback) -> Callable[[], None]:
        """Call ``callback(event)`` for every event; returns a function that unsubscribes."""
        self._callbacks.append(callback)

        def unsubscribe() -> None:
            if callback in self._callbacks:
                self._callbacks.remove(callback)

        return unsubscribe

    @property
    def has_subscribers(self) -> bool:
        return bool(self._callbacks)

    def emit(self, event: Event) -> None:
        for callback in tuple(self._callbacks):
            try:
                callback(event)
            except Exception:
                logger.exception("an event callback failed on %s", type(event).__name__)


@dataclass(frozen=True, slots=True)
class AnswerMeasure:
    """How long the server took to answer one HTTP attempt, and how big the body was."""

    seconds: float
    size: int


LAST_ANSWER: ContextVar[AnswerMeasure | None] = ContextVar("twenty_gql_last_answer", default=None)
"""The last answer received in this task (the page loop sizes pages from it). Limiter waits and
retry delays are not part of ``seconds``: only the exchange itself."""
