"""Verification against the real deliveries: each verifies with its secret; each kind of
tampering is refused with its own reason."""

from __future__ import annotations

import json

import pytest
from pydantic import BaseModel, ConfigDict

from twenty_gql.webhook_rules import signature
from twenty_gql.webhooks import (
    MemoryReplayStore,
    Refusal,
    WebhookRefused,
    WebhookVerifier,
    verify,
)

from .recorded import SECRET, Recorded, recorded_deliveries

DELIVERIES = recorded_deliveries()


def at(delivery: Recorded, seconds_later: float = 0.0) -> float:
    """A clock reading ``seconds_later`` after the delivery was signed."""
    return delivery.timestamp_ms / 1000 + seconds_later


@pytest.mark.parametrize("delivery", DELIVERIES, ids=lambda d: d.name)
def test_every_recorded_delivery_verifies_with_its_secret(delivery: Recorded) -> None:
    event = verify(delivery.headers, delivery.body, SECRET, max_age=0)
    body = json.loads(delivery.body)
    assert event.name == body["eventName"]
    assert (event.object_name, event.action) == tuple(body["eventName"].split("."))
    assert event.webhook_id == "74f82e4d-caa9-450d-a169-3ab4da5d5f18"
    assert event.workspace_id == "20202020-1c25-4d02-bf25-6aeccf7ea419"
    assert event.object_metadata_id == body["objectMetadata"]["id"]
    assert event.record == body["record"]  # no model given: the record stays the dict
    assert event.record_id == body["record"]["id"]
    assert event.event_date.isoformat().startswith(body["eventDate"][:19])
    assert event.nonce == delivery.headers["X-Twenty-Webhook-Nonce"]
    assert event.updated_fields == (
        tuple(body["updatedFields"]) if "updatedFields" in body else None
    )


def test_updated_fields_of_the_recorded_update_and_delete() -> None:
    by_name = {d.name.split("-", 3)[-1]: d for d in DELIVERIES}
    updated = verify(
        by_name["company-updated"].headers, by_name["company-updated"].body, SECRET, max_age=0
    )
    deleted = verify(
        by_name["company-deleted"].headers, by_name["company-deleted"].body, SECRET, max_age=0
    )
    assert updated.updated_fields == ("employees", "tagline")
    assert deleted.updated_fields == ("deletedAt",)
    assert deleted.raw_record["deletedAt"] is not None


def refusal(
    delivery: Recorded,
    headers: dict[str, str] | None = None,
    body: bytes | None = None,
    secret: str = SECRET,
    **options: object,
) -> WebhookRefused:
    with pytest.raises(WebhookRefused) as caught:
        verify(
            headers or delivery.headers, delivery.body if body is None else body, secret, **options
        )  # type: ignore[arg-type]
    return caught.value


@pytest.mark.parametrize("index", [0, 100, 700, -2])
def test_one_changed_byte_is_a_bad_signature(index: int) -> None:
    delivery = DELIVERIES[0]
    body = bytearray(delivery.body)
    body[index] ^= 0x01
    refused = refusal(delivery, body=bytes(body), max_age=0)
    assert refused.reason is Refusal.BAD_SIGNATURE
    assert refused.status == 401


def test_reserialised_json_is_not_what_twenty_signed() -> None:
    # Why verify() wants the raw bytes: the same JSON, spaced differently, does not verify.
    delivery = DELIVERIES[0]
    reserialised = json.dumps(json.loads(delivery.body)).encode()
    assert reserialised != delivery.body
    assert refusal(delivery, body=reserialised, max_age=0).reason is Refusal.BAD_SIGNATURE


def test_a_decoded_body_is_refused_as_a_programming_error() -> None:
    delivery = DELIVERIES[0]
    with pytest.raises(TypeError, match="raw bytes"):
        verify(delivery.headers, delivery.body.decode(), SECRET, max_age=0)  # type: ignore[arg-type]


def test_another_secret_is_a_bad_signature_and_the_refusal_holds_no_secret() -> None:
    delivery = DELIVERIES[1]
    refused = refusal(delivery, secret="not-the-secret", max_age=0)
    assert refused.reason is Refusal.BAD_SIGNATURE
    expected = signature(SECRET, delivery.headers["X-Twenty-Webhook-Timestamp"], delivery.body)
    wrong = signature(
        "not-the-secret", delivery.headers["X-Twenty-Webhook-Timestamp"], delivery.body
    )
    for text in (str(refused), repr(refused), refused.detail):
        assert SECRET not in text and "not-the-secret" not in text
        assert expected not in text and wrong not in text


