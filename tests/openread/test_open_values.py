"""Open enums, the NUMBER mapping and SchemaDriftError on their own (no server)."""

from __future__ import annotations

import json
from enum import Enum

import pytest
from pydantic import BaseModel, ValidationError

from twenty_gql import OpenEnum, SchemaDriftError, UnknownEnumValue
from twenty_gql.open_enums import UnknownValues
from twenty_gql.read_errors import schema_drift_error
from twenty_gql.scalars import Number


class Stage(str, Enum):  # noqa: UP042 (as ariadne-codegen writes enums)
    NEW = "NEW"
    WON = "WON"


class Node(BaseModel):
    id: str
    stage: OpenEnum[Stage] | None = None
    tags: list[OpenEnum[Stage] | None] | None = None
    amount: Number | None = None
    title: str = ""


class Edge(BaseModel):
    node: Node


class Page(BaseModel):
    edges: list[Edge]


def test_known_values_are_members_and_unknown_ones_keep_their_string() -> None:
    found = UnknownValues()
    node = Node.model_validate_json(
        b'{"id": "r1", "stage": "LOST", "tags": ["WON", "COLD", null]}', context=found
    )
    assert node.tags is not None and node.tags[0] is Stage.WON and node.tags[2] is None
    assert node.stage == UnknownEnumValue("LOST") and node.tags[1] == "COLD"
    assert repr(node.stage) == "UnknownEnumValue('LOST')"
    assert found.found == [("Stage", "stage", "LOST"), ("Stage", "tags", "COLD")]
    assert json.loads(node.model_dump_json())["tags"] == ["WON", "COLD", None]
    assert node.model_dump(mode="json")["stage"] == "LOST"
    match node.stage:
        case Stage.NEW | Stage.WON:
            raise AssertionError("an unknown value matched a member")
        case UnknownEnumValue(raw):
            assert raw == "LOST"
    with pytest.raises(ValueError, match="LOST"):
        Stage("LOST")
    assert Node(id="r", stage=UnknownEnumValue("LOST")).stage == "LOST"  # sent as given


def test_an_enum_value_of_the_wrong_kind_still_fails() -> None:
    with pytest.raises(ValidationError):
        Node.model_validate_json(b'{"id": "r1", "stage": 3}')


@pytest.mark.parametrize(
    ("wire", "expected", "kind"),
    [
        ("3", 3, int),
        ("3.0", 3, int),
        ("1.5", 1.5, float),
        ("-0.25", -0.25, float),
        ("7.866767199974241e+73", int(7.866767199974241e73), int),
        ("9007199254740993", 9007199254740993, int),  # beyond 2**53: JSON integers stay exact
        ("1e308", int(1e308), int),
    ],
)
def test_numbers_read_as_twenty_stores_them(wire: str, expected: object, kind: type) -> None:
    amount = Node.model_validate_json(f'{{"id": "r", "amount": {wire}}}').amount
    assert (amount, type(amount)) == (expected, kind)
    assert json.loads(Node(id="r", amount=amount).model_dump_json())["amount"] == expected


@pytest.mark.parametrize("wire", ['"3"', "true", "[1]"])
def test_numbers_refuse_what_is_not_a_number(wire: str) -> None:
    with pytest.raises(ValidationError):
        Node.model_validate_json(f'{{"id": "r", "amount": {wire}}}')


def _drift(data: dict[str, object]) -> SchemaDriftError:
    with pytest.raises(ValidationError) as caught:
        Page.model_validate(data)
    return schema_drift_error("ListThings", caught.value, data)


def test_a_drift_error_names_path_record_value_and_cause() -> None:
    ok = {"id": "a", "title": "fine"}
    error = _drift({"edges": [{"node": ok}, {"node": {"id": "b", "title": None, "stage": 5}}]})
    # in the order of the model's fields; a union's choices make one entry
    assert (error.path, error.record_id, error.value) == ("edges.1.node.stage", "b", 5)
    assert error.problems[1] == (
        "edges.1.node.title",
        None,
        "the generated model requires a value, but null came back",
    )
    assert len(error.problems) == 2
    assert error.operation_name == "ListThings"
    text = str(error)
    assert text.startswith("ListThings: edges.1.node.stage of record b is 5: ")
    assert "1 more value(s)" in text and "twenty-gql pull --check" in text

    missing = _drift({"edges": [{"node": {"title": "no id"}}]})
    assert (missing.path, missing.record_id, missing.value) == ("edges.0.node.id", None, None)
    assert "left it out" in missing.problem


def test_the_readme_match_example_runs() -> None:
    from tests.test_readme import python_blocks

    example = next(block for block in python_blocks() if "def describe" in block)
    scope: dict[str, object] = {}
    exec(example, scope)
    describe = scope["describe"]
    assert callable(describe)
    from twenty_gql.generated.core.enums import OpportunityStageEnum

    assert describe(UnknownEnumValue("WON")) == "WON (added after codegen)"
    assert describe(OpportunityStageEnum.CUSTOMER) == "won"
    assert describe(OpportunityStageEnum.NEW) == "open"
