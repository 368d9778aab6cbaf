"""Pagination over several pages while records are inserted: no duplicates, no misses."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.runtime.conftest import CANARY_KEY
from tests.runtime.fake_companies import FakeCompanies
from twenty_gql.client import Twenty
from twenty_gql.pagination import PaginationError

RAW_LIST = """
query Companies($first: Int, $after: String, $filter: CompanyFilterInput,
                $orderBy: [CompanyOrderByInput]) {
  companies(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {
    pageInfo { hasNextPage endCursor }
    edges { node { id name } }
  }
}
"""


@pytest.fixture
async def fake() -> AsyncIterator[FakeCompanies]:
    server = FakeCompanies()
    rng = random.Random(4)
    for i in range(47):
        server.insert(f"Co {rng.randrange(10**6):06d} #{i}")
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


def _inserter(fake: FakeCompanies, every: int = 1) -> Any:
    rng = random.Random(9)
    count = 0

    def insert_some() -> None:
        nonlocal count
        count += 1
        if count % every == 0:
            # Names spread over the whole sort order: before, inside and after the current page.
            for _ in range(3):
                fake.insert(f"Co {rng.randrange(10**6):06d} new")

    return insert_some


@pytest.mark.parametrize("mode", ["cursor", "keyset"])
async def test_generated_list_while_inserting(fake: FakeCompanies, mode: str) -> None:
    before = {r["id"] for r in fake.records}
    insert_some = _inserter(fake)
    seen: list[str] = []
    async with Twenty(fake.url, CANARY_KEY, rate_limit="off") as twenty:
        async for company in twenty.paginate(
            twenty.core.list_companies,
            page_size=10,
            mode=mode,  # type: ignore[arg-type]
        ):
            seen.append(str(company.id))
            if len(seen) % 10 == 1:
                insert_some()
    assert len(seen) == len(set(seen)), "a record was yielded twice"
    assert before <= set(seen), "a record that existed before was missed"
    assert len(fake.requests) >= 5
    assert all(r["first"] == 10 for r in fake.requests)
    if mode == "cursor":
        assert "after" not in fake.requests[0]
        assert all(r.get("after") for r in fake.requests[1:])
    else:
        assert all(r["orderBy"] == [{"id": "AscNullsFirst"}] for r in fake.requests)
        assert all(r["filter"]["id"]["gt"] for r in fake.requests[1:])


async def test_keyset_combines_the_callers_filter_with_and(fake: FakeCompanies) -> None:
    for i in range(25):
        fake.insert(f"Zeta {i:02d}")
    from twenty_gql.generated.core.input_types import CompanyFilterInput, StringFilter

    wanted = {r["id"] for r in fake.records if r["name"].startswith("Zeta")}
    user_filter = CompanyFilterInput(name=StringFilter(like="Zeta%"))
    async with Twenty(fake.url, CANARY_KEY, rate_limit="off") as twenty:
        got = [
            str(c.id)
            async for c in twenty.paginate(
                twenty.core.list_companies, filter=user_filter, page_size=10, mode="keyset"
            )
        ]
    assert sorted(got) == got  # ordered by id
    assert set(got) == wanted and len(got) == 25
    assert fake.requests[0]["filter"] == {"name": {"like": "Zeta%"}}
    second = fake.requests[1]["filter"]
    assert second["and"][0] == {"name": {"like": "Zeta%"}}
    assert second["and"][1] == {"id": {"gt": got[9]}}


async def test_the_page_size_defaults_to_the_profile(fake: FakeCompanies) -> None:
    async with Twenty(fake.url, CANARY_KEY, rate_limit="off", profile="cloud") as twenty:
        got = [c async for c in twenty.paginate(twenty.core.list_companies)]
    assert len(got) == 47
    assert fake.requests[0]["first"] == twenty.profile.page_size == 60


@pytest.mark.parametrize("mode", ["cursor", "keyset"])
async def test_raw_documents_paginate_too(fake: FakeCompanies, mode: str) -> None:
    before = {r["id"] for r in fake.records}
    insert_some = _inserter(fake)
    seen: list[str] = []
    async with Twenty(fake.url, CANARY_KEY, rate_limit="off") as twenty:
        async for node in twenty.paginate_raw(
            RAW_LIST,
            {},
            "companies",
            page_size=7,
            mode=mode,  # type: ignore[arg-type]
        ):
            assert isinstance(node, dict) and "id" in node
            seen.append(node["id"])
            insert_some()
    assert len(seen) == len(set(seen))
    assert before <= set(seen)


async def test_an_operation_without_a_connection_is_refused(fake: FakeCompanies) -> None:
    async def not_a_list(**kwargs: Any) -> dict[str, Any]:
        return {"company": {"id": "1"}}

    async with Twenty(fake.url, CANARY_KEY, rate_limit="off") as twenty:
        with pytest.raises(PaginationError, match="exactly one connection"):
            async for _ in twenty.paginate(not_a_list, page_size=5):
                pass
        with pytest.raises(PaginationError, match="'nope'"):
            async for _ in twenty.paginate_raw(RAW_LIST, {}, "nope", page_size=5):
                pass


async def test_an_unknown_mode_is_refused_by_name(fake: FakeCompanies) -> None:
    async with Twenty(fake.url, CANARY_KEY, rate_limit="off") as twenty:
        with pytest.raises(
            PaginationError, match=r"mode must be 'cursor' or 'keyset' \(got 'pages'\)"
        ):
            async for _ in twenty.paginate(
                twenty.core.list_companies,
                page_size=5,
                mode="pages",  # type: ignore[arg-type]
            ):
                pass
        with pytest.raises(
            PaginationError, match=r"mode must be 'cursor' or 'keyset' \(got 'pages'\)"
        ):
            async for _ in twenty.paginate_raw(
                RAW_LIST,
                {},
                "companies",
                page_size=5,
                mode="pages",  # type: ignore[arg-type]
            ):
                pass
    assert fake.requests == []