def test_a_changed_timestamp_breaks_the_signature() -> None:
    delivery = DELIVERIES[2]
    headers = {**delivery.headers, "X-Twenty-Webhook-Timestamp": str(delivery.timestamp_ms + 1)}
    assert refusal(delivery, headers=headers, max_age=0).reason is Refusal.BAD_SIGNATURE


def test_an_old_timestamp_is_stale_and_max_age_bounds_both_sides() -> None:
    delivery = DELIVERIES[0]
    assert verify(delivery.headers, delivery.body, SECRET, now=lambda: at(delivery, 299)).name
    refused = refusal(delivery, now=lambda: at(delivery, 301))
    assert refused.reason is Refusal.STALE_TIMESTAMP
    assert "301 s old" in refused.detail and "max_age is 300 s" in refused.detail
    future = refusal(delivery, now=lambda: at(delivery, -400))
    assert future.reason is Refusal.STALE_TIMESTAMP and "in the future" in future.detail
    assert (
        refusal(delivery, now=lambda: at(delivery, 61), max_age=60).reason
        is Refusal.STALE_TIMESTAMP
    )
    # The recorded deliveries are long past 5 minutes: only max_age=0 replays them.
    assert refusal(delivery).reason is Refusal.STALE_TIMESTAMP


def test_a_stale_delivery_with_a_forged_signature_is_named_bad_signature() -> None:
    delivery = DELIVERIES[0]
    assert (
        refusal(delivery, secret="other", now=lambda: at(delivery, 10_000)).reason
        is Refusal.BAD_SIGNATURE
    )


def test_a_reused_nonce_is_refused_as_a_replay() -> None:
    delivery = DELIVERIES[0]
    cache = MemoryReplayStore()
    verify(delivery.headers, delivery.body, SECRET, max_age=0, replay_cache=cache)
    refused = refusal(delivery, max_age=0, replay_cache=cache)
    assert refused.reason is Refusal.REPLAYED
    assert delivery.headers["X-Twenty-Webhook-Nonce"] in refused.detail


def test_a_replay_with_a_fresh_nonce_is_still_refused() -> None:
    # The nonce is not signed: the signature (timestamp + body) is claimed too.
    delivery = DELIVERIES[3]
    cache = MemoryReplayStore()
    verify(delivery.headers, delivery.body, SECRET, max_age=0, replay_cache=cache)
    headers = {**delivery.headers, "X-Twenty-Webhook-Nonce": "00" * 16}
    assert (
        refusal(delivery, headers=headers, max_age=0, replay_cache=cache).reason is Refusal.REPLAYED
    )


def test_a_forged_delivery_does_not_fill_the_replay_cache() -> None:
    delivery = DELIVERIES[0]
    cache = MemoryReplayStore()
    refusal(delivery, secret="other", max_age=0, replay_cache=cache)
    assert len(cache) == 0
    verify(delivery.headers, delivery.body, SECRET, max_age=0, replay_cache=cache)
    assert len(cache) == 2


@pytest.mark.parametrize(
    "header", ["X-Twenty-Webhook-Timestamp", "X-Twenty-Webhook-Signature", "X-Twenty-Webhook-Nonce"]
)
def test_a_missing_header_is_named(header: str) -> None:
    delivery = DELIVERIES[0]
    headers = {k: v for k, v in delivery.headers.items() if k != header}
    refused = refusal(delivery, headers=headers, max_age=0)
    assert refused.reason is Refusal.MISSING_HEADER and header in refused.detail


def test_headers_are_case_insensitive_in_a_plain_dict() -> None:
    delivery = DELIVERIES[0]
    lowered = {k.lower(): v for k, v in delivery.headers.items()}
    assert verify(lowered, delivery.body, SECRET, max_age=0).name == "company.created"


@pytest.mark.parametrize("value", ["2026-12-02T06:23:16Z", "1.5e12", "-1", "\uff11\uff12\uff13"])
def test_a_timestamp_that_is_not_milliseconds_is_refused(value: str) -> None:
    delivery = DELIVERIES[0]
    headers = {**delivery.headers, "X-Twenty-Webhook-Timestamp": value}
    assert refusal(delivery, headers=headers, max_age=0).reason is Refusal.BAD_TIMESTAMP


