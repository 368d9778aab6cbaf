"""Reads sized from the server's answers, end to end against the sandbox over loopback.

Every test counts records and calls: sizes that grow, shrink, hit a cap or a refusal, and
records inserted and deleted while reading, must never lose or repeat a record.
"""

from __future__ import annotations

import math
import random
from collections.abc import AsyncIterator, Callable
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from graphql import GraphQLSchema

from tests.runtime.test_pagination import RAW_LIST as LIST
from twenty_gql.client import Twenty
from twenty_gql.errors import BadInputError
from twenty_gql.io.exporter import run_export
from twenty_gql.io.schema_source import load_schema
from twenty_gql.page_sizes import PageBounds, PageSizer
from twenty_gql.pagination import raw_pages
from twenty_gql.profiles import CLOUD, SELF_HOSTED
from twenty_gql.retry import RetryPolicy
from twenty_gql.sandbox import Sandbox
from twenty_gql.sandbox.bulk import load_copies
from twenty_gql.sandbox.faults import FaultConfig
from twenty_gql.transport import Timeouts

SCHEMA = Path(__file__).resolve().parents[2] / "schema" / "core.graphql"
NO_FAULT_RETRY = RetryPolicy(max_attempts=1)
BY_ID = [{"id": "AscNullsFirst"}]


async def seed(sb: Sandbox, count: int) -> list[str]:
    """``count`` companies (copies of one the sandbox created), their ids in id order."""
    records = sb.workspace.records
    actor = {"source": "API", "name": "seed", "workspaceMemberId": None, "context": {}}
    template = records.create_many(
        records.meta.objects["company"], [{"name": "Seed"}], False, actor
    )
    ids = load_copies(sb.store, "company", template[0], count, rng=random.Random(count))
    sb.store.delete("company", [template[0]["id"]])  # its id was not drawn from the seed
    return sorted(ids)


class Recorder:
    """``execute`` for the page loop that records each call's ``first`` and outcome."""

    def __init__(self, twenty: Twenty, retry: RetryPolicy | None = None) -> None:
        self.twenty = twenty
        self.retry = retry
        self.calls: list[tuple[int, str]] = []
        self.after_page: Callable[[], None] | None = None

    async def __call__(self, query: str, variables: dict[str, Any]) -> dict[str, Any]:
        try:
            data = await self.twenty.execute(query, variables, retry=self.retry)
        except Exception as error:
            self.calls.append((variables["first"], type(error).__name__))
            raise
        self.calls.append((variables["first"], "ok"))
        return data

    @property
    def asked(self) -> list[int]:
        return [first for first, _ in self.calls]


async def read_all(
    recorder: Recorder,
    sizer: PageSizer | int,
    mode: str,
    on_page: Callable[[list[str]], None] = lambda seen: None,
) -> list[str]:
    variables: dict[str, Any] = {"orderBy": BY_ID} if mode == "cursor" else {}
    seen: list[str] = []
    pages: AsyncIterator[list[dict[str, Any]]] = raw_pages(
        recorder,
        LIST,
        variables,
        "companies",
        page_size=sizer,
        mode=mode,  # type: ignore[arg-type]
    )
    async for nodes in pages:
        seen += [node["id"] for node in nodes]
        on_page(seen)
    return seen


@pytest.fixture
async def schema() -> GraphQLSchema:
    return await load_schema(None, SCHEMA)


