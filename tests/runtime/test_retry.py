"""Retries on injected faults (5xx, dropped connection, timeout), by the idempotency rules."""

from __future__ import annotations

import random
from typing import Any

import pytest

from tests.runtime.conftest import CANARY_KEY, FAST_RETRY
from tests.runtime.replay import ReplayServer, Reply
from twenty_gql import errors as e
from twenty_gql.client import Twenty
from twenty_gql.events import Event, RetryEvent, ThrottleEvent
from twenty_gql.retry import RetryPolicy, operation_info
from twenty_gql.transport import Timeouts

LIST = "query ListCompanies { companies(first: 1) { edges { node { id } } } }"
CREATE = "mutation CreateCompany($data: CompanyCreateInput!) { createCompany(data: $data) { id } }"
CREATE_MANY = (
    "mutation CreateCompanies($data: [CompanyCreateInput!]!, $upsert: Boolean) "
    "{ createCompanies(data: $data, upsert: $upsert) { id } }"
)
UPDATE = (
    "mutation UpdateCompanies($filter: CompanyFilterInput!, $data: CompanyUpdateInput!) "
    "{ updateCompanies(filter: $filter, data: $data) { id } }"
)
OK = Reply.data({"companies": {"edges": []}})
ERROR_500 = Reply(status=503, body="upstream unavailable", content_type="text/plain")
INTERNAL = Reply.recorded(59)
DROP = Reply(drop=True)


def _client(replay: ReplayServer, **options: Any) -> Twenty:
    options.setdefault("retry", FAST_RETRY)
    return Twenty(replay.url, CANARY_KEY, rate_limit="off", **options)


@pytest.mark.parametrize("fault", [ERROR_500, INTERNAL, DROP], ids=["503", "INTERNAL", "drop"])
async def test_a_read_is_retried_after_a_fault(replay: ReplayServer, fault: Reply) -> None:
    replay.queue(fault, OK)
    seen: list[Event] = []
    async with _client(replay) as twenty:
        twenty.events.subscribe(seen.append)
        data = await twenty.execute(LIST)
    assert data == {"companies": {"edges": []}}
    assert len(replay.received) == 2
    retries = [x for x in seen if isinstance(x, RetryEvent)]
    assert len(retries) == 1 and retries[0].operation_name is None


async def test_a_read_is_retried_after_a_timeout(replay: ReplayServer) -> None:
    replay.queue(Reply(delay=0.5, body={"data": {}}), OK)
    async with _client(replay, timeouts=Timeouts(total=0.15, connect=1, read=None)) as twenty:
        data = await twenty.execute(LIST)
    assert data["companies"] == {"edges": []}
    assert len(replay.received) == 2


async def test_attempts_are_capped(replay: ReplayServer) -> None:
    replay.queue(ERROR_500, ERROR_500, ERROR_500, OK)
    async with _client(replay) as twenty:
        with pytest.raises(e.ServerError) as caught:
            await twenty.execute(LIST)
    assert caught.value.status == 503
    assert "upstream unavailable" in str(caught.value)
    assert len(replay.received) == FAST_RETRY.max_attempts


CREATE_IN_FRAGMENT = (
    "mutation CreateCompany($data: CompanyCreateInput!) { ...Make } "
    "fragment Make on Mutation { createCompany(data: $data) { id } }"
)


@pytest.mark.parametrize("fault", [ERROR_500, DROP], ids=["503", "drop"])
@pytest.mark.parametrize("document", [CREATE, CREATE_IN_FRAGMENT], ids=["plain", "fragment"])
async def test_a_plain_create_is_not_retried(
    replay: ReplayServer, fault: Reply, document: str
) -> None:
    replay.queue(fault, OK)
    async with _client(replay) as twenty:
        with pytest.raises((e.ServerError, e.TransportError)):
            await twenty.execute(document, {"data": {"name": "x"}})
    assert len(replay.received) == 1


async def test_a_plain_create_is_not_retried_after_a_timeout(replay: ReplayServer) -> None:
    replay.queue(Reply(delay=0.5, body={"data": {}}), OK)
    async with _client(replay, timeouts=Timeouts(total=0.15, connect=1, read=None)) as twenty:
        with pytest.raises(e.RequestTimeoutError):
            await twenty.execute(CREATE, {"data": {"name": "x"}})
    assert len(replay.received) == 1


