"""Each error class, raised by a real HTTP answer: the recorded Twenty transcripts, replayed."""

from __future__ import annotations

from typing import Any

import pytest

from tests.runtime.conftest import CANARY_KEY
from tests.runtime.replay import ReplayServer, Reply, transcript
from twenty_gql import errors as e
from twenty_gql.base_client import BaseClient, Runtime
from twenty_gql.budget import NoBudget, Shape
from twenty_gql.client import Twenty
from twenty_gql.retry import NO_RETRY

SIMPLE = "{ companies(first: 1) { edges { node { id } } } }"


def _query(number: int) -> str:
    request = transcript(number)["request"]
    return request.get("query", SIMPLE)


async def _raise(replay: ReplayServer, number: int, endpoint: str = "/graphql") -> e.TwentyError:
    replay.queue(Reply.recorded(number))
    variables = transcript(number)["request"].get("variables")
    async with Twenty(replay.url, CANARY_KEY, rate_limit="off", retry=NO_RETRY) as twenty:
        with pytest.raises(e.TwentyError) as caught:
            await twenty.execute(_query(number), variables, endpoint=endpoint)
    return caught.value


CASES: list[tuple[int, type[e.TwentyError], dict[str, Any]]] = [
    (44, e.AuthenticationError, {"code": "UNAUTHENTICATED", "sub_code": "UNAUTHENTICATED"}),
    (12, e.ConflictError, {"code": "BAD_USER_INPUT", "sub_code": None}),
    (
        16,
        e.ConflictError,
        {"sub_code": "UPSERT_MULTIPLE_MATCHING_RECORDS_CONFLICT", "operation_name": None},
    ),
    (19, e.NotFoundError, {"code": "NOT_FOUND", "sub_code": "RECORD_NOT_FOUND"}),
    (31, e.TooManyRecordsError, {"sub_code": "TOO_MANY_RECORDS_TO_UPDATE", "limit": 200}),
    (40, e.TooManyRecordsError, {"code": "BAD_USER_INPUT", "limit": 200}),
    (48, e.BadInputError, {"code": None}),
    (50, e.BadInputError, {"code": None}),
    (62, e.BadInputError, {"sub_code": "INVALID_ARGS_DATA"}),
    (51, e.BadInputError, {"sub_code": "INVALID_QUERY_INPUT"}),
    (65, e.QueryTooComplexError, {"sub_code": "TOO_COMPLEX_QUERY"}),
    (94, e.QueryTooComplexError, {"code": "BAD_USER_INPUT"}),
    (59, e.ServerError, {"code": "INTERNAL_SERVER_ERROR"}),
    (98, e.ServerError, {"status": 500}),
    (53, e.ProtocolError, {"status": 400}),
    (55, e.ProtocolError, {"status": 400}),
]


@pytest.mark.parametrize(("number", "cls", "attrs"), CASES, ids=[str(c[0]) for c in CASES])
async def test_recorded_answer_raises_its_class(
    replay: ReplayServer, number: int, cls: type[e.TwentyError], attrs: dict[str, Any]
) -> None:
    error = await _raise(replay, number)
    assert type(error) is cls, f"{number}: {type(error).__name__}: {error}"
    for name, value in attrs.items():
        assert getattr(error, name) == value, (number, name, getattr(error, name))
    response = transcript(number)["response"]
    if isinstance(response, dict) and response.get("errors") and error.status == 200:
        assert error.errors == response["errors"]
        assert error.server_message == response["errors"][0]["message"]
        assert error.data == response.get("data")


async def test_every_error_keeps_what_the_server_said(replay: ReplayServer) -> None:
    error = await _raise(replay, 12)
    assert isinstance(error, e.ConflictError)
    assert error.server_message == "A duplicate entry was detected"
    assert error.user_friendly_message == (
        "This Domain Name value is already in use. Please check your data and try again."
    )
    assert error.conflicting_record_id == "440e6340-4001-4b5d-8653-035d5936c640"
    assert error.conflicting_object == "company"
    assert error.data == {"createCompany": None}
    assert error.operation_name is None


async def test_operation_name_is_kept(replay: ReplayServer) -> None:
    replay.queue(Reply.recorded(19))
    async with Twenty(replay.url, CANARY_KEY, rate_limit="off", retry=NO_RETRY) as twenty:
        with pytest.raises(e.NotFoundError) as caught:
            await twenty.execute(
                _query(19), transcript(19)["request"]["variables"], "UpdateCompany"
            )
    assert caught.value.operation_name == "UpdateCompany"
    assert str(caught.value).startswith(
        "UpdateCompany: Record not found [NOT_FOUND/RECORD_NOT_FOUND]"
    )
    assert replay.received[0].body["operationName"] == "UpdateCompany"


async def test_user_friendly_message_object_is_read(replay: ReplayServer) -> None:
    error = await _raise(replay, 44)
    assert error.user_friendly_message == "You must be authenticated to perform this action."
    assert error.data is None


async def test_metadata_without_key_is_permission_denied(replay: ReplayServer) -> None:
    error = await _raise(replay, 46, endpoint="/metadata")
    assert type(error) is e.PermissionDeniedError
    assert error.code == "FORBIDDEN"
    assert error.user_friendly_message == "An error occurred."
    assert replay.received[0].path == "/metadata"