@pytest.mark.parametrize("mode", ["keyset", "cursor"])
async def test_no_record_is_lost_or_repeated_while_sizes_change_and_records_come_and_go(
    mode: str,
) -> None:
    rng = random.Random(13)
    async with Sandbox.start(port=0, seed="empty", profile=SELF_HOSTED, rate_limit=None) as sb:
        initial = await seed(sb, 3000)
        # Fast answers grow the pages up to half the response ceiling; the large records
        # inserted ahead of the read push pages over it, which shrinks the next one.
        bounds = PageBounds(target_seconds=60.0, max_response_bytes=240_000)
        async with Twenty(
            sb.url, sb.api_key, profile=SELF_HOSTED, page_bounds=bounds, rate_limit="off"
        ) as twenty:
            recorder = Recorder(twenty)
            seeded = sb.store.get("company", initial[0])
            assert seeded is not None
            template = {**seeded, "name": "big " * 5000}  # 20 kB: pages holding them shrink
            inserted_ahead: list[set[str]] = []
            inserted_behind: set[str] = set()
            deleted_ahead: set[str] = set()
            deleted_behind: set[str] = set()

            def churn(seen: list[str]) -> None:
                if not seen:
                    return
                position = seen[-1]
                inserted_ahead.append(set())
                for new in load_copies(sb.store, "company", template, 20, rng=rng):
                    (inserted_ahead[-1] if new > position else inserted_behind).add(new)
                ahead = [i for i in initial if i > position and i not in deleted_ahead]
                behind = [i for i in initial if i <= position and i not in deleted_behind]
                gone_ahead = rng.sample(ahead, min(5, len(ahead)))
                gone_behind = rng.sample(behind, min(5, len(behind)))
                deleted_ahead.update(gone_ahead)
                deleted_behind.update(gone_behind)
                sb.store.delete("company", gone_ahead + gone_behind)

            sizer = twenty.page_sizes.sizer("companies")
            seen = await read_all(recorder, sizer, mode, churn)

    assert len(seen) == len(set(seen)), "a record was read twice"
    kept = set(initial) - deleted_ahead - deleted_behind
    assert kept <= set(seen), "a record present throughout was missed"
    assert not (set(seen) & deleted_ahead), "a record deleted before it was reached was read"
    # (the last batch came after the last page: nothing was left to read it)
    ahead = set().union(*inserted_ahead[:-1])
    assert ahead <= set(seen), "a record inserted ahead of the read was missed"
    assert not (set(seen) & inserted_behind), "a record inserted behind the read was read"
    assert set(seen) <= set(initial) | ahead
    asked = recorder.asked
    assert asked[:2] == [200, 800], asked
    assert any(b < a for a, b in pairwise(asked)), f"the pages never shrank: {asked}"
    assert len(set(asked)) >= 3
    assert seen == sorted(seen)


async def test_the_cap_of_a_truncating_server_is_learned_and_kept_for_the_object(
    schema: GraphQLSchema, tmp_path: Path
) -> None:
    n = 1000
    async with Sandbox.start(
        port=0, seed="empty", profile=SELF_HOSTED, rate_limit=None, page_cap=60
    ) as sb:
        ids = await seed(sb, n)
        async with Twenty(sb.url, sb.api_key, profile=SELF_HOSTED, rate_limit="off") as twenty:
            report = await run_export(twenty, schema, "company", tmp_path / "c.jsonl")
            assert twenty.page_sizes.cap("companies") == 60
            # A later read of the same object starts at the learned cap.
            recorder = Recorder(twenty)
            again = await read_all(recorder, twenty.page_sizes.sizer("companies"), "keyset")
        # Cursor mode learns it the same way, from the first short page.
        async with Twenty(sb.url, sb.api_key, profile=SELF_HOSTED, rate_limit="off") as fresh:
            by_cursor = Recorder(fresh)
            cursor_ids = await read_all(by_cursor, fresh.page_sizes.sizer("companies"), "cursor")
    assert cursor_ids == ids and by_cursor.asked == [200] + [60] * (math.ceil(n / 60) - 1)
    assert report.rows == n and report.calls == math.ceil(n / 60) + 1  # + the count
    assert report.pages == math.ceil(n / 60) and report.page_size_reached == 60
    exported = [line.split('"id": "')[1][:36] for line in (tmp_path / "c.jsonl").open()]
    assert exported == ids
    assert again == ids and set(recorder.asked) == {60}


async def test_a_refused_large_first_is_learned_from_the_refusal(
    schema: GraphQLSchema, tmp_path: Path
) -> None:
    n = 500
    async with Sandbox.start(
        port=0,
        seed="empty",
        profile=SELF_HOSTED,
        rate_limit=None,
        page_cap=60,
        page_cap_style="refuse",
    ) as sb:
        ids = await seed(sb, n)
        async with Twenty(sb.url, sb.api_key, profile=SELF_HOSTED, rate_limit="off") as twenty:
            recorder = Recorder(twenty)
            seen = await read_all(recorder, twenty.page_sizes.sizer("companies"), "keyset")
            report = await run_export(twenty, schema, "company", tmp_path / "c.jsonl")
            # A fixed size above the cap is the caller's choice: the refusal is raised.
            with pytest.raises(BadInputError, match='"first" cannot exceed 60'):
                await read_all(Recorder(twenty), 200, "keyset")
    assert seen == ids
    assert recorder.calls[0] == (200, "BadInputError")
    assert {first for first, _ in recorder.calls[1:]} == {60}
    assert len(recorder.calls) == 1 + math.ceil(n / 60)
    assert report.rows == n and report.calls == 1 + math.ceil(n / 60)  # learned already


