"""OpenTelemetry for a ``Twenty``: a span per GraphQL call, a span per batch job, and metrics.

Needs the extra: ``pip install 'twenty-gql[otel]'``. Nothing here runs until :func:`instrument` is
called on a client, so a client that is not instrumented pays nothing: no wrapper, no subscriber
(``bench/bench_client.py --otel`` and ``bench/bench_telemetry.py`` measure both in one run)::

    from twenty_gql.telemetry import instrument
    undo = instrument(twenty)        # the global tracer and meter providers, unless given

CONTRACT
- One CLIENT span per GraphQL call, retries included: name ``"{type} {operationName}"``
  (``"query ListCompanies"``); attributes after the GraphQL and HTTP semantic conventions:
  ``graphql.operation.type``, ``graphql.operation.name``, ``http.request.method``, ``url.full``,
  ``server.address``, ``server.port``, ``http.response.status_code`` (of the last attempt),
  ``http.request.resend_count`` (attempts - 1), plus ``twenty.endpoint`` and ``twenty.attempts``.
  Every throttle (``twenty.throttle``: the wait before the next attempt) and retry
  (``twenty.retry``: the error and the delay) is a span event. A call that fails for good has
  status ERROR, ``error.type`` (the exception's class), ``twenty.error.code`` and
  ``twenty.error.sub_code``, and the exception recorded. The query text, variables and answers
  are never recorded; nor is the API key.
- A job span (INTERNAL, ``"twenty.upsert_many company"``) around ``twenty.upsert_many`` holds
  the calls inside it as children and says ``twenty.job.rows``, ``.created``, ``.updated``,
  ``.failed``, ``.calls`` (HTTP requests, retries included), ``.throttles`` and ``.retries``.
  :func:`job_span` opens the same span around anything else (an import, an export) and takes
  its row count.
- Metrics (meter ``twenty_gql``): ``twenty.client.calls`` (by operation and outcome),
  ``twenty.client.call.duration`` (s), ``twenty.client.throttles``, ``twenty.client.retries``,
  ``twenty.client.records`` (rows a job created / updated / failed, by object).
- Built on the runtime's public events (:mod:`twenty_gql.events`); the call's boundaries come
  from wrapping this client's ``runtime.send``/``send_for``/``send_raw`` (the events say what
  happened inside a call, not where one call ends when it fails for good). An event kind this
  module does not know (a newer runtime's) still becomes a span event on the call it happened
  in, named after its class, with its scalar fields.
"""

from __future__ import annotations

import contextlib
import dataclasses
import importlib.metadata
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache, wraps
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

try:
    from opentelemetry import metrics, trace
    from opentelemetry.trace import SpanKind, Status, StatusCode
except ImportError as missing:  # pragma: no cover - depends on the installed extras
    raise ImportError(
        "twenty_gql.telemetry needs OpenTelemetry: pip install 'twenty-gql[otel]'"
    ) from missing
from graphql import GraphQLError, get_operation_ast, parse

from twenty_gql.errors import TwentyError
from twenty_gql.events import (
    ConsumptionEvent,
    Event,
    RequestEvent,
    ResponseEvent,
    RetryEvent,
    ThrottleEvent,
)

if TYPE_CHECKING:
    from twenty_gql.client import Twenty

__all__ = ["instrument", "job_span"]

SCOPE = "twenty_gql"
_VERSION = importlib.metadata.version("twenty-gql")


@dataclass(slots=True)
class _Call:
    span: trace.Span
    attempts: int = 0
    status: int | None = None


@dataclass(slots=True)
class _Job:
    span: trace.Span
    calls: int = 0
    throttles: int = 0
    retries: int = 0
    rows: int | None = None


_CALL: ContextVar[_Call | None] = ContextVar("twenty_gql_otel_call", default=None)
_JOB: ContextVar[_Job | None] = ContextVar("twenty_gql_otel_job", default=None)


@lru_cache(maxsize=1024)
def _operation(query: str, name: str | None) -> tuple[str, str | None]:
    """(operation type, operation name) of the operation a call selects; parsed once per text."""
    try:
        node = get_operation_ast(parse(query), name)
    except GraphQLError:
        node = None
    if node is None:
        return "unknown", name
    return node.operation.value, name or (node.name.value if node.name else None)


