"""Counting with the typed client, end to end over HTTP against the sandbox: the scaffolded
``Aggregate<Plural>`` operations, for standard and custom objects."""

from __future__ import annotations

from tests.custom_objects import create_custom_object
from twenty_gql.client import Twenty
from twenty_gql.sandbox import Sandbox


async def test_typed_aggregates_of_companies(twenty_sandbox: Sandbox) -> None:
    from twenty_gql.generated.core.input_types import (
        CompanyCreateInput,
        CompanyFilterInput,
        CurrencyCreateInput,
        StringFilter,
    )

    async with Twenty(twenty_sandbox.url, twenty_sandbox.api_key, rate_limit="off") as twenty:
        await twenty.core.create_companies(
            data=[
                CompanyCreateInput(
                    name="Countco A",
                    employees=10,
                    annual_revenue=CurrencyCreateInput(
                        amount_micros=1_000_000, currency_code="EUR"
                    ),
                ),
                CompanyCreateInput(name="Countco B", employees=30),
                CompanyCreateInput(name="Countco C"),
            ]
        )
        only_ours = CompanyFilterInput(name=StringFilter(like="Countco%"))
        answer = (await twenty.core.aggregate_companies(filter=only_ours)).companies
        assert answer is not None
        assert answer.total_count == 3
        assert (answer.sum_employees, answer.avg_employees) == (40, 20)
        assert (answer.min_employees, answer.max_employees) == (10, 30)
        assert answer.count_empty_employees == 1
        assert answer.percentage_empty_employees == 1 / 3
        assert answer.count_empty_annual_revenue == 2
        assert answer.sum_annual_revenue_amount_micros == 1_000_000
        assert answer.count_unique_values_name == 3
        assert answer.count_false_visa_sponsorship == 3
        assert answer.min_created_at is not None


async def test_aggregates_of_a_custom_object(twenty_sandbox: Sandbox) -> None:
    async with Twenty(twenty_sandbox.url, twenty_sandbox.api_key, rate_limit="off") as twenty:
        await create_custom_object(
            twenty,
            "project",
            "projects",
            {"name": "headcount", "type": "NUMBER", "settings": {"dataType": "int"}},
        )
        await twenty.execute(
            'mutation { createProjects(data: [{name: "P1", headcount: 4}, {name: "P2", '
            'headcount: 1.5}, {name: ""}]) { id } }'
        )
        data = await twenty.execute(
            "{ projects { totalCount sumHeadcount maxHeadcount countEmptyName"
            " percentageNotEmptyName } }"
        )
        assert data["projects"] == {
            "totalCount": 3,
            "sumHeadcount": 5.5,
            "maxHeadcount": 4,
            "countEmptyName": 1,
            "percentageNotEmptyName": 2 / 3,
        }


async def test_typed_group_by(twenty_sandbox: Sandbox) -> None:
    from twenty_gql.generated.core.enums import OrderByDirection
    from twenty_gql.generated.core.input_types import (
        AddressCreateInput,
        AddressGroupByInput,
        CompanyCreateInput,
        CompanyFilterInput,
        CompanyGroupByInput,
        CompanyOrderByWithGroupByAggregateInput,
        CompanyOrderByWithGroupByInput,
        StringFilter,
    )

    async with Twenty(twenty_sandbox.url, twenty_sandbox.api_key, rate_limit="off") as twenty:
        await twenty.core.create_companies(
            data=[
                CompanyCreateInput(
                    name=f"Grouped {city} {i}",
                    employees=size,
                    address=AddressCreateInput(address_city=city),
                )
                for i, (city, size) in enumerate(
                    [("Paris", 10), ("Paris", 20), ("Berlin", 5), ("", 1)]
                )
            ]
        )
        answer = await twenty.core.group_companies(
            group_by=[CompanyGroupByInput(address=AddressGroupByInput(address_city=True))],
            filter=CompanyFilterInput(name=StringFilter(like="Grouped%")),
            order_by=[
                CompanyOrderByWithGroupByInput(
                    aggregate=CompanyOrderByWithGroupByAggregateInput(
                        sum_employees=OrderByDirection.DescNullsLast
                    )
                )
            ],
        )
        groups = answer.companies_group_by or []
        assert [(g.group_by_dimension_values, g.total_count, g.sum_employees) for g in groups] == [
            (["Paris"], 2, 30),
            (["Berlin"], 1, 5),
            ([None], 1, 1),
        ]
        assert [e.node.name for e in groups[0].edges] == ["Grouped Paris 0", "Grouped Paris 1"]