async def test_cloud_keeps_to_60_against_a_capped_server_and_grows_against_an_uncapped_one(
    schema: GraphQLSchema, tmp_path: Path
) -> None:
    n = 600
    for cap, expected_calls in ((60, math.ceil(n / 60) + 1), (None, 4)):
        async with Sandbox.start(
            port=0, seed="empty", profile=SELF_HOSTED, rate_limit=None, page_cap=cap
        ) as sb:
            await seed(sb, n)
            async with Twenty(sb.url, sb.api_key, profile=CLOUD, rate_limit="off") as twenty:
                out = tmp_path / f"c{cap}.jsonl"
                report = await run_export(twenty, schema, "company", out)
        assert report.rows == n
        # capped: 60 a page (the probes came back with 60); uncapped: 60, 240, 300 + the count
        assert report.calls == expected_calls, (cap, report)


@pytest.mark.parametrize("fault", ["5xx", "timeout"])
async def test_pages_shrink_on_a_5xx_or_a_timeout_and_lose_nothing(fault: str) -> None:
    faults = (
        FaultConfig(seed=5, error_5xx=0.25)
        if fault == "5xx"
        else FaultConfig(seed=5, delay=0.2, delay_seconds=3.0)
    )
    n = 2000
    async with Sandbox.start(
        port=0, seed="empty", profile=SELF_HOSTED, rate_limit=None, faults=faults
    ) as sb:
        ids = await seed(sb, n)
        async with Twenty(
            sb.url,
            sb.api_key,
            profile=SELF_HOSTED,
            rate_limit="off",
            # Only the timeout case times out: well past any answer, well short of the delay.
            timeouts=Timeouts(total=1.0, connect=1.0, read=1.0) if fault == "timeout" else None,
            page_bounds=PageBounds(
                max_page_size=100, target_seconds=60.0, max_response_bytes=10**9
            ),
        ) as twenty:
            recorder = Recorder(twenty, retry=NO_FAULT_RETRY)
            seen = await read_all(recorder, twenty.page_sizes.sizer("companies"), "keyset")
        injected = sum(v for k, v in sb.stats.items() if k.startswith("fault_"))
    assert seen == ids
    failures = [i for i, (_, outcome) in enumerate(recorder.calls) if outcome != "ok"]
    assert failures and injected > 0
    if fault == "5xx":
        assert injected == len(failures)  # (a loaded machine may add a timeout of its own)
    expected = "ServerError" if fault == "5xx" else "RequestTimeoutError"
    for i in failures:
        first, outcome = recorder.calls[i]
        assert outcome == expected
        assert recorder.calls[i + 1][0] == max(1, first // 2)  # the same position, half the size
        # and stays below the failed size for the next pages
        assert all(later < first for later, _ in recorder.calls[i + 1 : i + 5])


async def test_the_sandbox_caps_first_only_when_asked() -> None:
    async with Sandbox.start(port=0, seed="empty", profile=SELF_HOSTED, rate_limit=None) as sb:
        await seed(sb, 300)
        async with Twenty(sb.url, sb.api_key, profile=SELF_HOSTED, rate_limit="off") as twenty:
            page = await twenty.execute(LIST, {"first": 300})
    assert len(page["companies"]["edges"]) == 300  # Twenty 2.21: `first` is not capped
    with pytest.raises(ValueError, match="page_cap_style"):
        Sandbox(page_cap=60, page_cap_style="clip")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="page_cap must be at least 1"):
        Sandbox(page_cap=0)