async def test_metadata_validation(replay: ReplayServer) -> None:
    error = await _raise(replay, 73, endpoint="/metadata")
    assert type(error) is e.MetadataValidationError
    assert error.errors[0]["extensions"]["errors"]["fieldMetadata"][0]["status"] == "fail"


async def test_missing_key_reads_as_authentication(replay: ReplayServer) -> None:
    """Transcript 43: without a key Twenty serves a schema with no record fields."""
    replay.queue(Reply.recorded(43))
    runtime = Runtime(replay.url, None, budget=NoBudget(Shape(100, 60.0)), retry=NO_RETRY)
    try:
        with pytest.raises(e.AuthenticationError) as caught:
            await BaseClient(runtime).execute(_query(43))
    finally:
        await runtime.close()
    assert "Authorization" not in replay.received[0].headers
    assert 'Cannot query field "companies" on type "Query"' in caught.value.server_message


async def test_the_same_words_with_a_key_are_bad_input(replay: ReplayServer) -> None:
    error = await _raise(replay, 43)
    assert type(error) is e.BadInputError
    assert "unknown to this workspace" in str(error)


async def test_cannot_query_field_on_another_type_is_validation(replay: ReplayServer) -> None:
    body = {"errors": [{"message": 'Cannot query field "nope" on type "Company".'}]}
    replay.queue(Reply(body=body))
    runtime = Runtime(replay.url, None, budget=NoBudget(Shape(100, 60.0)), retry=NO_RETRY)
    try:
        with pytest.raises(e.BadInputError) as caught:
            await BaseClient(runtime).execute(SIMPLE)
    finally:
        await runtime.close()
    assert type(caught.value) is e.BadInputError


async def test_throttled_recorded_answer(replay: ReplayServer) -> None:
    error = await _raise(replay, 77)
    assert isinstance(error, e.RateLimitedError)
    assert error.sub_code == "LIMIT_REACHED"
    assert error.retry_after is None
    assert error.refill_interval == pytest.approx(0.6)


async def test_rate_limited_with_retry_after(replay: ReplayServer) -> None:
    body = {
        "data": {"companies": None},
        "errors": [
            {
                "message": "Too many requests",
                "extensions": {"code": "RATE_LIMITED", "retryAfterMs": 1250},
            }
        ],
    }
    replay.queue(Reply(body=body))
    async with Twenty(replay.url, CANARY_KEY, rate_limit="off", retry=NO_RETRY) as twenty:
        with pytest.raises(e.RateLimitedError) as caught:
            await twenty.execute(SIMPLE)
    assert caught.value.retry_after == pytest.approx(1.25)
    assert caught.value.data == {"companies": None}


async def test_several_errors_are_all_kept(replay: ReplayServer) -> None:
    body = {
        "data": {"a": None, "b": {"id": "1"}},
        "errors": [
            {"message": "bad", "extensions": {"code": "BAD_USER_INPUT"}},
            {"message": "Record not found", "extensions": {"code": "NOT_FOUND"}},
        ],
    }
    replay.queue(Reply(body=body))
    async with Twenty(replay.url, CANARY_KEY, rate_limit="off", retry=NO_RETRY) as twenty:
        with pytest.raises(e.NotFoundError) as caught:
            await twenty.execute(SIMPLE)
    assert len(caught.value.errors) == 2
    assert caught.value.data == {"a": None, "b": {"id": "1"}}
    assert "(+1 more errors)" in str(caught.value)


async def test_non_json_200_is_a_protocol_error(replay: ReplayServer) -> None:
    replay.queue(Reply(body="<html>proxy page</html>", content_type="text/html"))
    async with Twenty(replay.url, CANARY_KEY, rate_limit="off", retry=NO_RETRY) as twenty:
        with pytest.raises(e.ProtocolError) as caught:
            await twenty.execute(SIMPLE)
    assert caught.value.status == 200
    assert "<html>proxy page</html>" in str(caught.value)


async def test_connection_refused_is_a_transport_error() -> None:
    async with Twenty("http://127.0.0.1:9", CANARY_KEY, rate_limit="off", retry=NO_RETRY) as twenty:
        with pytest.raises(e.TransportError) as caught:
            await twenty.execute(SIMPLE, operation_name=None)
    assert caught.value.request_sent is False


async def test_document_that_does_not_parse_is_refused_before_sending(
    replay: ReplayServer,
) -> None:
    async with Twenty(replay.url, CANARY_KEY, rate_limit="off", retry=NO_RETRY) as twenty:
        with pytest.raises(e.BadInputError, match="does not parse"):
            await twenty.execute("{ companies(first: 1) { edges ")
        with pytest.raises(e.BadInputError, match="pass operation_name"):
            await twenty.execute("query A { a } query B { b }")
    assert replay.received == []


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (401, e.AuthenticationError),
        (403, e.PermissionDeniedError),
        (429, e.RateLimitedError),
        (404, e.ProtocolError),
    ],
)
async def test_a_proxy_status_without_graphql_errors(
    replay: ReplayServer, status: int, cls: type[e.TwentyError]
) -> None:
    replay.queue(Reply(status=status, body="<html>proxy</html>", content_type="text/html"))
    async with Twenty(replay.url, CANARY_KEY, rate_limit="off", retry=NO_RETRY) as twenty:
        with pytest.raises(e.TwentyError) as caught:
            await twenty.execute(SIMPLE)
    assert type(caught.value) is cls
    assert caught.value.status == status
