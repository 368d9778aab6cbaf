"""The README's DSL and OpenTelemetry examples, run as written against the sandbox."""

from __future__ import annotations

import textwrap
from typing import Any

import pytest
from opentelemetry import trace

from tests.test_readme import python_blocks
from twenty_gql.client import Twenty
from twenty_gql.sandbox import Sandbox


def block_with(marker: str) -> str:
    return next(block for block in python_blocks() if marker in block)


async def test_the_dsl_example_runs(twenty_sandbox: Sandbox) -> None:
    source = "async def example(twenty):\n" + textwrap.indent(block_with("twenty.dsl()"), "    ")
    source += "    return data\n"
    namespace: dict[str, Any] = {}
    exec(compile(source, "README.md", "exec"), namespace)
    async with Twenty(twenty_sandbox.url, twenty_sandbox.api_key, rate_limit="off") as twenty:
        data = await namespace["example"](twenty)
    edges = data["companies"]["edges"]
    assert len(edges) == 10
    assert all(set(edge["node"]) == {"name", "employees"} for edge in edges)


async def test_the_opentelemetry_example_prints_a_span_per_call(
    twenty_sandbox: Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    async with Twenty(twenty_sandbox.url, twenty_sandbox.api_key, rate_limit="off") as twenty:
        namespace: dict[str, Any] = {"twenty": twenty}
        exec(compile(block_with("instrument(twenty)"), "README.md", "exec"), namespace)
        await twenty.execute("query CountCompanies { companies { totalCount } }")
    provider = trace.get_tracer_provider()
    assert provider is namespace["provider"]
    provider.force_flush()  # type: ignore[attr-defined]
    printed = capsys.readouterr().out
    assert '"name": "query CountCompanies"' in printed
    assert '"kind": "SpanKind.CLIENT"' in printed
