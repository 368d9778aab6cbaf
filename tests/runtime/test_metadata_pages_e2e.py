"""Twenty's ``/metadata`` lists 10 objects or fields a page unless asked (NOTES (m)); the
client's listings follow the cursor and see every one (client <-> sandbox over HTTP)."""

from __future__ import annotations

from functools import partial

from tests.custom_objects import create_custom_object
from twenty_gql import Twenty
from twenty_gql.client import METADATA_ENDPOINT
from twenty_gql.copy.schema_sync import read_model
from twenty_gql.generated.metadata.input_types import (
    BooleanFieldComparison,
    CursorPaging,
    FieldFilter,
    ObjectFilter,
    UUIDFilterComparison,
)
from twenty_gql.metadata_pages import every_object
from twenty_gql.sandbox import Sandbox

CUSTOM = ("invoice", "shipment", "warehouse")


async def workspace_with_12_objects(twenty: Twenty) -> None:
    for singular in CUSTOM:  # 9 standard objects + 3 = 12, past one default page
        await create_custom_object(twenty, singular, singular + "s")


async def test_the_sandbox_pages_metadata_like_twenty(twenty_sandbox: Sandbox) -> None:
    async with Twenty(twenty_sandbox.url, twenty_sandbox.api_key, rate_limit="off") as twenty:
        await workspace_with_12_objects(twenty)
        default = (await twenty.metadata.list_objects()).objects
        assert len(default.edges) == 10 and default.page_info.has_next_page is True
        rest = await twenty.metadata.list_objects(
            paging=CursorPaging(first=10, after=default.page_info.end_cursor)
        )
        assert len(rest.objects.edges) == 2 and rest.objects.page_info.has_next_page is False
        fields = (await twenty.metadata.list_fields()).fields
        assert len(fields.edges) == 10 and fields.page_info.has_next_page is True
        nested = await twenty.execute(
            "{ objects(paging: {first: 1}) { edges { node { fields { pageInfo { hasNextPage } "
            "edges { cursor } } fieldsList { id } } } } }",
            endpoint=METADATA_ENDPOINT,
        )
        company = nested["objects"]["edges"][0]["node"]
        assert len(company["fields"]["edges"]) == 10 and company["fields"]["pageInfo"] == {
            "hasNextPage": True
        }
        assert len(company["fieldsList"]) > 10


async def test_list_all_objects_and_fields_follow_the_cursor(twenty_sandbox: Sandbox) -> None:
    async with Twenty(twenty_sandbox.url, twenty_sandbox.api_key, rate_limit="off") as twenty:
        await workspace_with_12_objects(twenty)
        expected = {o.nameSingular for o in twenty_sandbox.workspace.meta.objects.values()}
        assert len(expected) == 12
        all_fields = sum(len(o.fields) for o in twenty_sandbox.workspace.meta.objects.values())

        for page_size in (1000, 5):  # 5: three pages of at most 5, joined
            objects = await twenty.list_all_objects(page_size=page_size)
            assert [o.name_singular for o in objects] == list(twenty_sandbox.workspace.meta.objects)
            assert {o.name_singular for o in objects} == expected
            company = next(o for o in objects if o.name_singular == "company")
            assert len(company.fields_list) == 24  # every field, not a page of them
            fields = await twenty.list_all_fields(page_size=page_size)
            assert len(fields) == len({f.id for f in fields}) == all_fields > 10

        of_company = await twenty.list_all_fields(
            FieldFilter(objectMetadataId=UUIDFilterComparison(eq=company.id)), page_size=7
        )
        assert sorted(f.name for f in of_company) == sorted(f.name for f in company.fields_list)
        assert len(of_company) == 24
        custom = await twenty.list_all_objects(
            ObjectFilter(isSystem=BooleanFieldComparison(is_=False)), page_size=2
        )
        assert {o.name_singular for o in custom} >= set(CUSTOM)


async def test_object_lookups_and_the_copy_model_see_objects_past_the_first_page(
    twenty_sandbox: Sandbox,
) -> None:
    async with Twenty(twenty_sandbox.url, twenty_sandbox.api_key, rate_limit="off") as twenty:
        await workspace_with_12_objects(twenty)
        order = list(twenty_sandbox.workspace.meta.objects)
        assert order.index("warehouse") >= 10  # beyond one default page
        names = await twenty.object_names("warehouse")
        assert (names.singular, names.plural) == ("warehouse", "warehouses")

        model = await read_model(twenty)
        assert list(model.objects) == order
        assert len(model.objects["company"]["fields"]) == 24

        paged = await every_object(
            partial(twenty.execute, endpoint=METADATA_ENDPOINT),
            "Names",
            "nameSingular fieldsList { name }",
            page_size=4,
        )
        assert [node["nameSingular"] for node in paged] == order
