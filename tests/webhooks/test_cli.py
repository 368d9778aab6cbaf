"""``twenty-gql webhooks listen`` as a user runs it: registers itself on the sandbox, prints
verified events, refuses the rest with 401, deletes its webhook on exit."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sys
import time
from pathlib import Path
from typing import Any

import aiohttp

from twenty_gql import Twenty
from twenty_gql.sandbox import Sandbox

CLI = [sys.executable, "-c", "from twenty_gql.cli import main; main()"]


async def listen(*args: str, env: dict[str, str]) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        *CLI,
        "webhooks",
        "listen",
        "--port",
        "0",
        *args,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


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
        proc = await listen("--register", "company.created,*.deleted", env=env)
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
    proc = await listen(env=env)
    async with asyncio.timeout(20):
        _, err = await proc.communicate()
    assert proc.returncode == 2
    assert "no secret: pass --secret or set TWENTY_WEBHOOK_SECRET" in err.decode()


async def test_the_readme_receiver_verifies_and_prints(monkeypatch: Any, capsys: Any) -> None:
    """The README's "React to changes" block, run as written (web.run_app swapped for a
    loopback site), receives a recorded delivery and prints its event."""
    from aiohttp import web

    from .recorded import SECRET, recorded_deliveries

    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme.split("### React to changes", 1)[1]
    block = re.search(r"```python\n(.*?)```", section, re.S)
    assert block is not None
    code = block.group(1)
    assert len([line for line in code.splitlines() if line.strip()]) < 10  # "under ten lines"
    served: list[web.Application] = []
    monkeypatch.setattr(web, "run_app", lambda app, **_: served.append(app))
    monkeypatch.setenv("TWENTY_WEBHOOK_SECRET", SECRET)
    exec(compile(code, "README.md", "exec"), {})
    [app] = served
    delivery = recorded_deliveries()[1]  # company.updated
    # The recorded delivery is older than max_age: sign it again, as Twenty would now.
    from twenty_gql.webhook_rules import signature

    now = str(int(time.time() * 1000))
    headers = {
        **delivery.headers,
        "X-Twenty-Webhook-Timestamp": now,
        "X-Twenty-Webhook-Signature": signature(SECRET, now, delivery.body),
    }
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        url = f"http://127.0.0.1:{runner.addresses[0][1]}/"
        async with aiohttp.ClientSession() as http:
            async with http.post(url, data=delivery.body, headers=headers) as answer:
                assert answer.status == 200
            async with http.post(url, data=delivery.body, headers=headers) as answer:
                assert answer.status == 401  # the same delivery again: replayed
    finally:
        await runner.cleanup()
    printed = capsys.readouterr().out
    assert (
        "company.updated f987e7ec-bbbf-49c5-81ee-195403af1beb ('employees', 'tagline')" in printed
    )