class _Instruments:
    """The tracer and the metric instruments of one instrumented client."""

    def __init__(
        self,
        tracer_provider: trace.TracerProvider | None,
        meter_provider: metrics.MeterProvider | None,
    ) -> None:
        self.tracer = trace.get_tracer(SCOPE, _VERSION, tracer_provider)
        meter = metrics.get_meter(SCOPE, _VERSION, meter_provider)
        self.calls = meter.create_counter(
            "twenty.client.calls", "{call}", "GraphQL calls, by operation and outcome"
        )
        self.duration = meter.create_histogram(
            "twenty.client.call.duration", "s", "Duration of GraphQL calls, retries included"
        )
        self.throttles = meter.create_counter(
            "twenty.client.throttles", "{throttle}", "Answers that said the budget was spent"
        )
        self.retries = meter.create_counter(
            "twenty.client.retries", "{retry}", "Failed attempts that were sent again"
        )
        self.records = meter.create_counter(
            "twenty.client.records", "{record}", "Rows written by batch jobs, by outcome"
        )


def _event_attributes(event: object) -> dict[str, str | int | float | bool]:
    """The scalar fields of an event this module has no special case for."""
    if not dataclasses.is_dataclass(event):
        return {}
    return {
        f"twenty.{f.name}": value
        for f in dataclasses.fields(event)
        if isinstance(value := getattr(event, f.name), str | int | float | bool)
    }


class _Tracing:
    def __init__(self, twenty: Twenty, instruments: _Instruments) -> None:
        self.instruments = instruments
        base = urlsplit(twenty.runtime.base_url)
        self.base_url = twenty.runtime.base_url
        self.server = {"server.address": base.hostname or "", "server.port": base.port or 443}

    def on_event(self, event: Event) -> None:
        call = _CALL.get()
        job = _JOB.get()
        if isinstance(event, RequestEvent):
            if call is not None:
                call.attempts = event.attempt
            if job is not None:
                job.calls += 1
        elif isinstance(event, ResponseEvent):
            if call is not None:
                call.status = event.status
        elif isinstance(event, ThrottleEvent):
            attributes = {"graphql.operation.name": event.operation_name or ""}
            self.instruments.throttles.add(1, attributes)
            if job is not None:
                job.throttles += 1
            if call is not None:
                call.span.add_event(
                    "twenty.throttle",
                    {"twenty.attempt": event.attempt, "twenty.throttle.wait_s": event.delay},
                )
        elif isinstance(event, RetryEvent):
            self.instruments.retries.add(1, {"error.type": event.error})
            if job is not None:
                job.retries += 1
            if call is not None:
                call.span.add_event(
                    "twenty.retry",
                    {
                        "twenty.attempt": event.attempt,
                        "twenty.retry.delay_s": event.delay,
                        "error.type": event.error,
                    },
                )
        elif isinstance(event, ConsumptionEvent):
            pass  # the budget's own meter: what the calls counter already counts
        elif call is not None:
            call.span.add_event(f"twenty.{type(event).__name__}", _event_attributes(event))

    @contextlib.contextmanager
    def call(self, endpoint: str, query: str, operation_name: str | None) -> Iterator[None]:
        """The span and metrics of one call (its attempts, throttles and retries included)."""
        op_type, op_name = _operation(query, operation_name)
        attributes: dict[str, Any] = {
            "graphql.operation.type": op_type,
            "http.request.method": "POST",
            "url.full": self.base_url + endpoint,
            "twenty.endpoint": endpoint,
            **self.server,
        }
        if op_name:
            attributes["graphql.operation.name"] = op_name
        instruments = self.instruments
        with instruments.tracer.start_as_current_span(
            f"{op_type} {op_name}" if op_name else op_type,
            kind=SpanKind.CLIENT,
            attributes=attributes,
            record_exception=False,
            set_status_on_exception=False,
        ) as span:
            call = _Call(span)
            token = _CALL.set(call)
            started = time.perf_counter()
            outcome = "ok"
            try:
                yield
            except BaseException as error:
                outcome = type(error).__name__
                span.set_attribute("error.type", outcome)
                if isinstance(error, TwentyError):
                    if error.code:
                        span.set_attribute("twenty.error.code", error.code)
                    if error.sub_code:
                        span.set_attribute("twenty.error.sub_code", error.sub_code)
                span.record_exception(error)
                span.set_status(Status(StatusCode.ERROR, outcome))
                raise
            finally:
                _CALL.reset(token)
                if call.status is not None:
                    span.set_attribute("http.response.status_code", call.status)
                span.set_attribute("twenty.attempts", call.attempts)
                span.set_attribute("http.request.resend_count", max(0, call.attempts - 1))
                metric = {
                    "graphql.operation.type": op_type,
                    "graphql.operation.name": op_name or "",
                    "twenty.endpoint": endpoint,
                    "twenty.outcome": outcome,
                }
                instruments.calls.add(1, metric)
                instruments.duration.record(time.perf_counter() - started, metric)


