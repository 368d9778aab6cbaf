"""``encode_request`` dumps all pydantic inputs in one pydantic-core pass; the bytes it sends are
the bytes the per-model ``model_dump`` encoder sent (kept below as the oracle)."""

from __future__ import annotations

import datetime as dt
import enum
import json
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest
from pydantic import BaseModel, Field

from twenty_gql import transport
from twenty_gql.generated.core.base_model import UNSET, UnsetType
from twenty_gql.generated.core.input_types import (
    ActorCreateInput,
    AddressCreateInput,
    CompanyCreateInput,
    CurrencyCreateInput,
    LinksCreateInput,
)
from twenty_gql.transport import _MARKER, _TAG, _decimal_text, encode_request


def _per_model_encode(
    query: str, operation_name: str | None, variables: dict[str, Any], unset_type: type
) -> bytes:
    """The encoder as it was: ``model_dump`` per model from ``json``'s ``default`` hook."""
    decimals: list[Decimal] = []

    def default(value: object) -> object:
        if isinstance(value, BaseModel):
            return value.model_dump(by_alias=True, exclude_unset=True)
        if isinstance(value, Decimal):
            decimals.append(value)
            return f"{_TAG}{len(decimals) - 1}"
        if isinstance(value, UUID):
            return str(value)
        if isinstance(value, dt.date | dt.time):
            return value.isoformat()
        if isinstance(value, enum.Enum):
            return value.value
        if isinstance(value, set | frozenset | tuple):
            return list(value)
        raise TypeError(f"a variable of type {type(value).__name__} cannot be sent as JSON")

    clean = {k: v for k, v in variables.items() if not isinstance(v, unset_type)}
    payload: dict[str, Any] = {"query": query, "variables": clean}
    if operation_name is not None:
        payload["operationName"] = operation_name
    text = json.dumps(payload, default=default, ensure_ascii=False, separators=(",", ":"))
    if decimals:
        text = _MARKER.sub(lambda m: _decimal_text(decimals[int(m.group(1))]), text)
    return text.encode()


class Colour(enum.Enum):
    RED = "RED"


class Ledger(BaseModel):
    """A hand-written model: its fields have no serializers of their own."""

    amount: Decimal | None = Field(default=None, alias="amountMicros")
    when: dt.datetime | None = None
    ids: tuple[UUID, ...] = ()
    colour: Colour | None = None
    extra: Any = None


ID = UUID("440e6340-4001-4b5d-8653-035d5936c640")
AT = dt.datetime(2026, 11, 28, 4, 0, 0, 123456, tzinfo=dt.UTC)


def _company(i: int) -> CompanyCreateInput:
    return CompanyCreateInput(
        name=f"Company {i} — é",
        employees=10 + i,
        id=ID,
        created_at=AT,
        annual_revenue=CurrencyCreateInput(amount_micros=Decimal(2**70 + i), currency_code="EUR"),
        address=AddressCreateInput(address_city="Paris", address_lat=Decimal("48.8566")),
        domain_name=LinksCreateInput(
            primary_link_url=f"https://c{i}.example",
            secondary_links=[{"url": "x", "weight": Decimal("12345678901234567890.5")}],
        ),
        created_by=ActorCreateInput(source="API", context={"at": AT, "id": ID, "c": Colour.RED}),
    )


CASES: dict[str, dict[str, Any]] = {
    "a page of generated inputs": {"data": [_company(i) for i in range(5)], "upsert": True},
    "unset arguments": {"data": [_company(0)], "upsert": UNSET},
    "one generated input": {"data": _company(1), "id": ID},
    "a tuple of inputs": {"data": (_company(2), _company(3))},
    "hand-written model with exact Decimals": {
        "ledger": [
            Ledger(
                amountMicros=Decimal("12345678901234567890.123456789"),
                when=AT,
                ids=(ID,),
                colour=Colour.RED,
                extra={"d": Decimal(2**64 + 1), "s": {1}},
            )
        ],
        "limit": 3,
    },
    "models nested in plain data": {"filter": {"and": [{"x": _company(4)}]}, "first": 60},
    "plain variables only": {"filter": {"id": {"eq": str(ID)}}, "at": AT, "n": Decimal("1.5")},
    "an empty list": {"data": []},
    "literal scalars beside inputs": {
        "data": [_company(5)],
        "upsert": False,
        "filter": None,
        "first": 1,
        "offset": 0,
        "ratio": 0.5,
        "name": 'é "q"',
    },
}


@pytest.mark.parametrize("name", list(CASES))
def test_the_bytes_sent_are_unchanged(name: str) -> None:
    variables = CASES[name]
    query = "mutation M($data: [CompanyCreateInput!]!) { createCompanies(data: $data) { id } }"
    sent = encode_request(query, "M", variables, UnsetType)
    assert sent == _per_model_encode(query, "M", variables, UnsetType)


