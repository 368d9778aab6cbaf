"""``twenty.webhooks``: create, list, get, update and delete the workspace's webhooks.

The helpers run the typed ``/metadata`` operations of ``queries/metadata/webhooks.graphql``
(generated into ``twenty.metadata``; ``/metadata`` calls are not rate limited) and return a
:class:`Webhook`, whose ``repr`` leaves out the secret. ``create`` generates the secret on our
side (32 random bytes as 64 hex characters, the form Twenty generates) unless one is given, so
the caller holds it from the start::

    hook = await twenty.webhooks.create("https://example.com/twenty", ["company.*", "*.deleted"])
    verifier = WebhookVerifier(hook.secret)
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

__all__ = ["Webhook", "WebhookOperations", "Webhooks", "generate_secret"]


def generate_secret() -> str:
    return secrets.token_hex(32)


class WebhookOperations(Protocol):
    """The generated metadata client's webhook operations (``twenty.metadata``)."""

    async def list_webhooks(self, *args: Any, **kwargs: Any) -> Any: ...
    async def get_webhook(self, *args: Any, **kwargs: Any) -> Any: ...
    async def create_webhook(self, *args: Any, **kwargs: Any) -> Any: ...
    async def update_webhook(self, *args: Any, **kwargs: Any) -> Any: ...
    async def delete_webhook(self, *args: Any, **kwargs: Any) -> Any: ...


@dataclass(frozen=True, slots=True)
class Webhook:
    id: str
    target_url: str
    operations: tuple[str, ...]
    description: str | None
    secret: str = field(repr=False)
    created_at: datetime | None = None
    updated_at: datetime | None = None


def _webhook(node: Any) -> Webhook:
    return Webhook(
        id=str(node.id),
        target_url=node.target_url,
        operations=tuple(node.operations),
        description=node.description,
        secret=node.secret,
        created_at=node.created_at,
        updated_at=node.updated_at,
    )


class _Keep:
    def __repr__(self) -> str:
        return "KEEP"


KEEP: Any = _Keep()
"""Default of :meth:`Webhooks.update`'s arguments: leave the field as it is."""


class Webhooks:
    def __init__(self, operations: WebhookOperations) -> None:
        self._ops = operations

    async def create(
        self,
        target_url: str,
        operations: Sequence[str],
        *,
        description: str | None = None,
        secret: str | None = None,
    ) -> Webhook:
        """Register ``target_url`` for ``operations`` (``"company.*"``, ``"*.deleted"``, ...)."""
        if isinstance(operations, str):
            raise TypeError(f"operations is a list of '<object>.<action>' (got {operations!r})")
        answer = await self._ops.create_webhook(
            target_url=target_url,
            operations=list(operations),
            description=description,
            secret=secret or generate_secret(),
        )
        return _webhook(answer.create_webhook)

    async def list(self) -> list[Webhook]:
        answer = await self._ops.list_webhooks()
        return [_webhook(node) for node in answer.webhooks]

    async def get(self, webhook_id: str) -> Webhook | None:
        answer = await self._ops.get_webhook(id=webhook_id)
        return None if answer.webhook is None else _webhook(answer.webhook)

    async def update(
        self,
        webhook_id: str,
        *,
        target_url: str = KEEP,
        operations: Sequence[str] = KEEP,
        description: str | None = KEEP,
        secret: str = KEEP,
    ) -> Webhook:
        """Change the fields given; the others keep their value."""
        given = {
            "target_url": target_url,
            "operations": operations if operations is KEEP else list(operations),
            "description": description,
            "secret": secret,
        }
        changes = {k: v for k, v in given.items() if v is not KEEP}
        answer = await self._ops.update_webhook(id=webhook_id, **changes)
        return _webhook(answer.update_webhook)

    async def rotate_secret(self, webhook_id: str) -> Webhook:
        """Give the webhook a new generated secret (verify with both while deliveries drain)."""
        return await self.update(webhook_id, secret=generate_secret())

    async def delete(self, webhook_id: str) -> Webhook:
        answer = await self._ops.delete_webhook(id=webhook_id)
        return _webhook(answer.delete_webhook)
