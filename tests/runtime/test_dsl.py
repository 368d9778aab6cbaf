"""``twenty.dsl()``: operations built at run time with gql's DSL, validated locally, run by the
client against the sandbox over loopback."""

from __future__ import annotations

from pathlib import Path

import pytest
from gql.dsl import DSLMutation, DSLQuery, DSLVariableDefinitions

from tests.custom_objects import create_custom_object
from twenty_gql.client import Twenty
from twenty_gql.config import Settings
from twenty_gql.errors import BadInputError
from twenty_gql.events import RequestEvent
from twenty_gql.sandbox import Sandbox
from twenty_gql.schema.pull import pull_schemas

PULLED = Path(__file__).resolve().parents[2] / "schema" / "core.graphql"


async def test_a_field_list_from_configuration(twenty_sandbox: Sandbox) -> None:
    fields = ["name", "employees"]  # say, read from a config file
    async with Twenty(twenty_sandbox.url, twenty_sandbox.api_key, rate_limit="off") as twenty:
        ds = twenty.dsl(PULLED)
        query = DSLQuery(
            ds.Query.companies(first=3, filter={"name": {"like": "%a%"}}).select(
                ds.CompanyConnection.edges.select(
                    ds.CompanyEdge.node.select(*(getattr(ds.Company, f) for f in fields))
                )
            )
        )
        query.name = "ConfiguredCompanies"
        sent: list[RequestEvent] = []
        twenty.events.subscribe(lambda ev: isinstance(ev, RequestEvent) and sent.append(ev))
        data = await ds.execute(query)
        expected = await twenty.execute(
            '{ companies(first: 3, filter: {name: {like: "%a%"}}) '
            "{ edges { node { name employees } } } }"
        )
    assert data == expected
    assert [set(edge["node"]) for edge in data["companies"]["edges"]] == [set(fields)] * 3
    assert [ev.operation_name for ev in sent] == ["ConfiguredCompanies", None]
    with pytest.raises(AttributeError, match="Field nmae does not exist in type Company"):
        _ = ds.Company.nmae


async def test_an_invalid_document_is_refused_before_it_costs_a_call(
    twenty_sandbox: Sandbox,
) -> None:
    async with Twenty(twenty_sandbox.url, twenty_sandbox.api_key, rate_limit="off") as twenty:
        ds = twenty.dsl(PULLED)
        before = twenty_sandbox.stats["requests"]
        # createCompany's data argument is required: graphql-core's rules say so locally.
        mutation = DSLMutation(ds.Mutation.createCompany.select(ds.Company.id))
        with pytest.raises(BadInputError, match="argument 'data' of type 'CompanyCreateInput!'"):
            await ds.execute(mutation)
    assert twenty_sandbox.stats["requests"] == before


async def test_an_object_added_after_codegen(tmp_path: Path) -> None:
    async with (
        Sandbox.start(port=0, rate_limit=None, seed="empty") as sb,
        Twenty(sb.url, sb.api_key, rate_limit="off") as twenty,
    ):
        await create_custom_object(twenty, "invoice", "invoices")
        pulled = await pull_schemas(Settings.create(sb.url, sb.api_key))
        sdl = tmp_path / "core.graphql"
        sdl.write_text(pulled.core.sdl, encoding="utf-8")

        ds = twenty.dsl(sdl)
        var = DSLVariableDefinitions()
        create = DSLMutation(
            ds.Mutation.createInvoice(data=var.data).select(ds.Invoice.id, ds.Invoice.name)
        )
        create.variable_definitions = var
        created = await ds.execute(create, variables={"data": {"name": 'INV "1"'}})
        count = await ds.execute(
            DSLQuery(ds.Query.invoices.select(ds.InvoiceConnection.totalCount))
        )
    assert created["createInvoice"]["name"] == 'INV "1"'
    assert count == {"invoices": {"totalCount": 1}}
