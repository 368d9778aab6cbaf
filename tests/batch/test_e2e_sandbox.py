"""End to end over HTTP on 127.0.0.1 against the sandbox; each test reads the sandbox's store.

Rate-limit windows are scaled down (a 100-call budget over 1-6 s, not 60 s)."""

from __future__ import annotations

import asyncio
import json
import logging
import math
import signal
from pathlib import Path

import pytest

from tests.batch.sandbox_helpers import (
    CLI,
    cli_env,
    companies,
    domains,
    run_cli,
    write_companies_csv,
)
from tests.conftest import REFERENCE
from tests.custom_objects import create_custom_object
from twenty_gql.batch.jobs import (
    delete_many,
    destroy_many,
    restore_many,
    update_many,
    upsert_many,
)
from twenty_gql.budget import LocalBudget, Shape
from twenty_gql.client import Twenty
from twenty_gql.io.exporter import run_export
from twenty_gql.io.importer import ImportOptions, run_import
from twenty_gql.io.schema_source import load_schema
from twenty_gql.profiles import CLOUD
from twenty_gql.sandbox import FaultConfig, Sandbox
from twenty_gql.transport import Timeouts

FAST = CLOUD.scaled(window_seconds=1.0)
"""Cloud limits (60 records/call, 100 calls/window) over a 1 s window."""


async def test_r1_every_valid_row_lands_exactly_once_through_injected_faults() -> None:
    faults = FaultConfig(
        seed=11,
        error_5xx=0.10,
        delay=0.05,
        delay_seconds=0.6,
        drop=0.05,
        drop_after_write=0.05,
        mutations_only=True,
    )
    rows: list[dict[str, object]] = [
        {"name": f"K{i}", "domainName": {"primaryLinkUrl": f"https://k{i}.example"}}
        for i in range(1500)
    ]
    rows += [{"name": f"Keyless {i}"} for i in range(300)]  # no unique key: ids are assigned
    async with Sandbox.start(port=0, seed="empty", profile=FAST, faults=faults) as sb:
        async with Twenty(
            sb.url, sb.api_key, profile=FAST, timeouts=Timeouts(total=0.3, connect=1.0, read=0.3)
        ) as twenty:
            result = await upsert_many(
                twenty, "company", rows, job_key="r1", concurrency=4, batch_size=10
            )
        await asyncio.sleep(faults.delay_seconds + 0.3)  # let late (timed-out) writes finish
        stored = companies(sb)
        injected = {k: v for k, v in sb.stats.items() if k.startswith("fault_")}
    assert result.ok, result.failures[:3]
    assert result.stats.landed == 1800
    assert result.stats.retries > 0
    assert injected.get("fault_drop_after_write", 0) > 0 and injected.get("fault_delay", 0) > 0
    assert injected.get("fault_error_500", 0) + injected.get("fault_error_502", 0) > 0
    assert len(stored) == 1800
    names = sorted(r["name"] for r in stored)
    assert names == sorted(str(r["name"]) for r in rows)


