"""The committed client (generated before the change) against a sandbox whose admin adds
SELECT/MULTI_SELECT options through /metadata, end to end over HTTP on loopback."""

from __future__ import annotations

from uuid import UUID

import pytest

from twenty_gql import Twenty, UnknownEnumValue
from twenty_gql import errors as e
from twenty_gql.events import Event, UnknownEnumValueEvent
from twenty_gql.generated.core.enums import CompanyWorkPolicyEnum, OpportunityStageEnum
from twenty_gql.generated.core.input_types import (
    CompanyCreateInput,
    CompanyUpdateInput,
    OpportunityCreateInput,
    OpportunityFilterInput,
    OpportunityUpdateInput,
    UUIDFilter,
)
from twenty_gql.generated.metadata.input_types import UpdateFieldInput
from twenty_gql.sandbox import Sandbox
from twenty_gql.sandbox.store import table_name

from .workspace_changes import add_option, field_of, option_values, remove_option, rename_option


def _unknown_events(events: list[Event]) -> list[tuple[str | None, str, str, str]]:
    return [
        (ev.operation_name, ev.enum, ev.field, ev.value)
        for ev in events
        if isinstance(ev, UnknownEnumValueEvent)
    ]


async def test_a_new_stage_option_reads_reports_once_and_round_trips(
    twenty_sandbox: Sandbox,
) -> None:
    async with Twenty(twenty_sandbox.url, twenty_sandbox.api_key, rate_limit="off") as twenty:
        seen: list[Event] = []
        twenty.events.subscribe(seen.append)
        created = await twenty.core.create_opportunities(
            data=[
                OpportunityCreateInput(name="Old deal", stage=OpportunityStageEnum.NEW),
                OpportunityCreateInput(name="Won deal", stage=OpportunityStageEnum.PROPOSAL),
            ]
        )
        old_id, won_id = (o.id for o in created.create_opportunities or [])

        await add_option(twenty, "opportunity", "stage", "WON")
        assert "WON" in option_values(await field_of(twenty, "opportunity", "stage"))
        # someone sets the record to the new option (in Twenty's UI, say)
        await twenty.execute(
            "mutation($id: UUID!) { updateOpportunity(id: $id, data: {stage: WON}) { id } }",
            {"id": str(won_id)},
        )

        ids = OpportunityFilterInput(id=UUIDFilter(in_=[old_id, won_id]))
        for _ in range(2):
            page = await twenty.core.list_opportunities(filter=ids, first=10)
            stages = {edge.node.id: edge.node.stage for edge in page.opportunities.edges}
            assert stages[old_id] is OpportunityStageEnum.NEW
            won = stages[won_id]
            assert isinstance(won, UnknownEnumValue)
            assert (won.value, won.name, won == "WON") == ("WON", "UNKNOWN__", True)
        # reported once per (enum, field, value), not once per read
        assert _unknown_events(seen) == [
            ("ListOpportunities", "OpportunityStageEnum", "stage", "WON")
        ]
        assert seen[-1] != seen[0]

        # the value read goes back unchanged in a mutation
        back = await twenty.core.update_opportunity(
            id=won_id, data=OpportunityUpdateInput(name="Won deal 2", stage=won)
        )
        assert back.update_opportunity is not None
        assert back.update_opportunity.stage == UnknownEnumValue("WON")
        raw = await twenty.execute(
            "query($id: UUID!) { opportunity(filter: {id: {eq: $id}}) { name stage } }",
            {"id": str(won_id)},
        )
        assert raw["opportunity"] == {"name": "Won deal 2", "stage": "WON"}

        # the closed enum still catches typos in user code, and the server refuses unknown ones
        with pytest.raises(ValueError, match="WONN"):
            OpportunityStageEnum("WONN")
        with pytest.raises(e.BadInputError, match="stage"):
            await twenty.core.update_opportunity(
                id=won_id, data=OpportunityUpdateInput(stage=UnknownEnumValue("WONN"))
            )