def signed(body: bytes, timestamp: str = "1796192596350") -> dict[str, str]:
    return {
        "X-Twenty-Webhook-Timestamp": timestamp,
        "X-Twenty-Webhook-Signature": signature(SECRET, timestamp, body),
        "X-Twenty-Webhook-Nonce": "ab" * 16,
    }


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        (b"not json", "not JSON"),
        (b'{"eventName": "company.created"}', "targetUrl"),
        (b"[]", "body"),
    ],
)
def test_a_signed_body_that_is_not_a_delivery_is_a_bad_body(body: bytes, fragment: str) -> None:
    with pytest.raises(WebhookRefused) as caught:
        verify(signed(body), body, SECRET, max_age=0)
    assert caught.value.reason is Refusal.BAD_BODY and caught.value.status == 400
    assert fragment in caught.value.detail


class Company(BaseModel):
    model_config = ConfigDict(extra="ignore")
    id: str
    name: str
    employees: int | None


class StrictCompany(BaseModel):
    id: str
    annualRecurringRevenue: int


def test_the_record_is_parsed_into_the_model_given_for_its_object() -> None:
    delivery = DELIVERIES[0]
    event = verify(delivery.headers, delivery.body, SECRET, max_age=0, models={"company": Company})
    assert isinstance(event.record, Company)
    assert (event.record.name, event.record.employees) == ("Refhook Corp", 42)
    assert event.raw_record["searchVector"]  # every column is still there
    other = verify(delivery.headers, delivery.body, SECRET, max_age=0, models={"person": Company})
    assert isinstance(other.record, dict)


def test_a_record_that_does_not_fit_its_model_is_named() -> None:
    delivery = DELIVERIES[0]
    refused = refusal(delivery, max_age=0, models={"company": StrictCompany})
    assert refused.reason is Refusal.BAD_RECORD
    assert "StrictCompany" in refused.detail and "annualRecurringRevenue" in refused.detail


async def test_the_verifier_claims_replays_and_can_forget_one() -> None:
    delivery = DELIVERIES[4]
    verifier = WebhookVerifier(SECRET, max_age=0)
    assert SECRET not in repr(verifier)
    event = await verifier.verify(delivery.headers, delivery.body)
    with pytest.raises(WebhookRefused) as caught:
        await verifier.verify(delivery.headers, delivery.body)
    assert caught.value.reason is Refusal.REPLAYED
    await verifier.forget(event)
    assert (await verifier.verify(delivery.headers, delivery.body)).record_id == event.record_id


def test_the_memory_store_is_bounded_and_expires_claims() -> None:
    clock = [0.0]
    store = MemoryReplayStore(max_entries=4, clock=lambda: clock[0])
    for n in range(3):
        assert store.claim_now([f"n:{n}", f"s:{n}"], ttl_seconds=10)
    assert len(store) == 4 and store.evicted == 2
    assert not store.claim_now(["n:2"], ttl_seconds=10)
    clock[0] = 11
    assert store.claim_now(["n:2"], ttl_seconds=10)  # expired, so it may come again
    assert len(store) == 1


@pytest.mark.parametrize("max_age", [-1.0])
def test_a_negative_max_age_is_refused(max_age: float) -> None:
    with pytest.raises(ValueError, match="max_age"):
        WebhookVerifier(SECRET, max_age=max_age)
    with pytest.raises(ValueError, match="secret is empty"):
        WebhookVerifier("")


async def test_receivers_sharing_redis_accept_a_delivery_once(redis_url: str) -> None:
    from twenty_gql.webhooks import RedisReplayStore

    delivery = DELIVERIES[0]
    stores = [RedisReplayStore.from_url(redis_url, prefix="test-shared:") for _ in range(2)]
    first, second = (WebhookVerifier(SECRET, max_age=0, replay_store=s) for s in stores)
    try:
        event = await first.verify(delivery.headers, delivery.body)
        for verifier in (second, first):
            with pytest.raises(WebhookRefused) as caught:
                await verifier.verify(delivery.headers, delivery.body)
            assert caught.value.reason is Refusal.REPLAYED
        fresh_nonce = {**delivery.headers, "X-Twenty-Webhook-Nonce": "cd" * 16}
        with pytest.raises(WebhookRefused):
            await second.verify(fresh_nonce, delivery.body)
        await first.forget(event)  # a handler failed: a re-send must go through
        assert (await second.verify(delivery.headers, delivery.body)).name == "company.created"
        ttl = await stores[0].client.pttl(
            "test-shared:n:" + delivery.headers["X-Twenty-Webhook-Nonce"]
        )
        assert 0 < ttl <= 24 * 3600 * 1000  # age check off: claims last a day
    finally:
        for store in stores:
            await store.aclose()
