"""The README's DSL and OpenTelemetry examples, run as written against the sandbox."""

from __future__ import annotations

import textwrap
from typing import Any

from opentelemetry import trace
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

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


async def test_the_opentelemetry_example_traces_the_client_globally(
    twenty_sandbox: Sandbox,
) -> None:
    async with Twenty(twenty_sandbox.url, twenty_sandbox.api_key, rate_limit="off") as twenty:
        namespace: dict[str, Any] = {"twenty": twenty}
        exec(compile(block_with("instrument(twenty)"), "README.md", "exec"), namespace)
        provider = namespace["provider"]
        # Once set, the global provider stays: a second in-memory exporter reads what it sends
        # (the example's ConsoleSpanExporter writes to the stdout of when it was imported).
        assert trace.get_tracer_provider() is provider
        spans = InMemorySpanExporter()
        provider.add_span_processor(SimpleSpanProcessor(spans))
        await twenty.execute("query CountCompanies { companies { totalCount } }")
    provider.shutdown()  # flush the example's console exporter while stdout is still open
    (span,) = spans.get_finished_spans()
    assert span.name == "query CountCompanies"
    assert span.kind is SpanKind.CLIENT