async def test_a_new_multi_select_option_reads_per_item_and_round_trips(
    twenty_sandbox: Sandbox,
) -> None:
    async with Twenty(twenty_sandbox.url, twenty_sandbox.api_key, rate_limit="off") as twenty:
        seen: list[Event] = []
        twenty.events.subscribe(seen.append)
        created = await twenty.core.create_companies(data=[CompanyCreateInput(name="Quad")])
        company_id = (created.create_companies or [])[0].id
        await add_option(twenty, "company", "workPolicy", "FOUR_DAY_WEEK")
        await twenty.execute(
            "mutation($id: UUID!) { updateCompany(id: $id, "
            "data: {workPolicy: [REMOTE_WORK, FOUR_DAY_WEEK]}) { id } }",
            {"id": str(company_id)},
        )

        company = (await twenty.core.get_company(id=company_id)).company
        assert company is not None
        assert company.work_policy == [CompanyWorkPolicyEnum.REMOTE_WORK, "FOUR_DAY_WEEK"]
        policies = company.work_policy or []
        assert policies[0] is CompanyWorkPolicyEnum.REMOTE_WORK
        assert isinstance(policies[1], UnknownEnumValue)
        assert _unknown_events(seen) == [
            ("GetCompany", "CompanyWorkPolicyEnum", "work_policy", "FOUR_DAY_WEEK")
        ]

        await twenty.core.update_company(
            id=company_id,
            data=CompanyUpdateInput(work_policy=[*policies, CompanyWorkPolicyEnum.HYBRID]),
        )
        raw = await twenty.execute(
            "query($id: UUID!) { company(filter: {id: {eq: $id}}) { workPolicy } }",
            {"id": str(company_id)},
        )
        assert raw["company"]["workPolicy"] == ["REMOTE_WORK", "FOUR_DAY_WEEK", "HYBRID"]


async def test_renamed_and_removed_options_reach_the_records(twenty_sandbox: Sandbox) -> None:
    async with Twenty(twenty_sandbox.url, twenty_sandbox.api_key, rate_limit="off") as twenty:
        created = await twenty.core.create_opportunities(
            data=[
                OpportunityCreateInput(name="Offer", stage=OpportunityStageEnum.PROPOSAL),
                OpportunityCreateInput(name="Customer", stage=OpportunityStageEnum.CUSTOMER),
                OpportunityCreateInput(name="Meeting", stage=OpportunityStageEnum.MEETING),
            ]
        )
        offer, customer, meeting = (o.id for o in created.create_opportunities or [])
        stage = await field_of(twenty, "opportunity", "stage")
        await twenty.metadata.update_field(
            id=stage.id, update=UpdateFieldInput(default_value="'SCREENING'")
        )
        await rename_option(twenty, "opportunity", "stage", "PROPOSAL", "OFFER")
        await remove_option(twenty, "opportunity", "stage", "CUSTOMER")
        assert option_values(await field_of(twenty, "opportunity", "stage")) == [
            "NEW",
            "SCREENING",
            "MEETING",
            "OFFER",
        ]
        ids = OpportunityFilterInput(id=UUIDFilter(in_=[offer, customer, meeting]))
        page = await twenty.core.list_opportunities(filter=ids, first=10)
        stages = {edge.node.id: edge.node.stage for edge in page.opportunities.edges}
        assert stages == {
            offer: UnknownEnumValue("OFFER"),  # renamed: the records follow
            customer: OpportunityStageEnum.SCREENING,  # removed: the field's default
            meeting: OpportunityStageEnum.MEETING,
        }
        assert isinstance(stages[offer], UnknownEnumValue)


async def test_an_actor_with_null_name_and_source_reads(twenty_sandbox: Sandbox) -> None:
    """Twenty declares ``Actor.name``/``source`` non-null in the first schema a server builds
    and nullable after a metadata change (NOTES (p)); the committed client was generated from
    the non-null form. A record then answers nulls, as the nullable form allows (written into
    the store here: Twenty's own writers leave them null)."""
    actor = '{ __type(name: "Actor") { fields { name type { kind } } } }'
    async with Twenty(twenty_sandbox.url, twenty_sandbox.api_key, rate_limit="off") as twenty:
        kinds = await twenty.execute(actor)
        assert {f["name"]: f["type"]["kind"] for f in kinds["__type"]["fields"]}["name"] == (
            "NON_NULL"
        )
        await add_option(twenty, "company", "workPolicy", "FOUR_DAY_WEEK")  # any change
        kinds = await twenty.execute(actor)
        flipped = {f["name"]: f["type"]["kind"] for f in kinds["__type"]["fields"]}
        assert (flipped["name"], flipped["source"]) == ("SCALAR", "ENUM")

        created = await twenty.core.create_companies(data=[CompanyCreateInput(name="Nullco")])
        company_id: UUID = (created.create_companies or [])[0].id
        twenty_sandbox.store.scalar(
            f"UPDATE {table_name('company')} SET data = json_set(data, "
            "'$.createdBy.name', json('null'), '$.createdBy.source', json('null')) WHERE id = ?",
            (str(company_id),),
        )
        company = (await twenty.core.get_company(id=company_id)).company
        assert company is not None
        assert (company.created_by.name, company.created_by.source) == (None, None)
        assert company.name == "Nullco"
