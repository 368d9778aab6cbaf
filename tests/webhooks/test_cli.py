"""``twenty-gql webhooks listen`` as a user runs it: registers itself on the sandbox, prints
verified events, refuses the rest with 401, deletes its webhook on exit."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sys

import aiohttp

from twenty_gql import Twenty
from twenty_gql.sandbox import Sandbox

CLI = [sys.executable, "-c", "from twenty_gql.cli import main; main()"]


async def read_until(stream: asyncio.StreamReader, pattern: str) -> re.Match[str]:
    async with asyncio.timeout(20):
        while True:
            line = (await stream.readline()).decode()
            assert line, f"the listener stopped before printing {pattern!r}"
            if found := re.search(pattern, line):
                return found


async def test_listen_registers_prints_refuses_and_cleans_up() -> None:
    async with (
        Sandbox.start(port=0, rate_limit=None, seed="empty") as sb,
        Twenty(sb.url, sb.api_key, rate_limit="off") as twenty,
    ):
        env = {**os.environ, "TWENTY_API_URL": sb.url, "TWENTY_API_KEY": sb.api_key}
        env.pop("TWENTY_WEBHOOK_SECRET", None)
        proc = await asyncio.create_subprocess_exec(
            *CLI,
            "webhooks",
            "listen",
            "--port",
            "0",
            "--register",
            "company.created,*.deleted",
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        assert proc.stdout is not None and proc.stderr is not None
        try:
            listening = await read_until(
                proc.stdout, r"listening on (http://\S+)\s+\(webhook (\S+)"
            )
            target, hook_id = listening.group(1), listening.group(2)
            [hook] = await twenty.webhooks.list()
            assert (hook.id, hook.target_url) == (hook_id, target)
            assert hook.operations == ("company.created", "*.deleted")

            created = await twenty.execute(
                'mutation { createCompany(data: {name: "Cli Co"}) { id } }'
            )
            record_id = created["createCompany"]["id"]
            await twenty.execute(f'mutation {{ deleteCompany(id: "{record_id}") {{ id }} }}')
            await read_until(proc.stdout, rf"^company\.created  {record_id}  -$")
            await read_until(proc.stdout, rf"^company\.deleted  {record_id}  deletedAt$")

            async with aiohttp.ClientSession() as http, http.post(target, data=b"{}") as answer:
                assert answer.status == 401
            await read_until(proc.stderr, r"refused \(401\): missing_header")
        finally:
            proc.send_signal(signal.SIGINT)
            async with asyncio.timeout(10):
                out, _ = await proc.communicate()
        assert proc.returncode == 0
        assert f"deleted webhook {hook_id}" in out.decode()
        assert await twenty.webhooks.list() == []


async def test_listen_without_a_secret_is_a_usage_error() -> None:
    env = {k: v for k, v in os.environ.items() if k != "TWENTY_WEBHOOK_SECRET"}
    proc = await asyncio.create_subprocess_exec(
        *CLI,
        "webhooks",
        "listen",
        "--port",
        "0",
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    async with asyncio.timeout(20):
        _, err = await proc.communicate()
    assert proc.returncode == 2
    assert "no secret: pass --secret or set TWENTY_WEBHOOK_SECRET" in err.decode()