async def test_r2_a_job_sharing_the_budget_with_a_greedy_neighbour_completes() -> None:
    window = 2.0
    profile = CLOUD.scaled(window_seconds=window)  # 50 calls/s
    rows = [
        {"name": f"S{i}", "domainName": {"primaryLinkUrl": f"https://s{i}.example"}}
        for i in range(3600)
    ]
    # The server refills 50 calls/s like the profile, but with a small burst (20) so that the
    # competition shows at once instead of after the initial burst is spent.
    budget = (20, 20 / (profile.calls_per_window / window))
    async with Sandbox.start(port=0, seed="empty", profile=profile, rate_limit=budget) as sb:
        done = asyncio.Event()
        neighbour_calls = 0

        async def neighbour() -> None:
            nonlocal neighbour_calls
            half = LocalBudget(Shape(profile.calls_per_window // 2, window))  # half the budget
            async with Twenty(sb.url, sb.api_key, profile=profile, budget=half) as other:
                while not done.is_set():
                    await other.execute("query { companies(first: 1) { totalCount } }")
                    neighbour_calls += 1

        async with Twenty(sb.url, sb.api_key, profile=profile) as twenty:
            task = asyncio.create_task(neighbour())
            result = await upsert_many(twenty, "company", rows)
            done.set()
            await task
        throttled = sb.stats["throttled"]
        stored = domains(sb)
    assert throttled > 0  # the two really competed (either may have been refused)
    assert result.ok and result.stats.landed == 3600
    assert neighbour_calls > 0
    assert len(stored) == 3600 and set(stored.values()) == {1}


async def test_r3_invalid_rows_spread_across_batches_are_each_reported_with_line_and_reason(
    tmp_path: Path,
) -> None:
    count = 2000
    async with Sandbox.start(port=0, seed="empty", profile=FAST) as sb:
        async with Twenty(sb.url, sb.api_key, profile=FAST) as twenty:
            # 10 existing companies; bad rows will carry the id of one and the domain of another
            existing = await upsert_many(
                twenty,
                "company",
                [
                    {
                        "name": f"Old {j}",
                        "domainName": {"primaryLinkUrl": f"https://old{j}.example"},
                    }
                    for j in range(20)
                ],
            )
            ids = [o.id for o in existing.outcomes]
            bad: dict[int, dict[str, str]] = {}
            for n, i in enumerate(range(37, count, 100)):  # 20 bad rows = 1 %, one per ~2 batches
                if n % 2:
                    bad[i] = {"employees": "lots"}
                else:
                    bad[i] = {"domainName.primaryLinkUrl": f"https://old{n // 2 + 10}.example"}
            path = tmp_path / "companies.csv"
            write_companies_csv(path, count, bad_at=bad)
            # Give conflict rows an id column: rewrite with ids of other existing companies.
            lines = path.read_text().splitlines()
            lines[0] = "id," + lines[0]
            for row_number in range(1, len(lines)):
                i = row_number - 1
                conflict = i in bad and "domainName.primaryLinkUrl" in bad[i]
                lines[row_number] = (
                    (ids[list(bad).index(i) // 2] if conflict else "") + "," + lines[row_number]
                )
            path.write_text("\n".join(lines) + "\n")
            schema = await load_schema(twenty.settings, None)
            report = await run_import(
                twenty,
                schema,
                ImportOptions("company", str(path), rejects=tmp_path / "rejects.jsonl"),
            )
        stored = companies(sb)
    rejects = [json.loads(line) for line in (tmp_path / "rejects.jsonl").read_text().splitlines()]
    assert sorted(r["line"] for r in rejects) == sorted(i + 2 for i in bad)
    by_line = {r["line"]: r for r in rejects}
    for i, change in bad.items():
        entry = by_line[i + 2]
        if "employees" in change:
            assert entry["reason"] == "Invalid number value 'lots' for field \"employees\""
            assert entry["field"] == "employees" and entry["row"]["employees"] == "lots"
        else:
            assert entry["sub_code"] == "UPSERT_MULTIPLE_MATCHING_RECORDS_CONFLICT"
            assert "Cannot determine which record to update" in entry["reason"]
    assert report.result.stats.failed == 20 and report.result.stats.created == count - 20
    assert len(stored) == 20 + count - 20
    # about log2(60) + 1 extra calls per bad row sent to the server (10 of them)
    assert report.result.stats.isolation_calls <= 10 * (math.ceil(math.log2(60)) + 2)
    assert not (tmp_path / "companies.csv.journal").exists()  # a finished job removes it


async def test_r4_an_import_killed_with_sigkill_resumes_from_its_journal(tmp_path: Path) -> None:
    count = 3000
    path = tmp_path / "companies.csv"
    write_companies_csv(path, count)
    journal = tmp_path / "import.journal"
    async with Sandbox.start(port=0, seed="empty", profile=CLOUD, rate_limit=None) as sb:
        env = cli_env(sb)

        def command(window: str) -> list[str]:
            return [
                "import", "company", str(path), "--journal", str(journal), "--batch-size", "20",
                "--window-seconds", window, "--quiet", "--rejects", str(tmp_path / "rejects.jsonl"),
            ]  # fmt: skip

        args = command("8")
        process = await asyncio.create_subprocess_exec(
            CLI, *args, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
        )
        for _ in range(400):
            await asyncio.sleep(0.05)
            if journal.exists() and len(journal.read_text().splitlines()) >= 6:
                break
        process.send_signal(signal.SIGKILL)
        out, err = await process.communicate()
        assert process.returncode == -signal.SIGKILL
        journal_text = journal.read_text()
        landed_before = len(companies(sb))
        assert 0 < landed_before < count
        # same job (the window only paces calls, it is not part of the job key), faster
        rerun = await run_cli(*command("1"), env=env, limit=120)
        stored = domains(sb)
    assert rerun.code == 0, rerun.stderr
    assert "landed in an earlier run" in rerun.stdout
    assert len(stored) == count and set(stored.values()) == {1}
    # R5: the API key is in no output, journal or rejects file
    for text in (out.decode(), err.decode(), rerun.stdout, rerun.stderr, journal_text):
        assert sb.api_key not in text


async def test_bulk_update_delete_restore_destroy_beyond_the_per_call_limit() -> None:
    async with (
        Sandbox.start(port=0, seed="empty", profile=FAST) as sb,
        Twenty(sb.url, sb.api_key, profile=FAST) as twenty,
    ):
        rows = [{"name": f"B{i}", "employees": i} for i in range(250)]
        await upsert_many(twenty, "company", rows)
        updated = await update_many(
            twenty, "company", {"employees": {"gte": 50}}, {"tagline": "big"}
        )
        assert updated.affected == 200
        assert sum(r["tagline"] == "big" for r in companies(sb)) == 200
        deleted = await delete_many(twenty, "company", {"employees": {"gte": 100}})
        assert deleted.affected == 150 and sb.store.count("company") == 100
        restored = await restore_many(twenty, "company", {"employees": {"gte": 120}})
        assert restored.affected == 130 and sb.store.count("company") == 230
        destroyed = await destroy_many(twenty, "company", {"employees": {"gte": 200}})
        assert destroyed.affected == 50
        assert sb.store.count("company", with_deleted=True) == 200
        assert updated.calls > 4  # counted, listed by pages, updated in chunks of 60


async def test_r5_the_key_never_reaches_logs_rejects_or_errors(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    path = tmp_path / "companies.csv"
    write_companies_csv(path, 300, bad_at={5: {"employees": "x"}})
    faults = FaultConfig(seed=3, error_5xx=0.2, mutations_only=True)
    async with Sandbox.start(port=0, seed="empty", profile=FAST, faults=faults) as sb:
        async with Twenty(sb.url, sb.api_key, profile=FAST) as twenty:
            schema = await load_schema(twenty.settings, None)
            report = await run_import(
                twenty,
                schema,
                ImportOptions(
                    "company",
                    str(path),
                    rejects=tmp_path / "rejects.jsonl",
                    journal=tmp_path / "j.journal",
                ),
            )
        key = sb.api_key
    assert report.result.stats.failed == 1 and report.result.stats.retries > 0
    assert key not in caplog.text
    assert key not in (tmp_path / "rejects.jsonl").read_text()
    assert key not in repr(report)


async def test_cli_bad_input_gives_one_line_naming_the_culprit_and_the_exit_code(
    tmp_path: Path,
) -> None:
    good = tmp_path / "companies.csv"
    write_companies_csv(good, 5, bad_at={2: {"employees": "twelve"}})
    unknown_column = tmp_path / "unknown.csv"
    unknown_column.write_text("name,shoeSize\nA,42\n")
    async with Sandbox.start(port=0, seed="empty", profile=FAST) as sb:
        env = cli_env(sb)
        cases = {
            "missing file": (["import", "company", str(tmp_path / "nope.csv")], env, 2, "nope.csv"),
            "unknown object": (["import", "compnay", str(good)], env, 2, "'compnay'"),
            "unknown column": (["import", "company", str(unknown_column)], env, 2, "'shoeSize'"),
            "bad key": (["import", "company", str(good), "--key", "name"], env, 2, "--key name"),
            "bad map": (["import", "company", str(good), "--map", "x"], env, 2, "--map 'x'"),
            "unreachable": (
                ["import", "company", str(good)],
                cli_env(None, TWENTY_API_URL="http://127.0.0.1:9", TWENTY_API_KEY="sbx_canary"),
                3,
                "127.0.0.1:9",
            ),
            "wrong key": (
                ["import", "company", str(good)],
                cli_env(None, TWENTY_API_URL=sb.url, TWENTY_API_KEY="sbx_canary_wrong_key"),
                3,
                "key",
            ),
            "wrong key, offline schema": (
                ["import", "company", str(good), "--schema", str(REFERENCE / "core.graphql")],
                cli_env(None, TWENTY_API_URL=sb.url, TWENTY_API_KEY="sbx_canary_wrong_key"),
                3,
                "AuthenticationError",
            ),
            "no url": (["import", "company", str(good)], cli_env(None), 2, "TWENTY_API_URL"),
            "unparsable value": (
                ["import", "company", str(good), "--quiet"],
                env,
                1,
                "line 4 [employees]: Invalid number value 'twelve' for field \"employees\"",
            ),
            "stdin without --format": (["import", "company", "-"], env, 2, "--format"),
            "export unknown field": (
                ["export", "company", "--out", str(tmp_path / "o.csv"), "--fields", "shoe"],
                env,
                2,
                "--fields shoe",
            ),
            "export bad filter": (
                ["export", "company", "--out", str(tmp_path / "o.csv"), "--filter", "{x"],
                env,
                2,
                "--filter is not valid JSON",
            ),
        }
        runs = await asyncio.gather(*(run_cli(*args, env=e) for args, e, _, _ in cases.values()))
        stored = len(companies(sb))
    for (name, (_, _, code, culprit)), run in zip(cases.items(), runs, strict=True):
        assert run.code == code, (name, run.stdout, run.stderr)
        assert "Traceback" not in run.stderr + run.stdout, name
        assert "sbx_canary" not in run.stderr + run.stdout, name
        if code in (2, 3):
            lines = run.stderr.strip().splitlines()
            assert len(lines) == 1, (name, run.stderr)
            assert culprit in lines[0], (name, lines[0])
        else:
            assert culprit in run.stdout, (name, run.stdout)
    assert stored == 4  # the unparsable-value run landed its 4 valid rows


async def test_export_streams_every_record_to_csv_and_jsonl_and_reimports(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    write_companies_csv(source, 450)
    async with Sandbox.start(port=0, seed="empty", profile=FAST) as sb:
        env = cli_env(sb, TWENTY_PROFILE="cloud")
        fast = ("--quiet", "--window-seconds", "1")
        imported = await run_cli("import", "company", str(source), *fast, env=env)
        assert imported.code == 0, imported.stderr
        out_csv, out_jsonl = tmp_path / "out.csv", tmp_path / "out.jsonl"
        as_csv = await run_cli(
            "export", "company", "--out", str(out_csv), *fast,
            "--fields", "name,domainName.primaryLinkUrl,employees", env=env,
        )  # fmt: skip
        as_jsonl = await run_cli(
            "export", "company", "--out", str(out_jsonl), *fast,
            "--filter", '{"employees": {"lte": 100}}', env=env,
        )  # fmt: skip
        assert as_csv.code == 0 and as_jsonl.code == 0, as_csv.stderr + as_jsonl.stderr
        header, *body = out_csv.read_text().splitlines()
        assert header == "id,name,domainName.primaryLinkUrl,employees"
        assert len(body) == 450
        records = [json.loads(line) for line in out_jsonl.read_text().splitlines()]
        assert len(records) == sum(1 for i in range(450) if i % 900 + 1 <= 100)
        assert all(r["employees"] <= 100 for r in records)
        # the CSV export imports back as updates of the same records
        again = await run_cli("import", "company", str(out_csv), *fast, env=env)
        assert again.code == 0, again.stderr
        assert "updated" in again.stdout
        assert len(companies(sb)) == 450


async def test_export_ends_on_the_last_full_page_without_asking_for_an_empty_one(
    tmp_path: Path,
) -> None:
    async with (
        Sandbox.start(port=0, seed="empty", profile=FAST) as sb,
        Twenty(sb.url, sb.api_key, profile=FAST) as twenty,
    ):
        await upsert_many(twenty, "company", [{"name": f"E{i}"} for i in range(120)])
        schema = await load_schema(twenty.settings, None)
        report = await run_export(twenty, schema, "company", tmp_path / "c.jsonl", page_size=60)
    assert report.rows == 120
    assert report.calls == 3  # the count, then two full pages: hasNextPage ends it
    ids = [json.loads(line)["id"] for line in (tmp_path / "c.jsonl").read_text().splitlines()]
    assert len(set(ids)) == 120 and ids == sorted(ids)


async def test_a_custom_object_with_a_custom_unique_field_imports_without_codegen(
    tmp_path: Path,
) -> None:
    async with (
        Sandbox.start(port=0, seed="empty", profile=FAST) as sb,
        Twenty(sb.url, sb.api_key, profile=FAST) as twenty,
    ):
        await create_custom_object(
            twenty,
            "invoice",
            "invoices",
            {"type": "TEXT", "name": "reference", "isUnique": True},
            {"type": "NUMBER", "name": "amount"},
        )
        path = tmp_path / "invoices.jsonl"
        lines = [{"reference": f"INV-{i % 40}", "amount": i} for i in range(100)]
        path.write_text("".join(json.dumps(line) + "\n" for line in lines))
        schema = await load_schema(twenty.settings, None)
        report = await run_import(
            twenty, schema, ImportOptions("invoices", str(path), keys=("reference",))
        )
        stored = sb.store.all("invoice")
    # 100 rows, 40 distinct references: repeats were kept out of each other's batches, and the
    # last row of each reference won.
    assert report.result.ok and report.result.stats.rows == 100
    assert report.result.stats.created == 40 and report.result.stats.updated == 60
    assert sorted((r["reference"], r["amount"]) for r in stored) == sorted(
        (f"INV-{i % 40}", i) for i in range(60, 100)
    )


async def test_a_client_expecting_a_larger_batch_learns_the_servers_limit() -> None:
    from twenty_gql.profiles import SELF_HOSTED

    rows = [
        {"name": f"L{i}", "domainName": {"primaryLinkUrl": f"https://l{i}.example"}}
        for i in range(1000)
    ]
    client_profile = SELF_HOSTED.scaled(window_seconds=1.0)  # believes 200 records per call
    async with Sandbox.start(port=0, seed="empty", profile=FAST) as sb:  # enforces 60
        async with Twenty(sb.url, sb.api_key, profile=client_profile) as twenty:
            result = await upsert_many(twenty, "company", rows)
        stored = domains(sb)
    assert result.ok and result.stats.landed == 1000
    assert result.stats.learned_limit == FAST.records_per_call
    assert len(stored) == 1000 and set(stored.values()) == {1}
    # at most one refused call per 200-record batch, each re-cut into ceil(200/60) calls
    planned = math.ceil(1000 / 200)
    assert result.stats.calls <= planned * (1 + math.ceil(200 / 60))


async def test_generated_input_models_stream_in_from_an_async_iterable() -> None:
    from twenty_gql.generated.core.input_types import CompanyCreateInput, LinksCreateInput

    async def models():  # type: ignore[no-untyped-def]
        for i in range(150):
            yield CompanyCreateInput(
                name=f"M{i}",
                domain_name=LinksCreateInput(primary_link_url=f"https://m{i}.example"),
                employees=i,
            )

    async with (
        Sandbox.start(port=0, seed="empty", profile=FAST) as sb,
        Twenty(sb.url, sb.api_key, profile=FAST) as twenty,
    ):
        result = await upsert_many(twenty, "company", models())
        stored = {r["name"]: r for r in companies(sb)}
    assert result.ok and [o.index for o in result.outcomes] == list(range(150))
    assert stored["M42"]["employees"] == 42
    assert stored["M42"]["domainName"]["primaryLinkUrl"] == "https://m42.example"
    assert {o.id for o in result.outcomes} == {r["id"] for r in stored.values()}


async def test_an_import_whose_key_is_revoked_stops_at_once_and_resumes_with_a_new_key(
    tmp_path: Path,
) -> None:
    count = 2000
    path = tmp_path / "companies.csv"
    write_companies_csv(path, count)
    journal = tmp_path / "import.journal"
    async with Sandbox.start(port=0, seed="empty", profile=CLOUD, rate_limit=None) as sb:
        first_key = sb.issue_api_key(name="import key")
        args = [
            "import", "company", str(path), "--journal", str(journal), "--batch-size", "20",
            "--window-seconds", "8", "--quiet",
        ]  # fmt: skip
        env = cli_env(sb, TWENTY_API_KEY=first_key)
        process = await asyncio.create_subprocess_exec(
            CLI, *args, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
        )
        for _ in range(400):
            await asyncio.sleep(0.05)
            if journal.exists() and len(journal.read_text().splitlines()) >= 4:
                break
        sb.revoke_api_key(first_key)
        requests_at_revocation = sb.stats["requests"]
        out, err = await asyncio.wait_for(process.communicate(), 60)
        assert process.returncode == 3, err.decode()
        assert "This API Key is revoked" in err.decode() + out.decode()
        # stopped at once: at most the calls already in flight reached the server after it
        assert sb.stats["requests"] - requests_at_revocation <= 4
        journal_text = journal.read_text()  # intact: the rerun resumes from it
        landed_before = len(companies(sb))
        assert 0 < landed_before < count
        second_key = sb.issue_api_key(name="new import key")
        rerun = await run_cli(
            *args[:-3], "--window-seconds", "1", "--quiet",
            env=cli_env(sb, TWENTY_API_KEY=second_key), limit=120,
        )  # fmt: skip
        stored = domains(sb)
    assert rerun.code == 0, rerun.stderr
    assert "landed in an earlier run" in rerun.stdout
    assert len(stored) == count and set(stored.values()) == {1}
    for text in (out.decode(), err.decode(), rerun.stdout, rerun.stderr, journal_text):
        assert first_key not in text and second_key not in text