async def test_the_caller_may_opt_in_per_call(replay: ReplayServer) -> None:
    replay.queue(ERROR_500, Reply.data({"createCompany": {"id": "1"}}))
    policy = RetryPolicy(max_attempts=2, base_delay=0.01, retry_non_idempotent=True)
    async with _client(replay) as twenty:
        data = await twenty.execute(CREATE, {"data": {"name": "x"}}, retry=policy)
    assert data == {"createCompany": {"id": "1"}}
    assert len(replay.received) == 2


@pytest.mark.parametrize(("upsert", "sent"), [(True, 2), (False, 1), (None, 1)])
async def test_an_upsert_is_retried_a_create_is_not(
    replay: ReplayServer, upsert: bool | None, sent: int
) -> None:
    replay.queue(ERROR_500, Reply.data({"createCompanies": []}))
    variables: dict[str, Any] = {"data": [{"name": "x"}]}
    if upsert is not None:
        variables["upsert"] = upsert
    async with _client(replay) as twenty:
        try:
            await twenty.execute(CREATE_MANY, variables)
        except e.ServerError:
            assert sent == 1
    assert len(replay.received) == sent


async def test_an_update_by_filter_is_retried(replay: ReplayServer) -> None:
    replay.queue(DROP, Reply.data({"updateCompanies": []}))
    async with _client(replay) as twenty:
        await twenty.execute(UPDATE, {"filter": {}, "data": {"name": "y"}})
    assert len(replay.received) == 2


async def test_bad_input_is_never_retried(replay: ReplayServer) -> None:
    replay.queue(Reply.recorded(19), OK)
    async with _client(replay) as twenty:
        with pytest.raises(e.NotFoundError):
            await twenty.execute(LIST)
    assert len(replay.received) == 1


THROTTLED = Reply(
    body={
        "data": {"createCompany": None},
        "errors": [
            {
                "message": "Limit reached (100 tokens per 1000 ms)",
                "extensions": {"subCode": "LIMIT_REACHED", "code": "BAD_USER_INPUT"},
            }
        ],
    }
)


async def test_a_throttled_create_is_retried_because_it_was_not_executed(
    replay: ReplayServer,
) -> None:
    replay.queue(THROTTLED, THROTTLED, Reply.data({"createCompany": {"id": "1"}}))
    seen: list[Event] = []
    async with _client(replay) as twenty:
        twenty.events.subscribe(seen.append)
        data = await twenty.execute(CREATE, {"data": {"name": "x"}})
    assert data == {"createCompany": {"id": "1"}}
    throttles = [x for x in seen if isinstance(x, ThrottleEvent)]
    assert [t.throttled_total for t in throttles] == [1, 2]
    # The wait is the refill interval parsed from the message (10 ms).
    assert all(t.delay == pytest.approx(0.01) for t in throttles)
    assert twenty.runtime.throttled == 2


async def test_throttled_calls_are_sent_again_until_the_patience_runs_out(
    replay: ReplayServer,
) -> None:
    replay.queue(*[THROTTLED] * 50)
    async with _client(replay) as twenty:
        with pytest.raises(e.RateLimitedError) as raised:
            await twenty.execute(LIST, retry=RetryPolicy(patience=0.05))
    # one call every 10 ms (the refusing bucket's interval) until 50 ms passed without progress
    assert 2 <= len(replay.received) < 50
    assert raised.value.gave_up_after is not None and raised.value.gave_up_after >= 0.05


async def test_no_patience_gives_up_at_the_first_throttle(replay: ReplayServer) -> None:
    replay.queue(THROTTLED, OK)
    async with _client(replay) as twenty:
        with pytest.raises(e.RateLimitedError) as raised:
            await twenty.execute(LIST, retry=RetryPolicy(patience=0))
    assert len(replay.received) == 1
    assert raised.value.gave_up_after is None


async def test_the_server_hint_sets_the_wait(replay: ReplayServer) -> None:
    hinted = Reply(
        body={
            "errors": [
                {"message": "slow down", "extensions": {"code": "RATE_LIMITED", "retryAfterMs": 30}}
            ]
        }
    )
    replay.queue(hinted, OK)
    seen: list[Event] = []
    async with _client(replay) as twenty:
        twenty.events.subscribe(seen.append)
        await twenty.execute(LIST)
    (throttle,) = [x for x in seen if isinstance(x, ThrottleEvent)]
    assert throttle.delay == pytest.approx(0.03)


