"""The API key never leaves (logs at DEBUG, reprs, exceptions); events reach subscribers."""

from __future__ import annotations

import logging
import traceback

import pytest

from tests.runtime.conftest import CANARY_KEY
from tests.runtime.replay import ReplayServer, Reply
from twenty_gql import errors as e
from twenty_gql.client import Twenty
from twenty_gql.config import ApiKey
from twenty_gql.events import (
    ConsumptionEvent,
    Event,
    RequestEvent,
    ResponseEvent,
    RetryEvent,
    ThrottleEvent,
)
from twenty_gql.retry import RetryPolicy

LIST = "query ListCompanies { companies(first: 1) { edges { node { id } } } }"
POLICY = RetryPolicy(max_attempts=2, base_delay=0.001, max_delay=0.001)


async def test_the_key_is_sent_but_never_shown(
    replay: ReplayServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    replay.queue(
        Reply(status=500, body="boom", content_type="text/plain"),
        Reply.recorded(77),
        Reply.data({"companies": {"edges": []}}),
        Reply.recorded(44),
        # A server that echoes the key back must not make the key travel in an exception.
        Reply(body={"errors": [{"message": f"bad token {CANARY_KEY}"}]}),
    )
    texts: list[str] = []
    async with Twenty(replay.url, CANARY_KEY, rate_limit="off", retry=POLICY) as twenty:
        texts += [repr(twenty), repr(twenty.runtime), repr(twenty.settings), repr(twenty.core)]
        texts += [str(twenty.settings.api_key), repr(twenty.runtime.transport)]
        twenty.runtime.profile = twenty.runtime.profile.scaled(window_seconds=0.1)
        await twenty.execute(LIST)
        for _ in range(2):
            with pytest.raises(e.TwentyError) as caught:
                await twenty.execute(LIST)
            error = caught.value
            texts += [str(error), repr(error), "".join(traceback.format_exception(error))]
            texts += [repr(error.errors), repr(error.__dict__)]
    assert replay.received[0].headers["Authorization"] == f"Bearer {CANARY_KEY}"
    assert any("retry" in r.getMessage() for r in caplog.records)
    assert any("throttled" in r.getMessage() for r in caplog.records)
    texts += [r.getMessage() for r in caplog.records] + [caplog.text]
    for text in texts:
        assert CANARY_KEY not in text
        assert CANARY_KEY[-12:] not in text
    assert "bad token ***" in str(error)


async def test_logs_use_the_package_logger(
    replay: ReplayServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="twenty_gql")
    replay.queue(Reply.data({}))
    async with Twenty(replay.url, CANARY_KEY, rate_limit="off") as twenty:
        await twenty.execute(LIST)
    assert {r.name for r in caplog.records} == {"twenty_gql"}


def test_an_api_key_cannot_be_pickled_or_printed() -> None:
    key = ApiKey(CANARY_KEY)
    assert CANARY_KEY not in repr(key) and CANARY_KEY not in f"{key}"


async def test_events_in_order(replay: ReplayServer) -> None:
    replay.queue(
        Reply(status=502, body="bad gateway", content_type="text/plain"),
        Reply(
            body={
                "errors": [
                    {
                        "message": "Limit reached (100 tokens per 100 ms)",
                        "extensions": {"subCode": "LIMIT_REACHED", "code": "BAD_USER_INPUT"},
                    }
                ]
            }
        ),
        Reply.data({"companies": {"edges": []}}),
    )
    seen: list[Event] = []
    async with Twenty(replay.url, CANARY_KEY, rate_limit="off", retry=POLICY) as twenty:
        unsubscribe = twenty.events.subscribe(seen.append)
        await twenty.execute(LIST, operation_name="ListCompanies")
        unsubscribe()
        replay.queue(Reply.data({}))
        await twenty.execute(LIST)
    kinds = [type(x).__name__ for x in seen]
    assert kinds == [
        "RequestEvent",
        "ResponseEvent",
        "ConsumptionEvent",
        "RetryEvent",
        "RequestEvent",
        "ResponseEvent",
        "ThrottleEvent",
        "RequestEvent",
        "ResponseEvent",
        "ConsumptionEvent",
    ]
    assert isinstance(seen[0], RequestEvent) and seen[0].operation_name == "ListCompanies"
    assert isinstance(seen[1], ResponseEvent) and seen[1].status == 502
    assert seen[1].error == "ServerError"
    assert isinstance(seen[3], RetryEvent) and seen[3].error == "ServerError"
    assert isinstance(seen[6], ThrottleEvent) and seen[6].throttled_total == 1
    assert isinstance(seen[8], ResponseEvent) and seen[8].error is None
    consumption = [x for x in seen if isinstance(x, ConsumptionEvent)]
    # The 502 may have been executed: it is charged. The throttled answer is not.
    assert [c.total for c in consumption] == [1, 2]
    assert len(seen) == 10  # nothing after unsubscribing


async def test_a_failing_callback_is_logged_not_raised(
    replay: ReplayServer, caplog: pytest.LogCaptureFixture
) -> None:
    replay.queue(Reply.data({"ok": True}))

    def broken(event: Event) -> None:
        raise RuntimeError("meter is broken")

    async with Twenty(replay.url, CANARY_KEY, rate_limit="off") as twenty:
        twenty.events.subscribe(broken)
        assert await twenty.execute(LIST) == {"ok": True}
    failures = [r for r in caplog.records if "event callback failed" in r.getMessage()]
    assert failures and failures[0].exc_info is not None
