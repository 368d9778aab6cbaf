"""``twenty.webhooks`` against the sandbox's /metadata, answered as Twenty answers (204-213)."""

from __future__ import annotations

import re

import pytest

from twenty_gql import Twenty
from twenty_gql.errors import MetadataValidationError, NotFoundError
from twenty_gql.sandbox import Sandbox


async def test_create_list_get_update_delete(twenty_sandbox: Sandbox) -> None:
    async with Twenty(twenty_sandbox.url, twenty_sandbox.api_key, rate_limit="off") as twenty:
        hook = await twenty.webhooks.create(
            "http://127.0.0.1:9/twenty", ["company.*", "*.deleted"], description="crm sync"
        )
        assert re.fullmatch(r"[0-9a-f]{64}", hook.secret)  # generated on our side
        assert hook.secret not in repr(hook)
        assert hook.operations == ("company.*", "*.deleted")
        chosen = await twenty.webhooks.create("https://hooks.example/b", ["*.*"], secret="mine")
        assert chosen.secret == "mine" and chosen.description is None

        listed = await twenty.webhooks.list()
        assert {h.id for h in listed} == {hook.id, chosen.id}
        fetched = await twenty.webhooks.get(hook.id)
        assert fetched == hook

        updated = await twenty.webhooks.update(hook.id, operations=["person.created"])
        # Only the field given changes (the update variables left out are left out).
        assert updated.operations == ("person.created",)
        assert (updated.target_url, updated.description, updated.secret) == (
            hook.target_url,
            "crm sync",
            hook.secret,
        )
        rotated = await twenty.webhooks.rotate_secret(hook.id)
        assert rotated.secret != hook.secret and len(rotated.secret) == 64

        deleted = await twenty.webhooks.delete(hook.id)
        assert deleted.id == hook.id
        assert await twenty.webhooks.get(hook.id) is None
        assert [h.id for h in await twenty.webhooks.list()] == [chosen.id]

        with pytest.raises(NotFoundError) as missing:
            await twenty.webhooks.delete(hook.id)
        assert missing.value.sub_code == "WEBHOOK_NOT_FOUND"


async def test_server_generates_a_secret_and_refuses_a_non_http_url(
    twenty_sandbox: Sandbox,
) -> None:
    async with Twenty(twenty_sandbox.url, twenty_sandbox.api_key, rate_limit="off") as twenty:
        answer = await twenty.metadata.create_webhook(
            target_url="https://hooks.example/a", operations=["anything"]
        )
        # Twenty generates 64 hex characters when no secret is sent, and checks no operation.
        assert re.fullmatch(r"[0-9a-f]{64}", answer.create_webhook.secret)
        assert answer.create_webhook.operations == ["anything"]
        with pytest.raises(MetadataValidationError) as invalid:
            await twenty.webhooks.create("not a url", ["company.created"])
        assert "INVALID_TARGET_URL" in str(invalid.value.errors)


async def test_webhooks_survive_a_restart_with_a_database_file(tmp_path: object) -> None:
    db = f"{tmp_path}/sandbox.db"
    async with (
        Sandbox.start(port=0, db=db, rate_limit=None, seed="empty") as sb,
        Twenty(sb.url, sb.api_key, rate_limit="off") as twenty,
    ):
        hook = await twenty.webhooks.create("https://hooks.example/a", ["*.*"])
    async with Sandbox.start(port=0, db=db, rate_limit=None, seed="empty") as sb:
        assert [h["id"] for h in sb.webhooks.registry.all()] == [hook.id]
