"""What ``export`` writes by default, ``import`` takes back as is: every standard and custom
object, CSV and JSONL, into an empty workspace, values exact (read back through the API)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.batch.sandbox_helpers import cli_env, run_cli
from tests.copy.workspaces import FAST, add_projects, seed_source
from twenty_gql.client import Twenty
from twenty_gql.copy import plan_copy
from twenty_gql.io.exporter import run_export
from twenty_gql.io.importer import ImportOptions, run_import
from twenty_gql.io.schema_source import load_schema
from twenty_gql.sandbox import Sandbox
from twenty_gql.schema.objects import find_objects


@pytest.mark.parametrize("suffix", ["jsonl", "csv"])
async def test_export_then_import_reproduces_every_object(tmp_path: Path, suffix: str) -> None:
    async with (
        Sandbox.start(port=0, rate_limit=None) as a,
        Sandbox.start(port=0, seed="empty", rate_limit=None) as b,
        Twenty(a.url, a.api_key, profile=FAST) as source,
        Twenty(b.url, b.api_key, profile=FAST) as target,
    ):
        await seed_source(source, cycle=False)
        await add_projects(target)
        schema_a = await load_schema(source.settings, None)
        schema_b = await load_schema(target.settings, None)
        objects = list(find_objects(schema_a))
        assert {"project", "workspaceMember", "company", "noteTarget"} <= set(objects)
        order = [plan.singular for plan in plan_copy(schema_a, schema_b, objects)]
        for name in order:
            exported = await run_export(source, schema_a, name, tmp_path / f"a-{name}.{suffix}")
            imported = await run_import(target, schema_b, ImportOptions(name, str(exported.path)))
            assert imported.result.stats.failed == 0, (name, imported.result.failures[:3])
            assert imported.result.stats.created == exported.rows
        for name in order:
            mine = await run_export(source, schema_a, name, tmp_path / f"a-{name}.jsonl")
            theirs = await run_export(target, schema_b, name, tmp_path / f"b-{name}.jsonl")
            assert theirs.fields == mine.fields
            assert theirs.path.read_text() == mine.path.read_text(), name
        assert "createdBy.name" not in mine.fields  # read-only: left out


async def test_the_issue_commands_export_company_then_import_it_elsewhere(tmp_path: Path) -> None:
    async with (
        Sandbox.start(port=0, rate_limit=None) as a,
        Sandbox.start(port=0, seed="empty", rate_limit=None) as b,
    ):
        from_a, to_b = cli_env(a), cli_env(b)
        for name in ("workspaceMember", "company"):
            out = str(tmp_path / f"{name}.jsonl")
            exported = await run_cli("export", name, "--out", out, "--quiet", env=from_a)
            assert exported.code == 0, exported.stderr
            imported = await run_cli("import", name, out, "--quiet", env=to_b)
            assert imported.code == 0, imported.stdout + imported.stderr
        assert b.store.count("company") == a.store.count("company") == 20


async def test_import_ignores_read_only_columns_of_an_older_export(tmp_path: Path) -> None:
    async with Sandbox.start(port=0, seed="empty", rate_limit=None) as b:
        path = tmp_path / "people.csv"
        path.write_text(
            "name.firstName,createdBy.name,createdBy.workspaceMemberId,avatarFile.extension\n"
            "Ada,Someone,,png\n"
        )
        imported = await run_cli("import", "person", str(path), "--quiet", env=cli_env(b))
        assert imported.code == 0, imported.stdout + imported.stderr
        [person] = b.store.all("person")
        assert person["name"]["firstName"] == "Ada"
        assert person["createdBy"]["name"] != "Someone"  # the server's, not the file's
        bad = tmp_path / "bad.csv"
        bad.write_text("name.firstName,notAField\nAda,x\n")
        refused = await run_cli("import", "person", str(bad), "--quiet", env=cli_env(b))
        assert refused.code == 2 and "notAField" in refused.stderr  # unknown is still an error