async def test_the_generated_client_passes_retry_through(replay: ReplayServer) -> None:
    replay.queue(ERROR_500, Reply.data({"createCompanies": []}))
    from twenty_gql.generated.core.input_types import CompanyCreateInput

    policy = RetryPolicy(max_attempts=2, base_delay=0.01, retry_non_idempotent=True)
    async with _client(replay) as twenty:
        result = await twenty.core.create_companies(
            data=[CompanyCreateInput(name="x")], retry=policy
        )
    assert result.create_companies == []
    assert len(replay.received) == 2
    assert "upsert" not in replay.received[0].body["variables"]


# --- the policy as data ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "variables", "idempotent"),
    [
        (LIST, None, True),
        (CREATE, {"data": {}}, False),
        (CREATE_MANY, {"data": [], "upsert": True}, True),
        (CREATE_MANY, {"data": [], "upsert": False}, False),
        (CREATE_MANY, {"data": []}, False),
        ("mutation { createCompanies(data: [], upsert: true) { id } }", None, True),
        ("mutation { createCompanies(data: [], upsert: false) { id } }", None, False),
        (
            "mutation M($u: Boolean = true) { createCompanies(data: [], upsert: $u) { id } }",
            None,
            True,
        ),
        (
            "mutation { createCompany(data: {}) { id } updateCompany(id: 1, data: {}) { id } }",
            None,
            False,
        ),
        (UPDATE, {}, True),
        ("mutation { deleteCompanies(filter: {}) { id } }", None, True),
        ("mutation { restoreCompanies(filter: {}) { id } }", None, True),
        ("mutation { destroyCompanies(filter: {}) { id } }", None, True),
        ("mutation { createOneObject(input: {}) { id } }", None, False),
        ("mutation { sendInvitations(emails: []) { success } }", None, False),
        # A string mentioning "upsert: true" is not an argument.
        ('mutation { createCompany(data: {name: "upsert: true"}) { id } }', None, False),
        # Root fields selected through fragments count like any other.
        (
            "mutation M { ...Make } fragment Make on Mutation { createCompany(data: {}) { id } }",
            None,
            False,
        ),
        ("mutation { ... on Mutation { sendInvitations(emails: []) { success } } }", None, False),
        (
            "mutation M { ...Up } fragment Up on Mutation { createCompanies(data: [], upsert: true)"
            " { id } }",
            None,
            True,
        ),
    ],
)
def test_idempotency_comes_from_the_parsed_operation(
    query: str, variables: dict[str, Any] | None, idempotent: bool
) -> None:
    assert operation_info(query).is_idempotent(variables) is idempotent


def test_cost_is_what_twenty_charges() -> None:
    assert operation_info(LIST).cost == 1
    assert operation_info("{ a { id } b { id } c { id } }").cost == 1  # one token (83)
    fragments = (
        "query Q { a { id } ...F } fragment F on Query { b { id } ... on Query { c { id } } }"
    )
    assert operation_info(fragments).cost == 1
    # not charged (226): search and __typename alone
    assert operation_info('{ search(searchInput: "a") { edges { cursor } } }').cost == 0
    assert operation_info("{ __typename }").cost == 0


def test_full_jitter_backoff_is_capped() -> None:
    policy = RetryPolicy(base_delay=0.5, max_delay=4.0)
    rng = random.Random(7)
    for n in range(1, 10):
        ceiling = min(4.0, 0.5 * 2 ** (n - 1))
        delays = [policy.fault_delay(n, rng) for _ in range(200)]
        assert all(0 <= d <= ceiling for d in delays)
        assert max(delays) > ceiling * 0.8  # spread over the whole range: full jitter


def test_a_connection_never_opened_is_retried_for_any_operation() -> None:
    refused = e.TransportError("cannot connect")
    refused.request_sent = False
    dropped = e.TransportError("server disconnected")
    policy = RetryPolicy()
    assert policy.should_retry_fault(refused, idempotent=False, attempt=1)
    assert not policy.should_retry_fault(dropped, idempotent=False, attempt=1)
    assert policy.should_retry_fault(dropped, idempotent=True, attempt=1)
    assert not policy.should_retry_fault(dropped, idempotent=True, attempt=policy.max_attempts)
