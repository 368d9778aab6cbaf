"""Verifying a delivery: the raw body and headers in, a :class:`WebhookEvent` or one refusal out.

Checks, in this order, each refusing with its own :class:`Refusal` reason::

    missing_header    a Twenty header is absent                                   401
    bad_timestamp     X-Twenty-Webhook-Timestamp is not whole milliseconds         401
    bad_signature     HMAC-SHA256(secret, timestamp ":" raw body) differs          401
    stale_timestamp   the timestamp is more than max_age away from now             401
    replayed          this nonce or this signed timestamp+body was accepted before 401
    bad_body          the signed body is not a Twenty delivery (JSON, shape)       400
    bad_record        the record does not fit the model given for its object       400

The signature is compared in constant time (:func:`hmac.compare_digest`) against the body bytes
exactly as received: never re-serialised JSON, whose spacing, key order or escapes could differ.
The signature comes before the age so that a forged request is always named ``bad_signature``,
and the replay claim comes last so that nothing unsigned can fill the replay cache.

:func:`verify` is sans-IO and synchronous (its replay cache, if any, is a
:class:`MemoryReplayStore`). :class:`WebhookVerifier` holds the secret and options and claims
replays in any :class:`ReplayStore` (Redis included); it is what the aiohttp handler uses, and
what a FastAPI/Starlette endpoint calls::

    verifier = WebhookVerifier(secret)
    event = await verifier.verify(request.headers, await request.body())  # WebhookRefused if not
"""

from __future__ import annotations

import hmac
import json
import time
from collections.abc import Callable, Mapping
from enum import StrEnum
from typing import Any

from twenty_gql.webhook_rules import NONCE_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, signature

from .event import EventParseError, RecordModels, WebhookEvent, parse_event
from .replay import MemoryReplayStore, ReplayStore

__all__ = [
    "DEFAULT_MAX_AGE",
    "Refusal",
    "SignedDelivery",
    "WebhookRefused",
    "WebhookVerifier",
    "check_signature",
    "verify",
]

DEFAULT_MAX_AGE = 300.0
"""Seconds a delivery's timestamp may be away from now (Stripe and Svix use 5 minutes too)."""

Headers = Mapping[str, str]


class Refusal(StrEnum):
    MISSING_HEADER = "missing_header"
    BAD_TIMESTAMP = "bad_timestamp"
    BAD_SIGNATURE = "bad_signature"
    STALE_TIMESTAMP = "stale_timestamp"
    REPLAYED = "replayed"
    BAD_BODY = "bad_body"
    BAD_RECORD = "bad_record"

    @property
    def status(self) -> int:
        """The HTTP status a receiver answers with."""
        return 400 if self in (Refusal.BAD_BODY, Refusal.BAD_RECORD) else 401


class WebhookRefused(Exception):
    """The one exception of every refusal: ``reason`` (a :class:`Refusal`) and ``detail``.

    Never holds the secret or the expected signature.
    """

    def __init__(self, reason: Refusal, detail: str) -> None:
        super().__init__(f"{reason.value}: {detail}")
        self.reason = reason
        self.detail = detail

    @property
    def status(self) -> int:
        return self.reason.status


class SignedDelivery:
    """The headers of a delivery whose signature matched (what the replay check needs)."""

    __slots__ = ("nonce", "signature", "timestamp_ms")

    def __init__(self, timestamp_ms: int, signature: str, nonce: str | None) -> None:
        self.timestamp_ms = timestamp_ms
        self.signature = signature
        self.nonce = nonce

    @property
    def replay_keys(self) -> tuple[str, ...]:
        keys = (f"s:{self.signature.lower()}",)
        return keys if self.nonce is None else (f"n:{self.nonce}", *keys)


def _header(headers: Headers, name: str) -> str | None:
    value = headers.get(name)
    if value is None:  # a plain dict: look the name up case-insensitively
        lowered = name.lower()
        value = next((v for k, v in headers.items() if k.lower() == lowered), None)
    return value


def _check_max_age(max_age: float) -> None:
    if max_age < 0:
        raise ValueError(f"max_age must be >= 0 seconds (0 turns the age check off), got {max_age}")


def _secret_text(secret: str | bytes) -> str:
    text = secret.decode("utf-8") if isinstance(secret, bytes) else secret
    if not text:
        raise ValueError("the webhook secret is empty")
    return text