@contextlib.contextmanager
def _job(tracer: trace.Tracer, kind: str, object_name: str) -> Iterator[_Job]:
    attributes = {"twenty.job.kind": kind, "twenty.object": object_name}
    with tracer.start_as_current_span(
        f"twenty.{kind} {object_name}", attributes=attributes
    ) as span:
        job = _Job(span)
        token = _JOB.set(job)
        try:
            yield job
        finally:
            _JOB.reset(token)
            span.set_attributes(
                {
                    "twenty.job.calls": job.calls,
                    "twenty.job.throttles": job.throttles,
                    "twenty.job.retries": job.retries,
                }
            )
            if job.rows is not None:
                span.set_attribute("twenty.job.rows", job.rows)


@contextlib.asynccontextmanager
async def job_span(
    kind: str, object_name: str, *, tracer_provider: trace.TracerProvider | None = None
) -> AsyncIterator[Callable[[int], None]]:
    """A job span around any work on an instrumented client (an import, an export)::

    async with job_span("import", "company") as set_rows:
        report = await run_import(twenty, schema, options)
        set_rows(report.result.stats.rows)
    """
    tracer = trace.get_tracer(SCOPE, _VERSION, tracer_provider)
    with _job(tracer, kind, object_name) as job:

        def set_rows(rows: int) -> None:
            job.rows = rows

        yield set_rows


_SENDS = ("send", "send_for", "send_raw")
"""The runtime's ways to make one call; ``send_for`` takes the result type first."""
_CALL_PARAMETERS = ("endpoint", "query", "operation_name")


def _traced(tracing: _Tracing, send: Callable[..., Any]) -> Callable[..., Any]:
    """``send`` inside a call span; callers may pass any parameter by keyword."""

    @wraps(send)
    async def traced(*args: Any, **options: Any) -> Any:
        positional = args[1:] if args and not isinstance(args[0], str) else args
        named = dict(zip(_CALL_PARAMETERS, positional, strict=False))
        named.update({key: options[key] for key in _CALL_PARAMETERS if key in options})
        with tracing.call(named["endpoint"], named["query"], named.get("operation_name")):
            return await send(*args, **options)

    return traced


def instrument(
    twenty: Twenty,
    *,
    tracer_provider: trace.TracerProvider | None = None,
    meter_provider: metrics.MeterProvider | None = None,
) -> Callable[[], None]:
    """Trace and meter every call ``twenty`` makes; returns a function that undoes it."""
    instruments = _Instruments(tracer_provider, meter_provider)
    tracing = _Tracing(twenty, instruments)
    runtime = twenty.runtime
    unsubscribe = runtime.events.subscribe(tracing.on_event)
    for attribute in _SENDS:
        setattr(runtime, attribute, _traced(tracing, getattr(runtime, attribute)))
    upsert_many = twenty.upsert_many

    @wraps(upsert_many)
    async def traced_upsert_many(object_name: Any, rows: Any, **options: Any) -> Any:
        name = getattr(object_name, "singular", object_name)
        with _job(instruments.tracer, "upsert_many", str(name)) as job:
            result = await upsert_many(object_name, rows, **options)
            stats = result.stats
            job.rows = stats.rows
            job.span.set_attributes(
                {
                    "twenty.job.created": stats.created,
                    "twenty.job.updated": stats.updated,
                    "twenty.job.failed": stats.failed,
                }
            )
            for status in ("created", "updated", "failed"):
                count = getattr(stats, status)
                if count:
                    instruments.records.add(
                        count, {"twenty.object": str(name), "twenty.record.status": status}
                    )
            return result

    twenty.upsert_many = traced_upsert_many  # type: ignore[method-assign]

    def undo() -> None:
        unsubscribe()
        for attribute in _SENDS:
            vars(runtime).pop(attribute, None)
        vars(twenty).pop("upsert_many", None)

    return undo
