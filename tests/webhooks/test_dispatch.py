"""Routing by pattern: Twenty's matching rule, every handler runs, failures are collected."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from twenty_gql.webhooks import WebhookEvent, WebhookRouter, parse_event

from .recorded import recorded_deliveries


def event(name: str) -> WebhookEvent[Any]:
    body = json.loads(recorded_deliveries()[0].body)
    return parse_event({**body, "eventName": name})


def test_patterns_match_like_webhook_operations() -> None:
    router = WebhookRouter()
    seen: list[str] = []
    for pattern in ("company.created", "company.*", "*.created", "*.*", "*", "person.*"):

        async def handler(e: WebhookEvent[Any], pattern: str = pattern) -> None:
            seen.append(pattern)

        handler.__qualname__ = pattern
        router.add(handler, pattern)
    names = [h.__qualname__ for h in router.handlers_for("company.created")]
    assert names == ["company.created", "company.*", "*.created", "*.*", "*"]
    assert [h.__qualname__ for h in router.handlers_for("person.deleted")] == [
        "*.*",
        "*",
        "person.*",
    ]
    assert [h.__qualname__ for h in router.handlers_for("opportunity.deleted")] == ["*.*", "*"]


def test_a_handler_registered_for_two_matching_patterns_runs_once() -> None:
    router = WebhookRouter()

    @router.on("company.*", "*.created")
    async def both(e: WebhookEvent[Any]) -> None: ...

    assert router.handlers_for("company.created") == [both]


@pytest.mark.parametrize(
    ("pattern", "fragment"),
    [
        ("company", "is not '<object>.<action>'"),
        ("company.create", "unknown action 'create'"),
        ("a.b.c", "is not"),
        (".created", "is not"),
    ],
)
def test_a_bad_pattern_is_named_at_registration(pattern: str, fragment: str) -> None:
    router = WebhookRouter()
    with pytest.raises(ValueError, match=fragment) as caught:
        router.on(pattern)
    assert repr(pattern) in str(caught.value)


async def test_every_handler_runs_and_failures_are_collected() -> None:
    router = WebhookRouter()
    ran: list[str] = []
    gate = asyncio.Event()

    @router.on("company.*")
    async def fails_first(e: WebhookEvent[Any]) -> None:
        raise ValueError("boom")

    @router.on("*.updated")
    async def slow(e: WebhookEvent[Any]) -> None:
        await gate.wait()  # runs concurrently with the others: released by fast
        ran.append("slow")

    @router.on("*")
    async def fast(e: WebhookEvent[Any]) -> None:
        gate.set()
        ran.append("fast")

    result = await router.dispatch(event("company.updated"))
    assert sorted(ran) == ["fast", "slow"]
    assert result.handled == 2 and not result.ok
    assert [(f.handler, str(f.error)) for f in result.failures] == [
        ("test_every_handler_runs_and_failures_are_collected.<locals>.fails_first", "boom")
    ]
    nothing = await router.dispatch(event("person.created"))
    assert (nothing.handled, nothing.ok) == (1, True)
