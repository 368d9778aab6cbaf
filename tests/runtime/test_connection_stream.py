"""A connection walked out of an answer body a chunk at a time."""

from __future__ import annotations

import json
from typing import Any

import pytest

from twenty_gql.connection_stream import StreamedConnection
from twenty_gql.errors import BadInputError, ProtocolError


def body(connection: Any, **top: Any) -> bytes:
    return json.dumps({"data": {"companies": connection}, **top}, indent=1).encode()


def nodes(n: int) -> list[dict[str, Any]]:
    return [
        {"id": f"{i:04d}", "name": f"Caf\u00e9 {i}", "links": {"a": [1, {"b": None}]}}
        for i in range(n)
    ]


def test_nodes_come_in_chunks_and_the_other_fields_are_kept() -> None:
    records = nodes(1234)
    connection = {
        "totalCount": 1234,
        "edges": [{"cursor": "c", "node": r} for r in records],
        "pageInfo": {"hasNextPage": True, "endCursor": "e"},
    }
    streamed = StreamedConnection(
        body(connection, extensions={"x": 1}), ["companies"], chunk_size=500
    )
    chunks = list(streamed.chunks())
    assert [len(c) for c in chunks] == [500, 500, 234]
    assert [n for c in chunks for n in c] == records
    assert streamed.fields == {
        "totalCount": 1234,
        "pageInfo": {"hasNextPage": True, "endCursor": "e"},
    }
    assert streamed.found


def test_a_nested_path_and_keys_around_it_are_walked() -> None:
    answer = {
        "data": {"other": [1, 2], "a": {"skip": {"edges": [1]}, "b": {"edges": [{"node": 7}]}}}
    }
    streamed = StreamedConnection(json.dumps(answer).encode(), ["a", "b"])
    assert list(streamed.chunks()) == [[7]]


def test_empty_edges_and_a_null_connection() -> None:
    empty = StreamedConnection(
        body({"edges": [], "pageInfo": {"hasNextPage": False}}), ["companies"]
    )
    assert list(empty.chunks()) == [] and empty.found
    missing = StreamedConnection(body(None), ["companies"])
    assert list(missing.chunks()) == [] and not missing.found


def test_errors_in_the_answer_are_raised_as_the_library_classifies_them() -> None:
    error = {"message": "Invalid filter", "extensions": {"code": "BAD_USER_INPUT"}}
    streamed = StreamedConnection(body(None, errors=[error]), ["companies"])
    with pytest.raises(BadInputError, match="Invalid filter"):
        list(streamed.chunks())


@pytest.mark.parametrize(
    "text",
    [
        b'{"data": {"companies": {"edges": [{"node": 1} {"node": 2}]}}}',
        b'{"data": {"companies": {"edges": [',
        b"[]",
    ],
    ids=["no-comma", "truncated", "not-an-object"],
)
def test_malformed_answers_are_protocol_errors(text: bytes) -> None:
    with pytest.raises(ProtocolError, match="not valid JSON"):
        list(StreamedConnection(text, ["companies"]).chunks())
