"""OpenTelemetry spans and metrics of a client talking to the sandbox over loopback, read from the
SDK's in-memory exporter and metric reader."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode

from twenty_gql import errors as e
from twenty_gql.client import Twenty
from twenty_gql.events import Event, RequestEvent
from twenty_gql.io.exporter import run_export
from twenty_gql.io.schema_source import load_schema
from twenty_gql.profiles import CLOUD
from twenty_gql.retry import RetryPolicy
from twenty_gql.sandbox import FaultConfig, Sandbox
from twenty_gql.telemetry import instrument, job_span

FAST = RetryPolicy(max_attempts=3, base_delay=0.001, max_delay=0.002)
COUNT = "query CountCompanies { companies { totalCount } }"


@dataclass
class Otel:
    spans: InMemorySpanExporter
    metrics: InMemoryMetricReader
    tracer_provider: TracerProvider
    meter_provider: MeterProvider

    def finished(self) -> list[ReadableSpan]:
        return list(self.spans.get_finished_spans())

    def metric(self, name: str) -> dict[tuple[tuple[str, Any], ...], float]:
        """The points of one metric: sorted attributes -> value (sum, or count of a histogram)."""
        data = self.metrics.get_metrics_data()
        points: dict[tuple[tuple[str, Any], ...], float] = {}
        assert data is not None
        for resource in data.resource_metrics:
            for scope in resource.scope_metrics:
                for metric in scope.metrics:
                    if metric.name != name:
                        continue
                    for point in metric.data.data_points:
                        key = tuple(sorted((point.attributes or {}).items()))
                        points[key] = getattr(point, "value", None) or getattr(point, "count", 0)
        return points


@pytest.fixture
def otel() -> Iterator[Otel]:
    spans = InMemorySpanExporter()
    tracer_provider = TracerProvider()
    tracer_provider.add_span_processor(SimpleSpanProcessor(spans))
    reader = InMemoryMetricReader()
    meter_provider = MeterProvider(metric_readers=[reader])
    yield Otel(spans, reader, tracer_provider, meter_provider)
    tracer_provider.shutdown()
    meter_provider.shutdown()


@pytest.fixture
async def twenty(twenty_sandbox: Sandbox, otel: Otel) -> AsyncIterator[Twenty]:
    async with Twenty(twenty_sandbox.url, twenty_sandbox.api_key, rate_limit="off") as client:
        instrument(client, tracer_provider=otel.tracer_provider, meter_provider=otel.meter_provider)
        yield client


async def test_a_call_is_one_client_span_named_after_its_operation(
    twenty: Twenty, twenty_sandbox: Sandbox, otel: Otel
) -> None:
    tracer = otel.tracer_provider.get_tracer("app")
    with tracer.start_as_current_span("handler") as parent:
        page = await twenty.core.list_companies(first=2)
        await twenty.execute(COUNT)
    assert len(page.companies.edges) == 2

    listed, counted, handler = otel.finished()
    assert handler.name == "handler"
    assert listed.name == "query ListCompanies"
    assert counted.name == "query CountCompanies"  # the name read from the document
    for span in (listed, counted):
        assert span.kind is SpanKind.CLIENT
        assert span.parent is not None
        assert span.parent.span_id == parent.get_span_context().span_id
        assert span.status.status_code is StatusCode.UNSET
        attributes = dict(span.attributes or {})
        assert attributes["graphql.operation.type"] == "query"
        assert attributes["http.request.method"] == "POST"
        assert attributes["url.full"] == twenty_sandbox.url + "/graphql"
        assert attributes["server.address"] == "127.0.0.1"
        assert attributes["server.port"] == twenty_sandbox.port
        assert attributes["http.response.status_code"] == 200
        assert attributes["http.request.resend_count"] == 0
        assert attributes["twenty.attempts"] == 1
        # Nothing of the request's content, nor the key.
        assert twenty_sandbox.api_key not in repr(attributes)
        assert "companies" not in repr(attributes)
    assert dict(listed.attributes or {})["graphql.operation.name"] == "ListCompanies"

    calls = otel.metric("twenty.client.calls")
    assert (
        calls[
            (
                ("graphql.operation.name", "ListCompanies"),
                ("graphql.operation.type", "query"),
                ("twenty.endpoint", "/graphql"),
                ("twenty.outcome", "ok"),
            )
        ]
        == 1
    )
    assert sum(otel.metric("twenty.client.call.duration").values()) == 2


async def test_retries_are_span_events_and_a_final_failure_carries_its_codes(
    otel: Otel,
) -> None:
    faults = FaultConfig(error_5xx=1.0)
    async with (
        Sandbox.start(port=0, rate_limit=None, faults=faults) as sb,
        Twenty(sb.url, sb.api_key, rate_limit="off", retry=FAST) as twenty,
    ):
        instrument(twenty, tracer_provider=otel.tracer_provider, meter_provider=otel.meter_provider)
        with pytest.raises(e.ServerError):
            await twenty.execute(COUNT)
        with pytest.raises(e.BadInputError):
            await twenty.execute('query Bad { companies(first: "x") { totalCount } }')

    failed, bad = otel.finished()
    assert failed.status.status_code is StatusCode.ERROR
    attributes = dict(failed.attributes or {})
    assert attributes["twenty.attempts"] == 3
    assert attributes["http.request.resend_count"] == 2
    assert attributes["http.response.status_code"] in (500, 502)
    assert attributes["error.type"] == "ServerError"
    retries = [event for event in failed.events if event.name == "twenty.retry"]
    assert [dict(event.attributes or {})["twenty.attempt"] for event in retries] == [1, 2]
    assert all(dict(ev.attributes or {})["error.type"] == "ServerError" for ev in retries)
    assert [event.name for event in failed.events][-1] == "exception"

    bad_attributes = dict(bad.attributes or {})
    assert bad.status.status_code is StatusCode.ERROR
    assert bad_attributes["error.type"] == "BadInputError"
    assert bad_attributes["twenty.error.code"] == "BAD_USER_INPUT"
    assert bad_attributes["twenty.attempts"] == 1
    assert sum(otel.metric("twenty.client.retries").values()) == 2
    outcomes = {dict(key)["twenty.outcome"] for key in otel.metric("twenty.client.calls")}
    assert outcomes == {"ServerError", "BadInputError"}


async def test_throttle_waits_are_span_events_and_counted(otel: Otel) -> None:
    calls, window = 3, 0.3
    profile = replace(CLOUD, calls_per_window=calls, window_seconds=window)
    async with (
        Sandbox.start(port=0, rate_limit=(calls, window)) as sb,
        # No client-side limit: everything at once, so the server throttles.
        Twenty(sb.url, sb.api_key, profile=profile, rate_limit="off") as twenty,
    ):
        instrument(twenty, tracer_provider=otel.tracer_provider, meter_provider=otel.meter_provider)
        await asyncio.gather(*(twenty.execute(COUNT) for _ in range(8)))

    spans = otel.finished()
    assert len(spans) == 8
    waits = [ev for span in spans for ev in span.events if ev.name == "twenty.throttle"]
    assert len(waits) == sb.stats["throttled"] == twenty.runtime.throttled > 0
    assert all(dict(ev.attributes or {})["twenty.throttle.wait_s"] > 0 for ev in waits)
    assert all(span.status.status_code is StatusCode.UNSET for span in spans)
    assert sum(otel.metric("twenty.client.throttles").values()) == len(waits)


async def test_upsert_many_is_a_job_span_over_its_calls(twenty: Twenty, otel: Otel) -> None:
    rows = [
        {"name": f"Otel {i}", "domainName": {"primaryLinkUrl": f"otel{i}.example"}}
        for i in range(130)
    ]
    rows.append({"name": "Bad", "employees": "many"})
    result = await twenty.upsert_many("company", rows)
    assert result.stats.created == 130 and result.stats.failed == 1

    spans = otel.finished()
    job = next(span for span in spans if span.name == "twenty.upsert_many company")
    calls = [span for span in spans if span.parent and span.parent.span_id == job.context.span_id]
    attributes = dict(job.attributes or {})
    assert attributes["twenty.job.kind"] == "upsert_many"
    assert attributes["twenty.job.rows"] == 131
    assert attributes["twenty.job.created"] == 130
    assert attributes["twenty.job.failed"] == 1
    assert attributes["twenty.job.calls"] == len(calls)
    # The job's own count leaves out the /metadata look-up of the object's unique fields.
    records_calls = [c for c in calls if dict(c.attributes or {})["twenty.endpoint"] == "/graphql"]
    assert len(records_calls) == result.stats.calls == len(calls) - 1
    assert attributes["twenty.job.throttles"] == 0
    assert all(span.kind is SpanKind.CLIENT for span in calls)
    records = otel.metric("twenty.client.records")
    assert records[(("twenty.object", "company"), ("twenty.record.status", "created"))] == 130
    assert records[(("twenty.object", "company"), ("twenty.record.status", "failed"))] == 1


async def test_job_span_around_an_export_counts_its_calls_and_rows(
    twenty: Twenty, otel: Otel, tmp_path: Path
) -> None:
    schema = await load_schema(twenty.settings, None)
    otel.spans.clear()
    async with job_span("export", "company", tracer_provider=otel.tracer_provider) as set_rows:
        report = await run_export(twenty, schema, "company", tmp_path / "c.jsonl", page_size=7)
        set_rows(report.rows)
    *calls, job = otel.finished()
    attributes = dict(job.attributes or {})
    assert job.name == "twenty.export company"
    assert attributes["twenty.job.kind"] == "export"
    assert attributes["twenty.job.rows"] == report.rows == 20
    assert attributes["twenty.job.calls"] == len(calls) == report.calls == 4  # count + 3 pages
    assert all(call.parent and call.parent.span_id == job.context.span_id for call in calls)


async def test_an_event_kind_it_does_not_know_still_lands_on_the_call(
    twenty: Twenty, otel: Otel
) -> None:
    @dataclass(frozen=True)
    class BudgetWaitEvent:  # what a newer runtime might emit
        endpoint: str
        waited: float
        shared: bool

    def also_emit(event: Event) -> None:
        if isinstance(event, RequestEvent):
            twenty.events.emit(BudgetWaitEvent(event.endpoint, 0.25, True))  # type: ignore[arg-type]

    twenty.events.subscribe(also_emit)
    await twenty.execute(COUNT)
    (span,) = otel.finished()
    (event,) = [ev for ev in span.events if ev.name == "twenty.BudgetWaitEvent"]
    assert dict(event.attributes or {}) == {
        "twenty.endpoint": "/graphql",
        "twenty.waited": 0.25,
        "twenty.shared": True,
    }


async def test_undo_leaves_the_client_as_it_was(twenty_sandbox: Sandbox, otel: Otel) -> None:
    async with Twenty(twenty_sandbox.url, twenty_sandbox.api_key, rate_limit="off") as twenty:
        send, upsert_many = twenty.runtime.send, twenty.upsert_many
        undo = instrument(twenty, tracer_provider=otel.tracer_provider)
        await twenty.execute(COUNT)
        undo()
        assert twenty.runtime.send == send and twenty.upsert_many == upsert_many
        assert not twenty.events.has_subscribers
        await twenty.execute(COUNT)
    assert len(otel.finished()) == 1
