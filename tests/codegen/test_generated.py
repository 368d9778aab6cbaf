"""The committed generated clients: they import, subclass the runtime, encode and parse values.

The end-to-end test sends generated operations over real HTTP on 127.0.0.1 through the
``Twenty`` facade (runtime + generated client) and checks what reached the server.
"""

from __future__ import annotations

import datetime
import json
import uuid
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import pytest
from aiohttp import web

import twenty_gql.base_client
from twenty_gql.client import Twenty
from twenty_gql.generated import core, metadata
from twenty_gql.generated.core.input_types import (
    CompanyCreateInput,
    CompanyFilterInput,
    CurrencyCreateInput,
    UUIDFilter,
)
from twenty_gql.generated.core.list_companies import ListCompanies
from twenty_gql.generated.metadata.enums import FieldMetadataType
from twenty_gql.generated.metadata.input_types import CreateFieldInput

BIG = 2**60 + 1  # an amountMicros a float cannot hold
COMPANY_ID = "20202020-a305-41e7-8c72-ba44072a4c58"


def _company(**extra: Any) -> dict[str, Any]:
    actor = {"source": "API", "name": "key", "workspaceMemberId": None, "context": {}}
    return {
        "id": COMPANY_ID,
        "name": "Google",
        "tagline": "",
        "createdAt": "2026-01-02T03:04:05.678Z",
        "updatedAt": "2026-01-02T03:04:05.678Z",
        "position": 1.5,
        "createdBy": actor,
        "updatedBy": actor,
        "annualRevenue": {"amountMicros": BIG, "currencyCode": "USD"},
        "domainName": {"primaryLinkUrl": "https://google.com", "secondaryLinks": []},
        **extra,
    }


def test_clients_subclass_the_runtime_base_client_with_their_own_unset_type() -> None:
    for package, client in ((core, core.CoreClient), (metadata, metadata.MetadataClient)):
        assert issubclass(client, twenty_gql.base_client.BaseClient)
        assert client.unset_type is package.base_model.UnsetType
        assert isinstance(package.base_model.UNSET, client.unset_type)


def test_core_client_has_every_operation_of_the_standard_objects() -> None:
    expected = {
        "get_company",
        "list_companies",
        "create_companies",
        "update_company",
        "update_companies",
        "delete_companies",
        "restore_companies",
        "destroy_companies",
        "list_note_targets",
        "create_task_targets",
        "get_workspace_member",
        "list_attachments",
        "list_people_with_company",
        "get_company_with_people_and_opportunities",
    }
    assert expected <= set(dir(core.CoreClient))


def test_metadata_client_has_the_metadata_operations() -> None:
    expected = {
        "list_objects",
        "get_object",
        "create_object",
        "update_object",
        "delete_object",
        "list_fields",
        "get_field",
        "create_field",
        "update_field",
        "delete_field",
    }
    assert expected <= set(dir(metadata.MetadataClient))


def test_a_list_response_parses_into_typed_values() -> None:
    page = ListCompanies.model_validate(
        {
            "companies": {
                "totalCount": 1,
                "pageInfo": {"hasNextPage": False, "endCursor": "abc"},
                "edges": [{"cursor": "abc", "node": _company()}],
            }
        }
    )
    node = page.companies is not None and page.companies.edges[0].node
    assert node
    assert node.id == uuid.UUID(COMPANY_ID)
    assert node.created_at == datetime.datetime(2026, 1, 2, 3, 4, 5, 678000, datetime.UTC)
    assert node.annual_revenue is not None
    assert node.annual_revenue.amount_micros == Decimal(BIG)


def test_input_models_dump_to_plain_json_without_losing_digits() -> None:
    company = CompanyCreateInput(
        id=uuid.UUID(COMPANY_ID),
        name="Acme",
        annual_revenue=CurrencyCreateInput(amount_micros=Decimal(BIG), currency_code="USD"),
    )
    dumped = company.model_dump(by_alias=True, exclude_unset=True)
    assert json.loads(json.dumps(dumped)) == {
        "id": COMPANY_ID,
        "name": "Acme",
        "annualRevenue": {"amountMicros": BIG, "currencyCode": "USD"},
    }


class _Recorder:
    def __init__(self, answers: list[dict[str, Any]]) -> None:
        self.answers = answers
        self.bodies: list[dict[str, Any]] = []

    async def handle(self, request: web.Request) -> web.Response:
        self.bodies.append(json.loads(await request.read()))
        return web.json_response(self.answers.pop(0))


