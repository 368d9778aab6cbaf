"""``execute_model``: a successful answer is validated straight from its bytes, and every other
answer reads exactly as ``execute`` + ``get_data`` + ``model_validate`` read it."""

from __future__ import annotations

import contextlib
import gc
import json
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from pydantic import ValidationError

from tests.runtime.conftest import CANARY_KEY, FAST_RETRY
from tests.runtime.records import recorded_companies
from tests.runtime.replay import ReplayServer, Reply, transcript
from tests.runtime.test_errors import CASES
from twenty_gql import base_client
from twenty_gql import errors as e
from twenty_gql.client import Twenty
from twenty_gql.events import ResponseEvent
from twenty_gql.generated.core.create_companies import CreateCompanies
from twenty_gql.generated.core.input_types import CompanyCreateInput
from twenty_gql.retry import NO_RETRY

QUERY = "mutation CreateCompanies { createCompanies(data: []) { id } }"


def _counting_json(monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
    """Record every body the runtime decodes with ``json.loads``."""
    decoded: list[bytes] = []

    def loads(body: bytes) -> Any:
        decoded.append(body)
        return json.loads(body)

    monkeypatch.setattr(base_client, "json", SimpleNamespace(loads=loads))
    return decoded


async def _outcome_via_execute(twenty: Twenty) -> object:
    """What the generated methods did before ``execute_model``: the result or the exception."""
    client = twenty.core
    try:
        response = await client.execute(QUERY, "CreateCompanies", {})
        return CreateCompanies.model_validate(client.get_data(response))
    except (e.TwentyError, ValidationError) as exc:
        return exc


async def _outcome_via_execute_model(twenty: Twenty) -> object:
    try:
        return await twenty.core.execute_model(CreateCompanies, QUERY, "CreateCompanies", {})
    except (e.TwentyError, ValidationError) as exc:
        return exc


def _same(before: object, after: object) -> None:
    if isinstance(before, e.TwentyError):
        assert type(after) is type(before), (before, after)
        assert isinstance(after, e.TwentyError)
        assert str(after) == str(before)
        for name in ("status", "code", "sub_code", "errors", "data", "operation_name"):
            assert getattr(after, name) == getattr(before, name), name
    elif isinstance(before, ValidationError):
        # execute_model raises the same failure as one SchemaDriftError naming its place
        assert isinstance(after, e.SchemaDriftError)
        assert [p for p, _, _ in after.problems] == [
            ".".join(map(str, x["loc"])) for x in before.errors()
        ]
    else:
        assert after == before


async def test_generated_method_validates_a_clean_answer_without_json_loads(
    replay: ReplayServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    records = recorded_companies(5)
    replay.default = Reply.data({"createCompanies": records})
    decoded = _counting_json(monkeypatch)
    inputs = [CompanyCreateInput(name=r["name"]) for r in records]
    async with Twenty(replay.url, CANARY_KEY, rate_limit="off") as twenty:
        result = await twenty.core.create_companies(data=inputs, upsert=True)
        assert twenty.runtime.consumed == 1  # charged like any answered call
    assert decoded == []
    assert result == CreateCompanies.model_validate({"createCompanies": records})
    assert [str(c.id) for c in result.create_companies or []] == [r["id"] for r in records]
    sent = replay.received[0].body
    assert sent["operationName"] == "CreateCompanies"
    assert [d["name"] for d in sent["variables"]["data"]] == [r["name"] for r in records]


@pytest.mark.parametrize(("number", "cls", "attrs"), CASES, ids=[str(c[0]) for c in CASES])
async def test_recorded_errors_read_the_same(
    replay: ReplayServer, number: int, cls: type[e.TwentyError], attrs: dict[str, Any]
) -> None:
    replay.queue(Reply.recorded(number), Reply.recorded(number))
    async with Twenty(replay.url, CANARY_KEY, rate_limit="off", retry=NO_RETRY) as twenty:
        before = await _outcome_via_execute(twenty)
        after = await _outcome_via_execute_model(twenty)
    assert type(after) is cls
    _same(before, after)


ODD_ANSWERS: dict[str, Reply] = {
    "errors key written with an escape": Reply(
        body='{"data": {"createCompanies": []}, '
        '"\\u0065rrors": [{"message": "boom", "extensions": {"code": "BAD_USER_INPUT"}}]}'
    ),
    "errors next to valid data": Reply(
        body={"data": {"createCompanies": []}, "errors": [{"message": "partial"}]}
    ),
    "empty errors list": Reply(body={"data": {"createCompanies": []}, "errors": []}),
    "null data": Reply(body={"data": None}),
    "no data": Reply(body={"extensions": {}}),
    "data is a list": Reply(body={"data": [1, 2]}),
    "a list body": Reply(body=[{"data": {}}]),
    "not JSON": Reply(body="<html>upstream says hi</html>", content_type="text/html"),
    "invalid record": Reply(body={"data": {"createCompanies": [{"id": "not-a-uuid"}]}}),
    "NaN in data": Reply(body='{"data": {"createCompanies": [{"position": NaN}]}}'),
    "a proxy's 502 with data": Reply(status=502, body={"data": {"createCompanies": []}}),
}


@pytest.mark.parametrize("name", list(ODD_ANSWERS))
async def test_odd_answers_read_the_same(replay: ReplayServer, name: str) -> None:
    reply = ODD_ANSWERS[name]
    replay.queue(reply, reply)
    async with Twenty(replay.url, CANARY_KEY, rate_limit="off", retry=NO_RETRY) as twenty:
        before = await _outcome_via_execute(twenty)
        after = await _outcome_via_execute_model(twenty)
    _same(before, after)


async def test_big_floats_stay_exact(replay: ReplayServer) -> None:
    record = recorded_companies(1)[0]
    big, bigger = 2**60 + 1, 2**70 + 3
    record["annualRevenue"] = {"amountMicros": big, "currencyCode": "USD"}
    second = dict(record, annualRevenue={"amountMicros": bigger, "currencyCode": "EUR"})
    replay.default = Reply.data({"createCompanies": [record, second]})
    async with Twenty(replay.url, CANARY_KEY, rate_limit="off") as twenty:
        result = await twenty.core.execute_model(CreateCompanies, QUERY, "CreateCompanies")
    amounts = [
        c.annual_revenue.amount_micros for c in result.create_companies or [] if c.annual_revenue
    ]
    assert amounts == [Decimal(big), Decimal(bigger)]


async def test_an_echoed_key_never_reaches_the_exception(replay: ReplayServer) -> None:
    replay.queue(Reply(body={"errors": [{"message": f"bad token {CANARY_KEY}"}], "data": None}))
    async with Twenty(replay.url, CANARY_KEY, rate_limit="off", retry=NO_RETRY) as twenty:
        with pytest.raises(e.TwentyError) as caught:
            await twenty.core.execute_model(CreateCompanies, QUERY, "CreateCompanies")
    error = caught.value
    assert CANARY_KEY not in f"{error} {error!r} {error.errors} {error.server_message}"


async def test_faults_are_retried_and_events_sent_as_before(replay: ReplayServer) -> None:
    records = recorded_companies(2)
    replay.queue(Reply(status=503, body="busy"), Reply.data({"createCompanies": records}))
    seen: list[ResponseEvent] = []
    request = transcript(8)["request"]  # a recorded createCompanies mutation
    query = request["query"].replace(
        "createCompanies(data: $data", "createCompanies(upsert: true, data: $data"
    )
    async with Twenty(replay.url, CANARY_KEY, rate_limit="off", retry=FAST_RETRY) as twenty:
        twenty.events.subscribe(
            lambda ev: seen.append(ev) if isinstance(ev, ResponseEvent) else None
        )
        result = await twenty.core.execute_model(CreateCompanies, query, None, request["variables"])
        assert twenty.runtime.consumed == 2  # the failed attempt may have run: charged too
    assert len(result.create_companies or []) == 2
    assert [(ev.status, ev.error) for ev in seen] == [(503, "ServerError"), (200, None)]


async def test_unexpected_options_are_refused(replay: ReplayServer) -> None:
    async with Twenty(replay.url, CANARY_KEY, rate_limit="off") as twenty:
        with pytest.raises(TypeError, match="unexpected keyword arguments: timeout"):
            await twenty.core.execute_model(CreateCompanies, QUERY, timeout=3)
        with pytest.raises(TypeError, match="retry must be a RetryPolicy"):
            await twenty.core.execute_model(CreateCompanies, QUERY, retry=3)
    assert replay.received == []


@pytest.mark.parametrize(
    "reply", [Reply.data({"createCompanies": []}), ODD_ANSWERS["invalid record"]]
)
@pytest.mark.parametrize("collecting", [True, False])
async def test_the_collector_is_left_as_it_was(
    replay: ReplayServer, monkeypatch: pytest.MonkeyPatch, reply: Reply, collecting: bool
) -> None:
    """Validation runs with the cyclic collector paused, and leaves it as the caller had it."""
    states: list[bool] = []
    answer_type = base_client._Answer[CreateCompanies]  # pydantic caches the class
    validate = answer_type.model_validate_json

    def spy(body: bytes, **options: Any) -> Any:
        states.append(gc.isenabled())
        return validate(body, **options)

    monkeypatch.setattr(answer_type, "model_validate_json", spy)
    replay.default = reply
    was = gc.isenabled()
    (gc.enable if collecting else gc.disable)()
    try:
        async with Twenty(replay.url, CANARY_KEY, rate_limit="off", retry=NO_RETRY) as twenty:
            with contextlib.suppress(e.SchemaDriftError):
                await twenty.core.execute_model(CreateCompanies, QUERY, "CreateCompanies")
            assert gc.isenabled() is collecting
    finally:
        (gc.enable if was else gc.disable)()
    assert states == [False]