def test_what_the_generated_inputs_put_on_the_wire() -> None:
    body = json.loads(
        encode_request("q", None, {"data": [_company(7)]}, UnsetType), parse_float=Decimal
    )
    (sent,) = body["variables"]["data"]
    assert sent["annualRevenue"] == {"amountMicros": 2**70 + 7, "currencyCode": "EUR"}
    assert sent["domainName"]["secondaryLinks"][0]["weight"] == Decimal("12345678901234567890.5")
    assert sent["createdBy"]["context"] == {"at": AT.isoformat(), "id": str(ID), "c": "RED"}
    assert "introVideo" not in sent and "intro_video" not in sent  # unset: left out


def test_an_unencodable_value_inside_a_model_names_its_type() -> None:
    bad = _company(0).model_copy(
        update={"created_by": ActorCreateInput(source="API", context=object())}
    )
    with pytest.raises(TypeError, match="a variable of type object cannot be sent as JSON"):
        encode_request("q", None, {"data": [bad]}, UnsetType)


class BiggerCompany(CompanyCreateInput):
    """A subclass may add any field: it is not marked, so it takes the ``json`` path."""

    valuation: Decimal | None = None


MORE_CASES: dict[str, dict[str, Any]] = {
    "an infinite float in a generated input": {
        "data": [CompanyCreateInput(employees=float("inf"))]
    },
    "a subclass of a generated input": {
        "data": [BiggerCompany(name="b", valuation=Decimal("12345678901234567890.1"))]
    },
    "mixed classes in one list": {"data": [_company(1), BiggerCompany(name="c")]},
    "a generated input alone": {"filter": ActorCreateInput(source="API", context=[Decimal("0.1")])},
}


@pytest.mark.parametrize("name", list(MORE_CASES))
def test_more_bytes_sent_are_unchanged(name: str) -> None:
    variables = MORE_CASES[name]
    assert encode_request("q", "Q", variables, UnsetType) == _per_model_encode(
        "q", "Q", variables, UnsetType
    )


def test_generated_inputs_are_written_by_pydantic_core(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> object:
        raise AssertionError("the python-mode path was taken")

    monkeypatch.setattr(transport, "_dump_models", refuse)
    variables = {"data": [_company(i) for i in range(3)], "upsert": True, "first": 2}
    assert encode_request("q", "Q", variables, UnsetType) == _per_model_encode(
        "q", "Q", variables, UnsetType
    )
    with pytest.raises(AssertionError, match="python-mode path"):
        encode_request("q", "Q", {"data": [BiggerCompany(name="b")]}, UnsetType)


def test_floats_written_by_pydantic_core_are_the_same_numbers() -> None:
    values = [1e16, 1.5e-7, 0.1, 2.0**60, -3.25, 1e300]
    variables = {"data": [CompanyCreateInput(employees=v, position=v) for v in values]}
    sent = json.loads(encode_request("q", None, variables, UnsetType), parse_float=Decimal)
    expected = json.loads(_per_model_encode("q", None, variables, UnsetType), parse_float=Decimal)
    assert sent == expected
    assert [d["employees"] for d in sent["variables"]["data"]] == [Decimal(repr(v)) for v in values]


def test_bad_values_in_generated_inputs_raise_as_before() -> None:
    nan = ActorCreateInput(source="API", context={"x": Decimal("NaN")})
    with pytest.raises(ValueError, match="finite"):
        encode_request("q", None, {"data": [nan]}, UnsetType)


def test_other_json_dumps_of_generated_inputs_are_pydantics_own() -> None:
    actor = ActorCreateInput(source="API", context={"x": Decimal("1.5")})
    assert actor.model_dump_json(by_alias=True) == '{"context":{"x":"1.5"},"source":"API"}'
    company = CompanyCreateInput(employees=float("inf"))
    # Input classes set ser_json_inf_nan="constants" (floats need no hook): pydantic writes
    # what ``json`` writes.
    assert '"employees":Infinity' in company.model_dump_json(exclude_unset=True)
    assert company.model_dump(exclude_unset=True) == {"employees": float("inf")}


@pytest.mark.parametrize("value", [float("inf"), float("-inf"), float("nan")])
def test_non_finite_floats_are_sent_as_json_writes_them(value: float) -> None:
    inputs = [CompanyCreateInput(employees=value, position=1.5)]
    constructed = [CompanyCreateInput.model_construct(employees=value)]  # no validation
    for data in (inputs, constructed, inputs[0]):
        variables = {"data": data}
        sent = encode_request("q", None, variables, UnsetType)
        assert sent == _per_model_encode("q", None, variables, UnsetType)
        assert json.dumps(value).encode() in sent