async def test_large_pages_stream_to_the_file_exactly_as_small_pages_are_written(
    schema: GraphQLSchema, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import twenty_gql.pagination as pagination

    streamed: list[int] = []

    class Spy(pagination.StreamedConnection):
        def __init__(self, body: bytes, path: Any, **options: Any) -> None:
            streamed.append(len(body))
            super().__init__(body, path, **options)

    monkeypatch.setattr(pagination, "StreamedConnection", Spy)
    async with Sandbox.start(port=0, seed="empty", profile=SELF_HOSTED, rate_limit=None) as sb:
        await seed(sb, 2500)
        async with Twenty(sb.url, sb.api_key, profile=SELF_HOSTED, rate_limit="off") as twenty:
            small = await run_export(twenty, schema, "company", tmp_path / "s.jsonl", page_size=100)
            assert not streamed  # pages of 100 are small answers: decoded whole
            large = await run_export(twenty, schema, "company", tmp_path / "l.jsonl")
    assert streamed and min(streamed) >= 256 * 1024
    assert large.rows == small.rows == 2500 and large.pages < small.pages
    assert (tmp_path / "l.jsonl").read_bytes() == (tmp_path / "s.jsonl").read_bytes()


async def test_relation_lookups_page_through_a_capped_server_and_report_their_pages(
    schema: GraphQLSchema, tmp_path: Path
) -> None:
    from twenty_gql.io.importer import ImportOptions, run_import

    people = tmp_path / "people.csv"
    lines = ["name.firstName,emails.primaryEmail,company.domainName"]
    lines += [f"P{i},p{i}@example.com,https://co-{i:03d}.example" for i in range(150)]
    people.write_text("\n".join(lines) + "\n", encoding="utf-8")
    async with Sandbox.start(
        port=0, seed="empty", profile=SELF_HOSTED, rate_limit=None, page_cap=60
    ) as sb:
        async with Twenty(sb.url, sb.api_key, profile=SELF_HOSTED, rate_limit="off") as twenty:
            companies = [
                {"name": f"Co {i}", "domainName": {"primaryLinkUrl": f"https://co-{i:03d}.example"}}
                for i in range(150)
            ]
            await twenty.upsert_many("company", companies)
            report = await run_import(
                twenty, schema, ImportOptions("person", str(people), journal=tmp_path / "j")
            )
        linked = {p["companyId"] for p in sb.store.all("person")}
    # One chunk of 150 values (the profile's 200), answered 60 at a time: nothing missed.
    assert report.result.stats.failed == 0 and report.result.stats.created == 150
    assert len(linked) == 150 and None not in linked
    assert report.lookup_pages == 3 and report.lookup_page_size_reached == 60


async def test_the_export_command_bounds_pages_and_reports_them(tmp_path: Path) -> None:
    from tests.batch.sandbox_helpers import cli_env, run_cli

    async with Sandbox.start(port=0, seed="empty", profile=SELF_HOSTED, rate_limit=None) as sb:
        ids = await seed(sb, 1000)
        env = cli_env(sb, TWENTY_PROFILE="self-hosted")
        out = tmp_path / "c.csv"
        run = await run_cli(
            "export", "company", "--out", str(out), "--quiet", "--fields", "name",
            "--max-page-size", "300", env=env,
        )  # fmt: skip
    assert run.code == 0, run.stderr
    # 200, then 300 a page: 200 + 3 x 300 + 0 left over = 4 pages, plus the count
    assert "in 5 calls (4 pages, page size reached 300)" in run.stdout, run.stdout
    assert [line.split(",")[0] for line in out.read_text().splitlines()[1:]] == ids


@pytest.mark.parametrize("style", ["truncate", "refuse"])
async def test_the_sandbox_command_serves_a_capped_first(style: str) -> None:
    from tests.sandbox.test_cli import start, stop

    proc, url, key = await start(
        "--rate-limit", "off", "--page-cap", "5", "--page-cap-style", style
    )
    try:
        async with Twenty(url, key, profile=SELF_HOSTED, rate_limit="off") as twenty:
            if style == "refuse":
                with pytest.raises(BadInputError, match='"first" cannot exceed 5'):
                    await twenty.execute(LIST, {"first": 6})
            else:
                page = await twenty.execute(LIST, {"first": 6})
                assert len(page["companies"]["edges"]) == 5
                assert page["companies"]["pageInfo"]["hasNextPage"] is True
            exact = await twenty.execute(LIST, {"first": 5})
            assert len(exact["companies"]["edges"]) == 5
    finally:
        await stop(proc)
