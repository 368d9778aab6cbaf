"""``Twenty.search`` end to end over HTTP against the sandbox: typed results, pages by cursor,
object choice, the limit checked before sending."""

from __future__ import annotations

import pytest

from twenty_gql.client import Twenty
from twenty_gql.sandbox import Sandbox
from twenty_gql.search import SearchResult


async def test_search_pages_through_every_match(twenty_sandbox: Sandbox) -> None:
    async with Twenty(twenty_sandbox.url, twenty_sandbox.api_key, rate_limit="off") as twenty:
        await twenty.execute(
            "mutation($d: [CompanyCreateInput!]!) { createCompanies(data: $d) { id } }",
            {"d": [{"name": f"Quokka Labs {i}"} for i in range(5)]},
        )
        await twenty.execute(
            'mutation { createPerson(data: {name: {firstName: "Quokka", lastName: "Keeper"},'
            ' emails: {primaryEmail: "quokka@zoo.example"}}) { id } }'
        )
        pages = [page async for page in twenty.search("quokka", limit=2)]
        assert [len(p.results) for p in pages] == [2, 2, 2]
        assert [p.has_next_page for p in pages] == [True, True, False]
        hits = [hit for page in pages for hit in page.results]
        assert all(isinstance(hit, SearchResult) for hit in hits)
        # the person matches twice (name and email), so it ranks first
        assert (hits[0].object_name_singular, hits[0].label) == ("person", "Quokka Keeper")
        assert hits[0].ts_rank_cd > hits[1].ts_rank_cd
        assert sorted(h.label for h in hits[1:]) == [f"Quokka Labs {i}" for i in range(5)]
        assert len({h.record_id for h in hits}) == 6

        only_people = [p async for p in twenty.search("quokka", objects=["person"])]
        assert [h.label for p in only_people for h in p.results] == ["Quokka Keeper"]
        no_people = [p async for p in twenty.search("quokka", exclude=["person"], limit=100)]
        assert {h.object_name_singular for p in no_people for h in p.results} == {"company"}


async def test_a_limit_twenty_would_refuse_is_refused_before_sending(
    twenty_sandbox: Sandbox,
) -> None:
    async with Twenty(twenty_sandbox.url, twenty_sandbox.api_key, rate_limit="off") as twenty:
        before = twenty_sandbox.stats["requests"]
        with pytest.raises(ValueError, match="between 1 and 100, got 101"):
            async for _ in twenty.search("x", limit=101):
                pass
        assert twenty_sandbox.stats["requests"] == before
