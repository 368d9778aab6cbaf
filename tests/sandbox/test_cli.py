"""``twenty-gql sandbox`` as a new user runs it: start, read the printed URL and key, call it."""

from __future__ import annotations

import asyncio
import re
import signal
import subprocess
import sys
from pathlib import Path

import aiohttp
import pytest
from typer.testing import CliRunner

from twenty_gql.cli import app
from twenty_gql.cli.sandbox import parse_rate_limit

CLI = [sys.executable, "-c", "from twenty_gql.cli import main; main()"]


async def start(*args: str) -> tuple[asyncio.subprocess.Process, str, str]:
    proc = await asyncio.create_subprocess_exec(
        *CLI,
        "sandbox",
        "--port",
        "0",
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    assert proc.stdout is not None
    url = key = ""
    async with asyncio.timeout(20):
        while not (url and key):
            line = (await proc.stdout.readline()).decode()
            assert line, (await proc.stderr.read()).decode() if proc.stderr else "no output"
            if m := re.search(r"serving on (http://\S+)", line):
                url = m.group(1)
            if m := re.search(r"API key:\s+(\S+)", line):
                key = m.group(1)
    return proc, url, key


async def stop(proc: asyncio.subprocess.Process) -> str:
    proc.send_signal(signal.SIGINT)
    async with asyncio.timeout(10):
        out, _ = await proc.communicate()
    assert proc.returncode == 0
    return out.decode()


async def test_new_user_lists_companies_then_adds_a_custom_object(tmp_path: Path) -> None:
    proc, url, key = await start("--db", str(tmp_path / "s.db"), "--rate-limit", "50/1")
    try:
        headers = {"Authorization": f"Bearer {key}"}
        async with aiohttp.ClientSession(headers=headers) as session:
            async with session.post(
                url + "/graphql",
                json={"query": "{ companies(first: 5) { totalCount edges { node { name } } } }"},
            ) as r:
                body = await r.json()
            assert r.status == 200
            assert body["data"]["companies"]["totalCount"] == 20
            assert len(body["data"]["companies"]["edges"]) == 5
            create_object = {
                "query": "mutation($i: CreateOneObjectInput!) "
                "{ createOneObject(input: $i) { id } }",
                "variables": {
                    "i": {
                        "object": {
                            "nameSingular": "rocket",
                            "namePlural": "rockets",
                            "labelSingular": "Rocket",
                            "labelPlural": "Rockets",
                        }
                    }
                },
            }
            async with session.post(url + "/metadata", json=create_object) as r:
                created = await r.json()
            assert "errors" not in created, created
            use = {"query": 'mutation { createRocket(data: {name: "Falcon"}) { id name } }'}
            async with session.post(url + "/graphql", json=use) as r:
                made = await r.json()
            assert made["data"]["createRocket"]["name"] == "Falcon"
            async with session.post(
                url + "/graphql", json={"query": "{ rockets { totalCount } }"}
            ) as r:
                assert (await r.json())["data"]["rockets"]["totalCount"] == 1
    finally:
        output = await stop(proc)
    assert "Sandbox stopped." in output


async def test_read_only_key_is_printed_and_refused_for_writes() -> None:
    proc, url, _ = await start("--read-only-key", "--seed", "empty")
    try:
        assert proc.stdout is not None
        line = (await proc.stdout.readline()).decode()
        read_only = re.search(r"Read-only API key:\s+(\S+)", line)
        assert read_only, line
        headers = {"Authorization": f"Bearer {read_only.group(1)}"}
        async with aiohttp.ClientSession(headers=headers) as session:
            async with session.post(
                url + "/graphql",
                json={"query": 'mutation { createCompany(data: {name: "x"}) { id } }'},
            ) as r:
                body = await r.json()
            assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
            async with session.post(
                url + "/graphql", json={"query": "{ companies { totalCount } }"}
            ) as r:
                assert (await r.json())["data"]["companies"]["totalCount"] == 0
    finally:
        await stop(proc)


def test_refuses_remote_host_without_flag() -> None:
    result = CliRunner().invoke(app, ["sandbox", "--host", "0.0.0.0"])
    assert result.exit_code == 2
    assert "--allow-remote" in result.output


def test_rate_limit_option_parsing() -> None:
    assert parse_rate_limit("100/60") == (100, 60.0)
    assert parse_rate_limit("5/2.5") == (5, 2.5)
    assert parse_rate_limit("off") is None
    assert parse_rate_limit("5/2, 12/30") == [(5, 2.0), (12, 30.0)]  # short and long buckets
    result = CliRunner().invoke(app, ["sandbox", "--rate-limit", "lots"])
    assert result.exit_code == 2
    assert "N/SECONDS" in result.output
    result = CliRunner().invoke(app, ["sandbox", "--rate-limit", "5/2,12/0"])
    assert result.exit_code == 2
    assert "'12/0'" in result.output  # the bucket at fault is named


def test_cli_subprocess_help_lists_sandbox() -> None:
    out = subprocess.run([*CLI, "--help"], capture_output=True, text=True, check=True).stdout
    assert "sandbox" in out


@pytest.mark.parametrize(
    "bad", [["--seed", "lots"], ["--profile", "moon"], ["--rate-limit-style", "polite"]]
)
def test_bad_choices_are_named(bad: list[str]) -> None:
    result = CliRunner().invoke(app, ["sandbox", *bad])
    assert result.exit_code == 2
    assert bad[0] in result.output
