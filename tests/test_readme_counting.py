"""The README's "Counting, grouping and searching" example, run against the sandbox."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path
from typing import Any

from twenty_gql.client import Twenty
from twenty_gql.sandbox import Sandbox

README = Path(__file__).parent.parent / "README.md"


def _example() -> str:
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    return next(block for block in blocks if "group_companies" in block)


async def test_the_counting_example_runs(twenty_sandbox: Sandbox, capsys: Any) -> None:
    async with Twenty(twenty_sandbox.url, twenty_sandbox.api_key, rate_limit="off") as twenty:
        made = await twenty.execute(
            'mutation { createCompanies(data: [{name: "Acme One", employees: 10,'
            ' address: {addressCity: "Lyon"}}, {name: "Acme One"}]) { id } }'
        )
        company_id, other_id = (c["id"] for c in made["createCompanies"])
        source = "async def example(twenty, company_id, other_id):\n" + textwrap.indent(
            _example(), "    "
        )
        namespace: dict[str, Any] = {}
        exec(compile(source, "README.md", "exec"), namespace)
        await namespace["example"](twenty, company_id, other_id)
    printed = capsys.readouterr().out.splitlines()
    assert any(line.startswith("company Acme One") for line in printed)
    assert any(line.startswith("['Lyon'] 1 10") for line in printed)
