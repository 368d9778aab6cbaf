"""``twenty-gql copy`` as a user runs it: keys from the environment, ``kill -9`` halfway and a
rerun that resumes from the journal with nothing lost or duplicated."""

from __future__ import annotations

import asyncio
import os
import signal
from collections import Counter
from pathlib import Path

import redis.asyncio as aioredis

from tests.batch.sandbox_helpers import CLI, cli_env, run_cli
from tests.copy.workspaces import records
from twenty_gql.client import Twenty
from twenty_gql.sandbox import Sandbox

COUNT = 3000


def copy_env(source: Sandbox, target: Sandbox) -> dict[str, str]:
    """The environment a user sets for ``copy``: both workspaces' URLs and keys."""
    return cli_env(
        None,
        TWENTY_FROM_API_URL=source.url,
        TWENTY_FROM_API_KEY=source.api_key,
        TWENTY_TO_API_URL=target.url,
        TWENTY_TO_API_KEY=target.api_key,
    )


async def test_kill_9_halfway_then_rerun_lands_every_record_once(tmp_path: Path) -> None:
    async with (
        Sandbox.start(port=0, rate_limit=None) as a,
        Sandbox.start(port=0, seed="empty", rate_limit=None) as b,
        Twenty(a.url, a.api_key, rate_limit="off") as source,
    ):
        rows = [
            {"name": f"C{i}", "domainName": {"primaryLinkUrl": f"https://c{i}.example"}}
            for i in range(COUNT)
        ]
        assert (await source.upsert_many("company", rows)).stats.failed == 0
        env = copy_env(a, b)
        journal = tmp_path / "copy.journal"
        # 100 calls per 20 s on the target: about 10 s for the companies, time to kill it.
        args = ["copy", "--objects", "company", "--journal", str(journal), "--quiet"]
        slow = [*args, "--window-seconds", "20"]
        process = await asyncio.create_subprocess_exec(
            CLI, *slow, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
        )
        for _ in range(600):
            if b.store.count("company", with_deleted=True) >= 600:
                break
            await asyncio.sleep(0.05)
        os.kill(process.pid, signal.SIGKILL)
        await process.wait()
        landed_before = b.store.count("company", with_deleted=True)
        assert 600 <= landed_before < COUNT + 20
        assert journal.exists()

        rerun = await run_cli(*args, "--window-seconds", "1", env=env, limit=120)
        assert rerun.code == 0, rerun.stderr
        assert "resumed" in rerun.stdout
        mine = await records(source, "company", "companies", ["domainName.primaryLinkUrl"])
        async with Twenty(b.url, b.api_key, rate_limit="off") as target:
            theirs = await records(target, "company", "companies", ["domainName.primaryLinkUrl"])
        assert set(theirs) == set(mine)
        urls = Counter(r["domainName"]["primaryLinkUrl"] for r in theirs.values())
        assert max(urls.values()) == 1  # nothing duplicated
        assert not journal.exists()

        again = await run_cli(*args, "--window-seconds", "1", "--verify", env=env, limit=120)
        assert again.code == 0, again.stderr
        assert "nothing to change" in again.stdout
        assert "match" in again.stdout
        for output in (rerun.stdout, rerun.stderr, again.stdout, again.stderr):
            assert a.api_key not in output and b.api_key not in output


async def test_a_missing_key_fails_with_one_line_naming_the_variable() -> None:
    env = cli_env(None, TWENTY_FROM_API_URL="http://127.0.0.1:9")
    run = await run_cli("copy", "--to", "http://127.0.0.1:9", env=env)
    assert run.code == 2
    assert "no from API key: pass --from-key or set TWENTY_FROM_API_KEY" in run.stderr


async def test_a_window_that_is_not_positive_fails_with_one_line_naming_the_option() -> None:
    env = cli_env(None, TWENTY_FROM_API_KEY="from-key-1234", TWENTY_TO_API_KEY="to-key-1234")
    run = await run_cli(
        "copy", "--from", "http://127.0.0.1:9", "--to", "http://127.0.0.1:9",
        "--window-seconds", "0", env=env,
    )  # fmt: skip
    assert run.code == 2
    assert "twenty-gql copy: error: --window-seconds must be positive" in run.stderr
    assert "Traceback" not in run.stderr


async def test_budget_keeps_one_bucket_per_workspace_in_redis(redis_url: str) -> None:
    async with (
        Sandbox.start(port=0, rate_limit=(100, 2.0)) as a,
        Sandbox.start(port=0, seed="empty", rate_limit=(100, 2.0)) as b,
        Twenty(a.url, a.api_key, rate_limit="off") as source,
    ):
        rows = [{"name": f"C{i}"} for i in range(300)]
        assert (await source.upsert_many("company", rows)).stats.failed == 0
        env = copy_env(a, b)
        args = ["copy", "--objects", "company", "--quiet", "--window-seconds", "2"]
        run = await run_cli(*args, "--budget", redis_url, env=env, limit=120)
        assert run.code == 0, run.stderr
        assert b.store.count("company") == a.store.count("company")
        assert a.stats["throttled"] == b.stats["throttled"] == 0
        client = aioredis.from_url(redis_url)
        try:
            keys = sorted(k.decode() for k in await client.keys("twenty-gql:budget:*"))
        finally:
            await client.aclose()
        # Reads spent the source's bucket, writes the target's: one key each, no key in a name.
        assert [key.rsplit(":", 1)[0] for key in keys] == sorted(
            f"twenty-gql:budget:{sb.url}" for sb in (a, b)
        )
        assert not any(sb.api_key in key for sb in (a, b) for key in keys)
        bad = await run_cli(*args, "--budget", "ftp://nowhere", env=env)
        assert bad.code == 2
        assert "--budget" in bad.stderr and "ftp://nowhere" not in bad.stderr
