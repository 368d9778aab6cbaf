"""What goes on the wire: unset arguments dropped, pydantic by alias, exact Decimals, ISO dates."""

from __future__ import annotations

import datetime as dt
import enum
import json
from decimal import Decimal
from uuid import UUID

import pytest
from pydantic import BaseModel, Field

from tests.runtime.conftest import CANARY_KEY
from tests.runtime.records import recorded_companies
from tests.runtime.replay import ReplayServer, Reply
from twenty_gql.client import Twenty
from twenty_gql.transport import encode_request

CREATE_MANY = (
    "mutation CreateCompanies($data: [CompanyCreateInput!]!, $upsert: Boolean) "
    "{ createCompanies(data: $data, upsert: $upsert) { id } }"
)


class Unset:
    pass


class Money(BaseModel):
    amount_micros: Decimal | None = Field(default=None, alias="amountMicros")
    currency_code: str | None = Field(default=None, alias="currencyCode")


class Colour(enum.Enum):
    RED = "RED"


def test_encoding_of_every_supported_type() -> None:
    big = Decimal(2**60 + 1)
    body = encode_request(
        "query Q { a }",
        "Q",
        {
            "dropped": Unset(),
            "money": Money(amountMicros=big),
            "exact": Decimal("12345678901234567890.123456789"),
            "id": UUID("440e6340-4001-4b5d-8653-035d5936c640"),
            "at": dt.datetime(2026, 11, 28, 4, 0, tzinfo=dt.UTC),
            "day": dt.date(2026, 11, 28),
            "colour": Colour.RED,
            "nothing": None,
            "text": "héllo \x00 upsert",
        },
        unset_type=Unset,
    )
    text = body.decode()
    assert '"amountMicros":1152921504606846977' in text
    assert '"exact":12345678901234567890.123456789' in text
    decoded = json.loads(text, parse_float=Decimal)
    assert decoded["operationName"] == "Q"
    assert decoded["variables"] == {
        "money": {"amountMicros": 2**60 + 1},  # by alias; currencyCode unset: left out
        "exact": Decimal("12345678901234567890.123456789"),
        "id": "440e6340-4001-4b5d-8653-035d5936c640",
        "at": "2026-11-28T04:00:00+00:00",
        "day": "2026-11-28",
        "colour": "RED",
        "nothing": None,
        "text": "héllo \x00 upsert",
    }


def test_a_string_that_looks_like_the_decimal_marker_is_left_alone() -> None:
    body = encode_request("{ a }", None, {"s": "\x00decimal-0000000000000000:0", "d": Decimal(1)})
    assert json.loads(body)["variables"] == {"s": "\x00decimal-0000000000000000:0", "d": 1}


def test_an_unencodable_variable_names_its_type() -> None:
    with pytest.raises(TypeError, match="object"):
        encode_request("{ a }", None, {"x": object()})
    with pytest.raises(ValueError, match="finite"):
        encode_request("{ a }", None, {"x": Decimal("NaN")})


def test_an_unencodable_value_names_its_variable() -> None:
    with pytest.raises(TypeError, match=r"^variable 'data': a variable of type object cannot"):
        encode_request("{ a }", None, {"first": 1, "data": [{"name": object()}]})
    with pytest.raises(ValueError, match=r"^variable 'amount': a Decimal must be finite"):
        encode_request("{ a }", None, {"first": 1, "amount": Decimal("Infinity")})


async def test_the_generated_client_sends_exact_typed_variables(replay: ReplayServer) -> None:
    from twenty_gql.generated.core.input_types import (
        CompanyCreateInput,
        CurrencyCreateInput,
        LinksCreateInput,
    )

    replay.queue(Reply.data({"createCompanies": recorded_companies(3)}))
    async with Twenty(replay.url, CANARY_KEY, rate_limit="off") as twenty:
        result = await twenty.core.create_companies(
            data=[
                CompanyCreateInput(
                    name="Refco Two",
                    domain_name=LinksCreateInput(primary_link_url="https://refco-two.example"),
                    annual_revenue=CurrencyCreateInput(
                        amount_micros=Decimal(2**60 + 1), currency_code="USD"
                    ),
                ),
            ],
            upsert=True,
        )
    sent = replay.received[0]
    assert sent.body["operationName"] == "CreateCompanies"
    assert sent.body["variables"] == {
        "data": [
            {
                "name": "Refco Two",
                "domainName": {"primaryLinkUrl": "https://refco-two.example"},
                "annualRevenue": {"amountMicros": 2**60 + 1, "currencyCode": "USD"},
            }
        ],
        "upsert": True,
    }
    assert b"1152921504606846977" in sent.raw
    assert sent.headers["Content-Type"] == "application/json"
    names = [c.name for c in result.create_companies]
    assert names == ["Batch61 #000", "Batch61 #001", "Batch61 #002"]
    assert str(result.create_companies[0].id) == "a718166c-3e29-41f5-b160-1beb5d9dbd1d"
    assert result.create_companies[0].created_by.source == "API"
