"""Routing verified events to async handlers by pattern.

A pattern is written like a webhook's ``operations`` entry and matches by Twenty's own rule
(:func:`twenty_gql.webhook_rules.operations_to_match`): ``"company.created"``, ``"company.*"``,
``"*.deleted"``, ``"*.*"`` (``"*"`` is short for ``"*.*"``). Every matching handler runs, all at
once; one handler's error never stops another from getting the event. :meth:`WebhookRouter.
dispatch` returns what failed, so a receiver can answer 5xx and let the sender deliver again.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from twenty_gql.webhook_rules import ACTIONS, operations_to_match

from .event import WebhookEvent

__all__ = ["DispatchResult", "Handler", "HandlerFailure", "WebhookRouter"]

logger = logging.getLogger("twenty_gql.webhooks")

Handler = Callable[[WebhookEvent[Any]], Awaitable[object]]
HandlerT = TypeVar("HandlerT", bound=Handler)


@dataclass(frozen=True, slots=True)
class HandlerFailure:
    handler: str
    """The handler's qualified name."""
    error: BaseException


@dataclass(frozen=True, slots=True)
class DispatchResult:
    event: WebhookEvent[Any]
    handled: int
    """How many handlers ran to completion."""
    failures: tuple[HandlerFailure, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return not self.failures


def _normalise(pattern: str) -> str:
    if pattern == "*":
        return "*.*"
    object_name, dot, action = pattern.partition(".")
    if not dot or not object_name or not action or "." in action:
        raise ValueError(
            f"handler pattern {pattern!r} is not '<object>.<action>' (use '*' for any part)"
        )
    if action != "*" and action not in ACTIONS:
        raise ValueError(
            f"handler pattern {pattern!r}: unknown action {action!r} "
            f"(Twenty sends {', '.join(ACTIONS)})"
        )
    return pattern


def _name(handler: Handler) -> str:
    return str(getattr(handler, "__qualname__", None) or repr(handler))


class WebhookRouter:
    """Async handlers by pattern::

    router = WebhookRouter()

    @router.on("company.*")
    async def sync_company(event: WebhookEvent) -> None: ...
    """

    def __init__(self) -> None:
        self._routes: list[tuple[str, Handler]] = []

    def on(self, *patterns: str) -> Callable[[HandlerT], HandlerT]:
        """Register the decorated handler for every pattern given."""
        normalised = [_normalise(p) for p in patterns or ("*",)]

        def register(handler: HandlerT) -> HandlerT:
            self.add(handler, *normalised)
            return handler

        return register

    def add(self, handler: Handler, *patterns: str) -> None:
        if not callable(handler):
            raise TypeError(f"handler {handler!r} is not callable")
        for pattern in patterns or ("*",):
            self._routes.append((_normalise(pattern), handler))

    def handlers_for(self, event_name: str) -> list[Handler]:
        """The handlers ``event_name`` reaches, each once, in registration order."""
        wanted = set(operations_to_match(event_name))
        found: list[Handler] = []
        for pattern, handler in self._routes:
            if pattern in wanted and handler not in found:
                found.append(handler)
        return found

    async def dispatch(self, event: WebhookEvent[Any]) -> DispatchResult:
        """Run every matching handler concurrently; collect, log and return the failures."""
        handlers = self.handlers_for(event.name)
        outcomes = await asyncio.gather(
            *(handler(event) for handler in handlers), return_exceptions=True
        )
        failures: list[HandlerFailure] = []
        for handler, outcome in zip(handlers, outcomes, strict=True):
            if isinstance(outcome, asyncio.CancelledError):
                raise outcome
            if isinstance(outcome, BaseException):
                failures.append(HandlerFailure(_name(handler), outcome))
                logger.error(
                    "webhook handler %s failed on %s (record %s)",
                    _name(handler),
                    event.name,
                    event.record_id,
                    exc_info=outcome,
                )
        return DispatchResult(event, len(handlers) - len(failures), tuple(failures))
