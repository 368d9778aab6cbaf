"""The README's Python example, run as a new user would: against `twenty-gql sandbox`."""

from __future__ import annotations

import asyncio
import os
import re
import sys
from pathlib import Path

import aiohttp

from tests.sandbox.test_cli import start, stop

README = Path(__file__).parent.parent / "README.md"


def python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)


async def test_the_usage_example_runs_against_the_sandbox(tmp_path: Path) -> None:
    example = next(block for block in python_blocks() if "Twenty.from_env()" in block)
    script = tmp_path / "example.py"
    script.write_text(example, encoding="utf-8")
    proc, url, key = await start("--rate-limit", "off")
    try:
        # The example queries a custom object created after codegen: create it first.
        headers = {"Authorization": f"Bearer {key}"}
        async with aiohttp.ClientSession(headers=headers) as session:
            names = {"nameSingular": "invoice", "namePlural": "invoices"}
            labels = {"labelSingular": "Invoice", "labelPlural": "Invoices"}
            mutation = (
                "mutation($input: CreateOneObjectInput!) { createOneObject(input: $input) { id } }"
            )
            body = {"query": mutation, "variables": {"input": {"object": {**names, **labels}}}}
            async with session.post(url + "/metadata", json=body) as response:
                assert "errors" not in await response.json()
        env = {**os.environ, "TWENTY_API_URL": url, "TWENTY_API_KEY": key}
        run = await asyncio.create_subprocess_exec(
            sys.executable,
            str(script),
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        async with asyncio.timeout(60):
            out, err = await run.communicate()
    finally:
        await stop(proc)
    assert run.returncode == 0, err.decode()
    lines = out.decode().splitlines()
    # The example prints the first page of companies: an id and a name each.
    assert len(lines) == 10
    assert all(re.fullmatch(r"[0-9a-f-]{36} .+", line) for line in lines)
