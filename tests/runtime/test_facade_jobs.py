"""The Twenty facade's batch methods, end to end against the sandbox over HTTP."""

from __future__ import annotations

import pytest

from tests.custom_objects import create_custom_object
from twenty_gql import Twenty
from twenty_gql.profiles import CLOUD
from twenty_gql.sandbox import Sandbox

FAST = CLOUD.scaled(window_seconds=1.0)


async def test_upsert_many_uses_the_workspace_plural_and_custom_unique_fields() -> None:
    async with (
        Sandbox.start(port=0, seed="empty", profile=FAST) as sb,
        Twenty(sb.url, sb.api_key, profile=FAST) as twenty,
    ):
        # An irregular plural no English rule would guess, and a custom unique field.
        await create_custom_object(
            twenty,
            "cactus",
            "cacti",
            {"type": "TEXT", "name": "code", "isUnique": True},
            {"type": "NUMBER", "name": "height"},
        )
        rows = [{"code": f"C{i % 5}", "height": i} for i in range(20)]
        result = await twenty.upsert_many("cactus", rows)
        stored = sorted((r["code"], r["height"]) for r in sb.store.all("cactus"))
    assert result.ok
    assert [o.index for o in result.outcomes] == list(range(20))
    assert result.stats.created == 5 and result.stats.updated == 15
    # The custom key kept repeats out of each other's batches: no batch failed and was split.
    assert result.stats.isolation_calls == 0
    assert result.stats.calls == 4
    # Rows sharing a unique code never met in one batch, and the last one won.
    assert stored == [(f"C{i}", 15 + i) for i in range(5)]


async def test_bulk_methods_act_on_every_matching_record_beyond_the_record_limit() -> None:
    async with (
        Sandbox.start(port=0, seed="empty", profile=FAST) as sb,
        Twenty(sb.url, sb.api_key, profile=FAST) as twenty,
    ):
        rows = [
            {"name": f"Bulk {i}", "domainName": {"primaryLinkUrl": f"https://bulk{i}.example"}}
            for i in range(150)  # more than the 60 records one call may touch
        ]
        assert (await twenty.upsert_many("company", rows)).ok
        scope = {"name": {"like": "Bulk %"}}
        updated = await twenty.update_many("company", scope, {"employees": 7})
        assert len(updated.ids) == 150
        assert {r["employees"] for r in sb.store.all("company")} == {7}
        deleted = await twenty.delete_many("company", scope)
        assert len(deleted.ids) == 150 and sb.store.count("company") == 0
        assert sb.store.count("company", with_deleted=True) == 150
        restored = await twenty.restore_many("company", scope)
        assert len(restored.ids) == 150 and sb.store.count("company") == 150
        destroyed = await twenty.destroy_many("company", scope)
        assert len(destroyed.ids) == 150
        assert sb.store.count("company", with_deleted=True) == 0


async def test_an_unknown_object_is_named_with_the_known_ones() -> None:
    async with (
        Sandbox.start(port=0, seed="empty", profile=FAST) as sb,
        Twenty(sb.url, sb.api_key, profile=FAST) as twenty,
    ):
        with pytest.raises(ValueError, match=r"no object named 'compny'.*company"):
            await twenty.upsert_many("compny", [{"name": "x"}])
