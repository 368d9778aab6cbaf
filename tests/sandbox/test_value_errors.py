"""Bad values get Twenty's answer word for word: message, code, subCode and userFriendlyMessage
of every value-error transcript (115-137, NOTES (q)), replayed over HTTP against the sandbox,
and what Twenty accepts is accepted with the value it stores."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from .conftest import Client
from .conftest import transcript as load_transcript

VALUE_TRANSCRIPTS = range(115, 138)
PROJECT_SETUP = (107, 109, 113, 114)


def _errors(body: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            "message": re.sub(r"\bworkspace_\w+\.", "workspace_.", e["message"]),
            "extensions": {
                k: e["extensions"].get(k) for k in ("code", "subCode", "userFriendlyMessage")
            },
        }
        for e in body.get("errors") or []
    ]


async def _create_project(client: Client, reference_dir: Path) -> None:
    object_id = None
    for number in PROJECT_SETUP:
        request = load_transcript(reference_dir, number)["request"]
        variables = request["variables"]
        if object_id is not None:
            variables["input"]["field"]["objectMetadataId"] = object_id
        reply = await client.post(request["query"], variables, endpoint="/metadata")
        assert not reply.errors, reply.body
        if number == 107:
            object_id = reply.data["createOneObject"]["id"]


@pytest.mark.parametrize("number", VALUE_TRANSCRIPTS)
async def test_value_answers_are_twentys_word_for_word(
    client: Client, reference_dir: Path, number: int
) -> None:
    await _create_project(client, reference_dir)
    transcript = load_transcript(reference_dir, number)
    request = transcript["request"]
    reply = await client.post(request["query"], request.get("variables"))
    expected = transcript["response"]
    assert reply.status == transcript["http_status"]
    assert _errors(reply.body) == _errors(expected)
    if expected.get("errors"):
        assert reply.data == expected["data"]
        return
    # accepted: the stored values Twenty answers (ids differ)
    ours = json.loads(re.sub(r'"id": "[^"]+"', '"id": "-"', json.dumps(reply.data)))
    theirs = json.loads(re.sub(r'"id": "[^"]+"', '"id": "-"', json.dumps(expected["data"])))
    assert ours == theirs


async def test_a_batch_with_one_bad_record_writes_nothing(client: Client) -> None:
    reply = await client.post(
        'mutation { createCompanies(data: [{name: "Batch Valid"}, '
        '{name: "Batch Invalid", employees: "lots"}]) { id } }'
    )
    assert reply.errors[0]["message"] == "Invalid number value 'lots' for field \"employees\""
    found = await client.post('{ companies(filter: {name: {eq: "Batch Valid"}}) { totalCount } }')
    assert found.data == {"companies": {"totalCount": 0}}


async def test_update_is_checked_by_the_same_rules(client: Client) -> None:
    made = await client.post('mutation { createCompany(data: {name: "Up"}) { id } }')
    reply = await client.post(
        "mutation($id: UUID!) { updateCompany(id: $id, data: {workPolicy: [NOWHERE]}) { id } }",
        {"id": made.data["createCompany"]["id"]},
    )
    assert reply.errors[0]["message"] == (
        "Invalid value [ 'NOWHERE' ] for multi select field \"workPolicy\""
    )
    assert reply.codes == [("BAD_USER_INPUT", "INVALID_ARGS_DATA")]
