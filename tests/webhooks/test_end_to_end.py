"""The whole loop on loopback: a receiver registered through ``twenty.webhooks`` on the sandbox,
records changed through the client, deliveries verified and dispatched as typed events."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import pytest
from aiohttp import ClientSession

from twenty_gql import Twenty
from twenty_gql.errors import ConflictError
from twenty_gql.sandbox import Sandbox
from twenty_gql.sandbox.webhook_delivery import DeliveryPolicy
from twenty_gql.webhook_rules import signature
from twenty_gql.webhooks import Refusal, WebhookEvent, WebhookRouter

from .conftest import Receiver, wait_for

CREATE = "mutation($data: [CompanyCreateInput!]!) { createCompanies(data: $data) { id } }"
UPDATE = (
    "mutation($id: UUID!, $data: CompanyUpdateInput!) "
    "{ updateCompany(id: $id, data: $data) { id } }"
)
DELETE = "mutation($id: UUID!) { deleteCompany(id: $id) { id } }"
RESTORE = "mutation($id: UUID!) { restoreCompany(id: $id) { id } }"
DESTROY = "mutation($id: UUID!) { destroyCompany(id: $id) { id } }"


def sandbox(**options: Any) -> Sandbox:
    return Sandbox.start(port=0, rate_limit=None, seed="empty", **options)


async def test_every_record_mutation_reaches_the_receiver_as_typed_events(
    receiver_factory: Any,
) -> None:
    async with sandbox() as sb, Twenty(sb.url, sb.api_key, rate_limit="off") as twenty:
        probe = await receiver_factory("placeholder")
        hook = await twenty.webhooks.create(probe.url, ["company.*"])
        await probe.stop()
        receiver: Receiver = await receiver_factory(hook.secret)
        await twenty.webhooks.update(hook.id, target_url=receiver.url)

        created = await twenty.execute(CREATE, {"data": [{"name": "Hookco", "employees": 5}]})
        record_id = created["createCompanies"][0]["id"]
        await twenty.execute(UPDATE, {"id": record_id, "data": {"employees": 6, "tagline": "x"}})
        await twenty.execute(UPDATE, {"id": record_id, "data": {"employees": 6}})  # no change
        await twenty.execute(DELETE, {"id": record_id})
        await twenty.execute(RESTORE, {"id": record_id})
        await twenty.execute(DESTROY, {"id": record_id})
        await sb.webhooks.drain()

    assert sorted(receiver.names()) == sorted(
        [
            "company.created",
            "company.upserted",
            "company.updated",
            "company.upserted",
            "company.deleted",
            "company.restored",
            "company.destroyed",
        ]
    )
    assert set(receiver.answers) == {200}
    by_name = {e.name: e for e in receiver.events}
    assert all(e.record_id == record_id for e in receiver.events)
    assert all(e.webhook_id == hook.id for e in receiver.events)
    assert by_name["company.created"].updated_fields is None
    assert by_name["company.created"].raw_record["employees"] == 5
    assert by_name["company.updated"].updated_fields == ("employees", "tagline")
    assert by_name["company.updated"].raw_record["tagline"] == "x"
    assert by_name["company.deleted"].updated_fields == ("deletedAt",)
    assert by_name["company.deleted"].raw_record["deletedAt"] is not None
    assert by_name["company.restored"].updated_fields == ("deletedAt",)
    assert by_name["company.destroyed"].raw_record["name"] == "Hookco"
    assert len({e.nonce for e in receiver.events}) == len(receiver.events)


async def test_operations_select_events_like_twenty(receiver_factory: Any) -> None:
    async with sandbox() as sb, Twenty(sb.url, sb.api_key, rate_limit="off") as twenty:
        receivers = {}
        for operations in (["company.created"], ["*.deleted"], ["person.*"], ["*.*"]):
            receiver = await receiver_factory("s3cret")
            await twenty.webhooks.create(receiver.url, operations, secret="s3cret")
            receivers[operations[0]] = receiver
        created = await twenty.execute(CREATE, {"data": [{"name": "A"}, {"name": "B"}]})
        await twenty.execute(DELETE, {"id": created["createCompanies"][0]["id"]})
        await sb.webhooks.drain()

    assert receivers["company.created"].names() == ["company.created"] * 2  # one POST per record
    assert receivers["*.deleted"].names() == ["company.deleted"]
    assert receivers["person.*"].names() == []
    assert Counter(receivers["*.*"].names()) == {
        "company.created": 2,
        "company.upserted": 2,
        "company.deleted": 1,
    }


async def test_a_failing_handler_answers_500_and_the_others_still_get_the_event(
    receiver_factory: Any,
) -> None:
    router = WebhookRouter()
    calls: Counter[str] = Counter()

    @router.on("company.created")
    async def flaky(event: WebhookEvent[Any]) -> None:
        calls["flaky"] += 1
        if calls["flaky"] == 1:
            raise RuntimeError("downstream is down")

    @router.on("*.created")
    async def steady(event: WebhookEvent[Any]) -> None:
        calls["steady"] += 1

    receiver = await receiver_factory("s3cret", router)
    policy = DeliveryPolicy(attempts=2, backoff=0.01)
    async with (
        sandbox(webhook_policy=policy) as sb,
        Twenty(sb.url, sb.api_key, rate_limit="off") as twenty,
    ):
        await twenty.webhooks.create(receiver.url, ["company.created"], secret="s3cret")
        await twenty.execute(CREATE, {"data": [{"name": "Once"}]})
        await sb.webhooks.drain()
        stats = dict(sb.stats)

    # First delivery: flaky raised (500), steady and the recorder still ran. The sandbox's
    # second attempt (signed afresh) succeeded; steady saw the event twice: be idempotent.
    assert receiver.answers == [500, 200]
    assert calls == {"flaky": 2, "steady": 2}
    assert len(receiver.events) == 2
    first, second = receiver.events
    assert first.delivery_key == second.delivery_key and first.nonce != second.nonce
    assert (stats["webhook_attempts"], stats["webhook_delivered"], stats["webhook_retries"]) == (
        2,
        1,
        1,
    )


async def test_like_twenty_a_failed_delivery_is_not_sent_again(receiver_factory: Any) -> None:
    router = WebhookRouter()

    @router.on("*.*")
    async def broken(event: WebhookEvent[Any]) -> None:
        raise RuntimeError("always")

    receiver = await receiver_factory("s3cret", router)
    async with sandbox() as sb, Twenty(sb.url, sb.api_key, rate_limit="off") as twenty:
        await twenty.webhooks.create(receiver.url, ["company.created"], secret="s3cret")
        await twenty.execute(CREATE, {"data": [{"name": "Lost"}]})
        await sb.webhooks.drain()
        assert (sb.stats["webhook_attempts"], sb.stats["webhook_failed"]) == (1, 1)
    assert receiver.answers == [500]


async def test_the_receiver_refuses_what_it_cannot_verify(receiver_factory: Any) -> None:
    receiver = await receiver_factory("right-secret")
    async with sandbox() as sb, Twenty(sb.url, sb.api_key, rate_limit="off") as twenty:
        await twenty.webhooks.create(receiver.url, ["*.*"], secret="wrong-secret")
        await twenty.execute(CREATE, {"data": [{"name": "Nope"}]})
        await sb.webhooks.drain()
        assert sb.stats["webhook_failed"] == 2  # created + upserted, both refused
    assert receiver.events == [] and receiver.answers == [401, 401]

    body = json.dumps({"eventName": "company.created"}).encode()
    async with ClientSession() as http:
        async with http.post(receiver.url, data=body) as answer:
            assert answer.status == 401
            assert (await answer.json())["error"] == Refusal.MISSING_HEADER
        headers = {
            "X-Twenty-Webhook-Timestamp": "1",
            "X-Twenty-Webhook-Signature": signature("right-secret", "1", body),
            "X-Twenty-Webhook-Nonce": "ab",
        }
        async with http.post(receiver.url, data=body, headers=headers) as answer:
            assert answer.status == 401
            assert (await answer.json())["error"] == Refusal.STALE_TIMESTAMP


async def test_500_companies_upserted_in_batches_give_500_verified_events_each_way(
    receiver_factory: Any,
) -> None:
    receiver = await receiver_factory("bulk-secret")
    async with sandbox() as sb, Twenty(sb.url, sb.api_key, rate_limit="off") as twenty:
        await twenty.webhooks.create(
            receiver.url, ["company.created", "company.updated"], secret="bulk-secret"
        )
        rows = [
            {"name": f"Bulk {n:03}", "domainName": {"primaryLinkUrl": f"https://b{n}.example"}}
            for n in range(500)
        ]
        first = await twenty.upsert_many("company", rows, batch_size=60)
        await sb.webhooks.drain()
        changed = [{**row, "employees": 7} for row in rows]
        second = await twenty.upsert_many("company", changed, batch_size=60)
        await sb.webhooks.drain()
        stats = dict(sb.stats)

    assert (first.stats.created, second.stats.updated) == (500, 500)
    names = Counter(receiver.names())
    assert names == {"company.created": 500, "company.updated": 500}
    for action in ("created", "updated"):
        ids = {e.record_id for e in receiver.events if e.action == action}
        assert len(ids) == 500  # each record exactly once: none lost, none doubled
    assert all(e.updated_fields == ("employees",) for e in receiver.events if e.action == "updated")
    assert set(receiver.answers) == {200} and len(receiver.answers) == 1000
    assert (stats["webhook_deliveries"], stats["webhook_delivered"]) == (1000, 1000)


async def test_receiver_down_for_a_while(receiver_factory: Any) -> None:
    """What the retry policy promises, measured: with attempts=6 and backoff 0.2 s (waits of
    0.2, 0.4, 0.8, 1.6, 3.2 s), deliveries made while the receiver is down arrive once it is
    back within the window; with Twenty's policy (one attempt) they are lost."""
    receiver = await receiver_factory("s3cret")
    policy = DeliveryPolicy(attempts=6, backoff=0.2)
    async with (
        sandbox(webhook_policy=policy) as sb,
        Twenty(sb.url, sb.api_key, rate_limit="off") as twenty,
    ):
        await twenty.webhooks.create(receiver.url, ["company.created"], secret="s3cret")
        await receiver.stop()
        await twenty.execute(CREATE, {"data": [{"name": f"Down {n}"} for n in range(20)]})
        await wait_for(lambda: sb.stats["webhook_attempts"] >= 40)  # every delivery failed twice
        await receiver.start()  # same port
        await sb.webhooks.drain()
        retried = dict(sb.stats)

    assert len(receiver.events) == 20
    assert len({e.record_id for e in receiver.events}) == 20
    assert retried["webhook_delivered"] == 20 and retried.get("webhook_failed", 0) == 0
    assert retried["webhook_retries"] >= 20

    lost_receiver = await receiver_factory("s3cret")
    async with sandbox() as sb, Twenty(sb.url, sb.api_key, rate_limit="off") as twenty:
        await twenty.webhooks.create(lost_receiver.url, ["company.created"], secret="s3cret")
        await lost_receiver.stop()
        await twenty.execute(CREATE, {"data": [{"name": f"Gone {n}"} for n in range(20)]})
        await sb.webhooks.drain()
        assert (sb.stats["webhook_failed"], sb.stats.get("webhook_delivered", 0)) == (20, 0)
        await lost_receiver.start()
    assert lost_receiver.events == []