@pytest.fixture
async def server() -> AsyncIterator[tuple[str, _Recorder]]:
    recorder = _Recorder([])
    app = web.Application()
    app.router.add_post("/graphql", recorder.handle)
    app.router.add_post("/metadata", recorder.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield f"http://127.0.0.1:{port}", recorder
    finally:
        await runner.cleanup()


async def test_generated_operations_over_http(server: tuple[str, _Recorder]) -> None:
    url, recorder = server
    recorder.answers = [
        {"data": {"company": _company()}},
        {"data": {"createCompanies": [_company(name="Acme")]}},
        {
            "data": {
                "companies": {
                    "totalCount": 0,
                    "pageInfo": {"hasNextPage": False, "endCursor": None},
                    "edges": [],
                }
            }
        },
    ]
    async with Twenty(url=url, api_key="test-key", profile="self-hosted", rate_limit="off") as tw:
        found = await tw.core.get_company(id=uuid.UUID(COMPANY_ID))
        created = await tw.core.create_companies(
            data=[
                CompanyCreateInput(
                    name="Acme",
                    annual_revenue=CurrencyCreateInput(amount_micros=Decimal(BIG)),
                )
            ],
            upsert=True,
        )
        listed = await tw.core.list_companies(
            filter=CompanyFilterInput(id=UUIDFilter(eq=uuid.UUID(COMPANY_ID))), first=2
        )

    assert found.company is not None and found.company.name == "Google"
    assert created.create_companies is not None
    assert created.create_companies[0].annual_revenue is not None
    assert created.create_companies[0].annual_revenue.amount_micros == Decimal(BIG)
    assert listed.companies is not None and listed.companies.total_count == 0

    get, create, list_ = recorder.bodies
    assert get["operationName"] == "GetCompany"
    assert get["variables"] == {"id": COMPANY_ID}
    assert "fragment CompanyFields on Company" in get["query"]
    assert create["operationName"] == "CreateCompanies"
    assert create["variables"] == {
        "data": [{"name": "Acme", "annualRevenue": {"amountMicros": BIG}}],
        "upsert": True,
    }
    # Arguments left out are not sent at all (not even as null).
    assert list_["variables"] == {"filter": {"id": {"eq": COMPANY_ID}}, "first": 2}


async def test_create_relation_field_over_http(server: tuple[str, _Recorder]) -> None:
    url, recorder = server
    object_id = "64a887c9-a3e5-4310-b5de-ab3204df28fc"
    field = {
        "id": "be20c0c4-3736-4e2a-a2d7-551256b33b89",
        "objectMetadataId": object_id,
        "name": "customer",
        "label": "Customer",
        "type": "RELATION",
        "isUnique": False,
        "relation": {
            "type": "MANY_TO_ONE",
            "targetObjectMetadata": {
                "id": object_id,
                "nameSingular": "company",
                "namePlural": "companies",
            },
            "targetFieldMetadata": {"id": object_id, "name": "invoices"},
        },
        "createdAt": "2026-01-02T03:04:05.678Z",
        "updatedAt": "2026-01-02T03:04:05.678Z",
    }
    recorder.answers = [{"data": {"createOneField": field}}]
    payload = {
        "type": "MANY_TO_ONE",
        "targetObjectMetadataId": object_id,
        "targetFieldLabel": "Invoices",
        "targetFieldIcon": "IconFileInvoice",
    }
    async with Twenty(url=url, api_key="test-key", profile="self-hosted", rate_limit="off") as tw:
        created = await tw.metadata.create_field(
            input=CreateFieldInput(
                object_metadata_id=uuid.UUID(object_id),
                type_=FieldMetadataType.RELATION,
                name="customer",
                label="Customer",
                relation_creation_payload=payload,
            )
        )
    relation = created.create_one_field.relation
    assert relation is not None and relation.type_.value == "MANY_TO_ONE"
    (body,) = recorder.bodies
    assert body["operationName"] == "CreateField"
    assert body["variables"] == {
        "input": {
            "objectMetadataId": object_id,
            "type": "RELATION",
            "name": "customer",
            "label": "Customer",
            "relationCreationPayload": payload,
        }
    }


def test_field_inputs_carry_select_options_number_settings_and_is_unique() -> None:
    options = [{"value": "OPEN", "label": "Open", "color": "green", "position": 0}]
    select = CreateFieldInput(
        object_metadata_id=uuid.UUID(COMPANY_ID),
        type_=FieldMetadataType.SELECT,
        name="status",
        label="Status",
        options=options,
        is_unique=True,
    )
    number = CreateFieldInput(
        object_metadata_id=uuid.UUID(COMPANY_ID),
        type_=FieldMetadataType.NUMBER,
        name="amountDue",
        label="Amount due",
        settings={"decimals": 2, "type": "number"},
    )
    assert select.model_dump(by_alias=True, exclude_unset=True)["options"] == options
    assert select.model_dump(by_alias=True, exclude_unset=True)["isUnique"] is True
    assert number.model_dump(by_alias=True, exclude_unset=True)["settings"] == {
        "decimals": 2,
        "type": "number",
    }
