"""Outgoing webhook deliveries, sent as Twenty's queue worker sends them.

After a ``/graphql`` request has been answered, every record event it caused (see
:mod:`.record_changes`) goes to every registered webhook whose ``operations`` match it
(:func:`twenty_gql.webhook_rules.operations_to_match`): one signed POST per record and webhook,
with Twenty's headers and body shape (transcripts 220-224)::

    {"targetUrl", "eventName", "objectMetadata": {"id", "nameSingular"}, "workspaceId",
     "webhookId", "eventDate", "record", "updatedFields"?}

Policy (:class:`DeliveryPolicy`). By default the sandbox does what Twenty 2.21 does: a 5 s
timeout, **one attempt**; a network error or a non-2xx answer is counted
(``stats["webhook_failed"]``) and dropped (Twenty's ``CallWebhookJob`` catches it and only
writes an audit event). ``attempts=N`` makes the sandbox try up to N times, waiting ``backoff``
seconds before the second attempt and doubling the wait each time; every attempt is signed
afresh (new timestamp, new nonce), as a re-run of Twenty's job would be. At most
``concurrency`` deliveries are in flight (Twenty sends chunks of 20 at once); there is no order
guarantee between deliveries. Deliveries are kept in memory only: those still waiting when the
sandbox stops are dropped (Twenty's queue lives in Redis and survives a worker restart).
Loopback and private targets are allowed (Twenty's SSRF guard refuses them unless
``OUTBOUND_HTTP_SAFE_MODE_ENABLED=false``).

``stats``: ``webhook_deliveries`` (POSTs due), ``webhook_attempts``, ``webhook_delivered``
(answered 2xx), ``webhook_retries``, ``webhook_failed`` (given up).
"""

from __future__ import annotations

import asyncio
import json
import secrets
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import aiohttp

from twenty_gql.webhook_rules import (
    NONCE_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    operations_to_match,
    signature,
)

from .record_changes import RecordEvent, RecordingStore, events_of
from .records import Records
from .values import now_iso
from .webhook_registry import WebhookRegistry

__all__ = ["DeliveryPolicy", "WebhookSender"]


@dataclass(frozen=True, slots=True)
class DeliveryPolicy:
    timeout: float = 5.0
    attempts: int = 1
    backoff: float = 0.5
    concurrency: int = 20

    def __post_init__(self) -> None:
        if self.attempts < 1:
            raise ValueError(f"webhook delivery attempts must be >= 1 (got {self.attempts})")
        if self.concurrency < 1:
            raise ValueError(f"webhook concurrency must be >= 1 (got {self.concurrency})")


@dataclass(frozen=True, slots=True)
class _Delivery:
    url: str
    secret: str
    body: bytes


class WebhookSender:
    def __init__(
        self,
        registry: WebhookRegistry,
        *,
        workspace_id: str,
        object_id: Callable[[str], str],
        stats: Counter[str],
        policy: DeliveryPolicy | None = None,
    ) -> None:
        self.registry = registry
        self.policy = policy or DeliveryPolicy()
        self._workspace_id = workspace_id
        self._object_id = object_id
        self._stats = stats
        self._tasks: set[asyncio.Task[None]] = set()
        self._session: aiohttp.ClientSession | None = None
        self._slots = asyncio.Semaphore(self.policy.concurrency)

    def watch(self, records: Records) -> Records:
        """``records`` writing through a :class:`RecordingStore` when any webhook is registered."""
        if len(self.registry):
            records.store = RecordingStore(records.store)  # type: ignore[assignment]
        return records

    def send_changes(self, records: Records) -> None:
        """Schedule the deliveries of what ``records`` wrote; they run after the answer."""
        store: object = records.store
        if not isinstance(store, RecordingStore) or not store.writes:
            return
        events = events_of(store.writes)
        store.writes.clear()
        for delivery in self._deliveries(events):
            task = asyncio.get_running_loop().create_task(self._deliver(delivery))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    def _deliveries(self, events: list[RecordEvent]) -> list[_Delivery]:
        hooks = self.registry.all()
        out: list[_Delivery] = []
        for hook in hooks:
            event_date = now_iso()
            for event in events:
                if not set(operations_to_match(event.name)) & set(hook["operations"]):
                    continue
                payload: dict[str, Any] = {
                    "targetUrl": hook["targetUrl"],
                    "eventName": event.name,
                    "objectMetadata": {
                        "id": self._object_id(event.object_name),
                        "nameSingular": event.object_name,
                    },
                    "workspaceId": self._workspace_id,
                    "webhookId": hook["id"],
                    "eventDate": event_date,
                    "record": event.record,
                }
                if event.updated_fields is not None:
                    payload["updatedFields"] = event.updated_fields
                # JSON.stringify's form: no spaces, non-ASCII as is.
                body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False)
                out.append(_Delivery(hook["targetUrl"], hook["secret"], body.encode("utf-8")))
        self._stats["webhook_deliveries"] += len(out)
        return out

    async def _deliver(self, delivery: _Delivery) -> None:
        for attempt in range(1, self.policy.attempts + 1):
            if attempt > 1:
                self._stats["webhook_retries"] += 1
                await asyncio.sleep(self.policy.backoff * 2 ** (attempt - 2))
            async with self._slots:  # not held while waiting to retry
                delivered = await self._attempt(delivery)
            if delivered:
                self._stats["webhook_delivered"] += 1
                return
        self._stats["webhook_failed"] += 1

    async def _attempt(self, delivery: _Delivery) -> bool:
        self._stats["webhook_attempts"] += 1
        timestamp = str(int(time.time() * 1000))
        headers = {
            "Content-Type": "application/json",
            TIMESTAMP_HEADER: timestamp,
            SIGNATURE_HEADER: signature(delivery.secret, timestamp, delivery.body),
            NONCE_HEADER: secrets.token_hex(16),
            "User-Agent": "twenty-gql-sandbox",
        }
        if self._session is None:
            self._session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=self.policy.timeout)
            )
        try:
            async with self._session.post(
                delivery.url, data=delivery.body, headers=headers
            ) as answer:
                await answer.read()
                return 200 <= answer.status < 300
        except (aiohttp.ClientError, TimeoutError):
            return False

    @property
    def pending(self) -> int:
        return len(self._tasks)

    async def drain(self) -> None:
        """Wait until every scheduled delivery has been delivered or given up."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def aclose(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*list(self._tasks), return_exceptions=True)
        if self._session is not None:
            await self._session.close()
            self._session = None