async def test_a_custom_object_gets_its_events_without_regenerating(receiver_factory: Any) -> None:
    from tests.custom_objects import create_custom_object

    receiver = await receiver_factory("s3cret")
    async with sandbox() as sb, Twenty(sb.url, sb.api_key, rate_limit="off") as twenty:
        await create_custom_object(
            twenty, "invoice", "invoices", {"name": "amount", "type": "NUMBER"}
        )
        await twenty.webhooks.create(receiver.url, ["invoice.*"], secret="s3cret")
        created = await twenty.execute(
            'mutation { createInvoice(data: {name: "INV-1", amount: 12}) { id } }'
        )
        await sb.webhooks.drain()

    assert Counter(receiver.names()) == {"invoice.created": 1, "invoice.upserted": 1}
    event = next(e for e in receiver.events if e.action == "created")
    assert isinstance(event.record, dict)
    assert event.record["amount"] == 12 and event.record_id == created["createInvoice"]["id"]
    assert event.object_name == "invoice"


async def test_a_refused_batch_sends_nothing(receiver_factory: Any) -> None:
    receiver = await receiver_factory("s3cret")
    async with sandbox() as sb, Twenty(sb.url, sb.api_key, rate_limit="off") as twenty:
        await twenty.webhooks.create(receiver.url, ["*.*"], secret="s3cret")
        await twenty.execute(
            CREATE,
            {"data": [{"name": "Keep", "domainName": {"primaryLinkUrl": "https://k.example"}}]},
        )
        await sb.webhooks.drain()
        before = len(receiver.events)
        bad = [
            {"name": "New"},
            {"name": "Dup", "domainName": {"primaryLinkUrl": "https://k.example"}},
        ]
        with pytest.raises(ConflictError):
            await twenty.execute(CREATE, {"data": bad})
        await sb.webhooks.drain()
    assert len(receiver.events) == before == 2
