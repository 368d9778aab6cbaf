"""Duplicates and merge with the typed client, end to end over HTTP against the sandbox: the
scaffolded ``FindCompanyDuplicates``/``MergeCompanies`` and ``MergePeople`` with ``dry_run``."""

from __future__ import annotations

import pytest

from twenty_gql import errors as e
from twenty_gql.client import Twenty
from twenty_gql.sandbox import Sandbox


async def test_find_and_merge_duplicate_companies(twenty_sandbox: Sandbox) -> None:
    from twenty_gql.generated.core.input_types import (
        CompanyCreateInput,
        LinksCreateInput,
        PersonCreateInput,
    )

    async with Twenty(twenty_sandbox.url, twenty_sandbox.api_key, rate_limit="off") as twenty:
        made = await twenty.core.create_companies(
            data=[
                CompanyCreateInput(
                    name="Dedupe Inc",
                    domain_name=LinksCreateInput(primary_link_url="https://dedupe.example"),
                ),
                CompanyCreateInput(name="Dedupe Inc", employees=42),
            ]
        )
        first, second = (c.id for c in made.create_companies or [])
        await twenty.core.create_people(data=[PersonCreateInput(company_id=str(second))])
        found = await twenty.core.find_company_duplicates(ids=[first])
        (connection,) = found.company_duplicates or []
        assert connection.total_count == 1
        assert [edge.node.id for edge in connection.edges] == [second]
        by_data = await twenty.core.find_company_duplicates(
            data=[
                CompanyCreateInput(
                    domain_name=LinksCreateInput(primary_link_url="https://dedupe.example")
                )
            ]
        )
        assert [edge.node.id for edge in (by_data.company_duplicates or [])[0].edges] == [first]

        preview = await twenty.core.merge_companies(
            ids=[first, second], conflict_priority_index=0, dry_run=True
        )
        assert preview.merge_companies is not None
        assert preview.merge_companies.id not in (first, second)
        assert preview.merge_companies.deleted_at is not None
        assert preview.merge_companies.employees == 42
        still = await twenty.core.find_company_duplicates(ids=[first])
        assert (still.company_duplicates or [])[0].total_count == 1  # the dry run wrote nothing

        merged = await twenty.core.merge_companies(ids=[first, second], conflict_priority_index=0)
        assert merged.merge_companies is not None
        assert merged.merge_companies.id == first
        assert merged.merge_companies.employees == 42
        assert merged.merge_companies.domain_name is not None
        assert merged.merge_companies.domain_name.primary_link_url == "https://dedupe.example"
        moved = await twenty.execute(
            "query($id: UUID!) { people(filter: {companyId: {eq: $id}}) { totalCount } }",
            {"id": str(first)},
        )
        assert moved["people"]["totalCount"] == 1
        with pytest.raises(e.NotFoundError):
            await twenty.core.merge_companies(ids=[first, second], conflict_priority_index=0)