def check_signature(
    headers: Headers,
    body: bytes,
    secret: str | bytes,
    *,
    max_age: float = DEFAULT_MAX_AGE,
    now: Callable[[], float] = time.time,
    require_nonce: bool = True,
) -> SignedDelivery:
    """The header, signature and age checks of :func:`verify` (no replay check, no parsing)."""
    if not isinstance(body, bytes | bytearray | memoryview):
        raise TypeError(
            f"pass the body as the raw bytes received (got {type(body).__name__}): a decoded or "
            "re-serialised body may differ from what Twenty signed"
        )
    _check_max_age(max_age)
    raw = bytes(body)
    timestamp = _header(headers, TIMESTAMP_HEADER)
    provided = _header(headers, SIGNATURE_HEADER)
    nonce = _header(headers, NONCE_HEADER)
    missing = [
        name
        for name, value in (
            (TIMESTAMP_HEADER, timestamp),
            (SIGNATURE_HEADER, provided),
            (NONCE_HEADER, nonce if require_nonce else ""),
        )
        if not value
    ]
    if missing:
        raise WebhookRefused(Refusal.MISSING_HEADER, f"no {', '.join(missing)} header")
    assert timestamp is not None and provided is not None
    if not (timestamp.isascii() and timestamp.isdigit()):
        raise WebhookRefused(
            Refusal.BAD_TIMESTAMP,
            f"{TIMESTAMP_HEADER} must be milliseconds since the epoch, got {timestamp[:40]!r}",
        )
    expected = signature(_secret_text(secret), timestamp, raw)
    try:
        provided_bytes = provided.strip().lower().encode("ascii")
    except UnicodeEncodeError:
        provided_bytes = b""
    if not hmac.compare_digest(expected.encode("ascii"), provided_bytes):
        raise WebhookRefused(
            Refusal.BAD_SIGNATURE,
            f"{SIGNATURE_HEADER} does not match HMAC-SHA256(secret, timestamp:body) "
            "(another secret, or a body changed on the way)",
        )
    timestamp_ms = int(timestamp)
    if max_age:
        age = now() - timestamp_ms / 1000
        if abs(age) > max_age:
            when = f"{age:.0f} s old" if age > 0 else f"{-age:.0f} s in the future"
            raise WebhookRefused(
                Refusal.STALE_TIMESTAMP, f"the delivery is {when}; max_age is {max_age:g} s"
            )
    return SignedDelivery(timestamp_ms, provided.strip(), nonce or None)


def _event(signed: SignedDelivery, body: bytes, models: RecordModels | None) -> WebhookEvent[Any]:
    try:
        data = json.loads(bytes(body))
    except (ValueError, UnicodeDecodeError) as error:
        raise WebhookRefused(Refusal.BAD_BODY, f"the body is not JSON: {error}") from None
    try:
        return parse_event(
            data,
            models=models,
            nonce=signed.nonce,
            timestamp_ms=signed.timestamp_ms,
            signature=signed.signature,
        )
    except EventParseError as error:
        reason = Refusal.BAD_RECORD if error.record else Refusal.BAD_BODY
        raise WebhookRefused(reason, str(error)) from None


def _replay_ttl(max_age: float) -> float | None:
    return 2 * max_age if max_age else None


def _refuse_replay(signed: SignedDelivery) -> WebhookRefused:
    return WebhookRefused(
        Refusal.REPLAYED,
        f"this delivery (nonce {signed.nonce!r} or its signed timestamp and body) "
        "was accepted before",
    )


def verify(
    headers: Headers,
    body: bytes,
    secret: str | bytes,
    *,
    max_age: float = DEFAULT_MAX_AGE,
    replay_cache: MemoryReplayStore | None = None,
    models: RecordModels | None = None,
    now: Callable[[], float] = time.time,
) -> WebhookEvent[Any]:
    """Verify one delivery and return its event, or raise :class:`WebhookRefused`.

    ``max_age``: seconds the timestamp may be away from now; ``0`` turns the check off (to
    replay recorded deliveries). ``replay_cache``: refuse a delivery accepted before (``None``:
    no replay check; :class:`WebhookVerifier` always has one). ``models``: object name -> the
    pydantic model its record is parsed into (other objects' records stay dicts).
    """
    signed = check_signature(headers, body, secret, max_age=max_age, now=now)
    event = _event(signed, body, models)
    if replay_cache is not None and not replay_cache.claim_now(
        signed.replay_keys, _replay_ttl(max_age)
    ):
        raise _refuse_replay(signed)
    return event


class WebhookVerifier:
    """A secret, a ``max_age``, a replay store and record models, for one endpoint.

    ``replay_store`` defaults to a :class:`MemoryReplayStore`; pass a
    :class:`RedisReplayStore` when several receivers share one endpoint. The secret is kept
    out of ``repr``.
    """

    def __init__(
        self,
        secret: str | bytes,
        *,
        max_age: float = DEFAULT_MAX_AGE,
        replay_store: ReplayStore | None = None,
        models: RecordModels | None = None,
        now: Callable[[], float] = time.time,
    ) -> None:
        self._secret = _secret_text(secret)
        if max_age < 0:
            raise ValueError(
                f"max_age must be >= 0 seconds (0 turns the age check off), got {max_age}"
            )
        self.max_age = max_age
        self.replay_store: ReplayStore = replay_store or MemoryReplayStore()
        self.models = dict(models or {})
        self._now = now

    def __repr__(self) -> str:
        return f"WebhookVerifier(max_age={self.max_age:g}, replay_store={self.replay_store!r})"

    async def verify(self, headers: Headers, body: bytes) -> WebhookEvent[Any]:
        """The event of a delivery accepted for the first time, or :class:`WebhookRefused`."""
        signed = check_signature(headers, body, self._secret, max_age=self.max_age, now=self._now)
        event = _event(signed, body, self.models)
        if not await self.replay_store.claim(signed.replay_keys, _replay_ttl(self.max_age)):
            raise _refuse_replay(signed)
        return event

    async def forget(self, event: WebhookEvent[Any]) -> None:
        """Release an accepted delivery's replay claim, so that a re-send of it is accepted
        (the aiohttp handler does this when a handler fails and it answers 5xx)."""
        if event.signature is None or event.timestamp_ms is None:
            return
        signed = SignedDelivery(event.timestamp_ms, event.signature, event.nonce)
        await self.replay_store.release(signed.replay_keys)
