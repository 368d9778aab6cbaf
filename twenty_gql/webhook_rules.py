"""How Twenty 2.21 names, matches and signs its webhook deliveries.

A pure module (strings and bytes in, strings out; no I/O), like :mod:`twenty_gql.naming`: the
receiver (:mod:`twenty_gql.webhooks`) imports it to verify and route deliveries, and the sandbox
imports it to send them exactly as Twenty does. The facts (NOTES.md (v), transcripts 204-225 under
``tests/fixtures/reference/transcripts``, and the worker's source in twentyhq/twenty,
``engine/metadata-modules/webhook/jobs/call-webhook-jobs.job.ts`` and ``call-webhook.job.ts``):

* an event is named ``<objectNameSingular>.<action>``; the actions are :data:`ACTIONS`;
* a webhook receives an event when its ``operations`` contain one of
  :func:`operations_to_match` (``company.created``, ``*.created``, ``company.*``, ``*.*``);
* each delivery is one POST per record, with the headers :data:`TIMESTAMP_HEADER` (milliseconds
  since the epoch), :data:`SIGNATURE_HEADER` and :data:`NONCE_HEADER` (16 random bytes, hex);
* the signature is ``hex(HMAC-SHA256(key=secret, message=timestamp + ":" + body))`` over the body
  exactly as sent (:func:`signature`). The nonce is *not* signed.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Literal

__all__ = [
    "ACTIONS",
    "NONCE_HEADER",
    "SIGNATURE_HEADER",
    "TIMESTAMP_HEADER",
    "Action",
    "operations_to_match",
    "signature",
    "split_event_name",
]

Action = Literal["created", "updated", "deleted", "destroyed", "restored", "upserted"]
ACTIONS: tuple[Action, ...] = ("created", "updated", "deleted", "destroyed", "restored", "upserted")

TIMESTAMP_HEADER = "X-Twenty-Webhook-Timestamp"
SIGNATURE_HEADER = "X-Twenty-Webhook-Signature"
NONCE_HEADER = "X-Twenty-Webhook-Nonce"


def split_event_name(event_name: str) -> tuple[str, str]:
    """``"company.created"`` -> ``("company", "created")``; raises ``ValueError`` otherwise."""
    object_name, dot, action = event_name.partition(".")
    if not dot or not object_name or not action or "." in action:
        raise ValueError(f"an event name is '<object>.<action>', got {event_name!r}")
    return object_name, action


def operations_to_match(event_name: str) -> tuple[str, str, str, str]:
    """The ``operations`` entries that subscribe a webhook to ``event_name``."""
    object_name, action = split_event_name(event_name)
    return (f"{object_name}.{action}", f"*.{action}", f"{object_name}.*", "*.*")


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """Twenty's signature of one delivery: hex HMAC-SHA256 of ``timestamp:body``."""
    message = timestamp.encode("ascii") + b":" + body
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()
