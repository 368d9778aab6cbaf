"""Receiving Twenty's webhooks: verify (sans-IO core), typed events, dispatch, aiohttp handler,
and webhook management on ``/metadata``.

::

    verifier = WebhookVerifier(secret)
    router = WebhookRouter()

    @router.on("company.*")
    async def on_company(event: WebhookEvent) -> None:
        print(event.name, event.record_id, event.updated_fields)

    web.run_app(webhook_app(verifier, router, path="/twenty"))

See docs/webhooks.md for the refusal table, Twenty's delivery semantics and what a receiver
must make idempotent.
"""

from __future__ import annotations

from .aiohttp_app import webhook_app, webhook_handler
from .dispatch import DispatchResult, Handler, HandlerFailure, WebhookRouter
from .event import RecordModels, WebhookEvent, parse_event
from .replay import MemoryReplayStore, RedisReplayStore, ReplayStore
from .verify import (
    DEFAULT_MAX_AGE,
    Refusal,
    WebhookRefused,
    WebhookVerifier,
    check_signature,
    verify,
)

__all__ = [
    "DEFAULT_MAX_AGE",
    "DispatchResult",
    "Handler",
    "HandlerFailure",
    "MemoryReplayStore",
    "RecordModels",
    "RedisReplayStore",
    "Refusal",
    "ReplayStore",
    "WebhookEvent",
    "WebhookRefused",
    "WebhookRouter",
    "WebhookVerifier",
    "check_signature",
    "parse_event",
    "verify",
    "webhook_app",
    "webhook_handler",
]
