"""Time per 60-record upsert call: the typed client vs raw aiohttp + json vs gql 4.

Run: .venv/bin/python bench/bench_client.py [--calls 300] [--rounds 5]

One canned aiohttp server (in a child process, so its work does not share the client's loop)
answers every POST with the same recorded 60-record createCompanies answer (transcript 30's ids
and names in the shape of the generated ``CompanyFields`` fragment). Each variant sends the same
60 ``CompanyCreateInput`` records with ``upsert: true``:

- typed: ``twenty.core.create_companies(data=[...], upsert=True)``: encode (pydantic-core
  writes the generated inputs by alias, unset fields left out), send, read, validate the
  answer's bytes into the generated models (pydantic-core parses the JSON itself; an answer with
  errors would be decoded and classified) (rate limit off: the limiter's job is to wait, not to
  be measured).
- runtime_execute: ``twenty.execute(query, variables)`` with the same records as plain dicts:
  the runtime alone (limiter off, retry, classification, events), no pydantic either way.
- raw: ``session.post(data=json.dumps(payload))`` + ``json.loads`` on one aiohttp session.
- gql (execute_async): gql 4 ``Client(schema=schema/core.graphql).execute_async`` with schema
  validation; it opens its transport on every call, as that API does.
- gql (session): the same client, connected once, ``session.execute`` per call.

With ``--otel`` (needs ``twenty-gql[otel]``), one more variant: typed_otel, the typed call on a
second client that :func:`twenty_gql.telemetry.instrument` traced and metered (an SDK
TracerProvider with a BatchSpanProcessor whose exporter drops the spans, and an SDK
MeterProvider), printed as a ratio to typed, which in that run is "installed, not enabled": the
OpenTelemetry SDK is imported but its client was never instrumented.

Variants run interleaved in rounds, after 20 warm-up calls each; each figure is the median over
rounds of the mean per call. typed, runtime_execute and raw each reuse one pooled keep-alive
session against the same server, send the same records and read the same answer; raw really
encodes (``json.dumps``) and decodes (``json.loads``) on every call.

The ratio's denominator is mostly HTTP time, which moves with the machine's load, while the
typed call's extra work is in-process: read the "typed - raw, by cause" lines (microseconds)
as well as the ratio.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import multiprocessing
import statistics
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.runtime.records import recorded_companies  # noqa: E402
from twenty_gql.client import Twenty  # noqa: E402

KEY = "bench-key-not-a-secret"


def _serve(port_queue: multiprocessing.Queue[int], answer: bytes) -> None:
    async def handle(request: web.Request) -> web.Response:
        await request.read()
        return web.Response(body=answer, content_type="application/json")

    async def main() -> None:
        app = web.Application()
        app.router.add_post("/graphql", handle)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None
        port_queue.put(server.sockets[0].getsockname()[1])  # type: ignore[union-attr]
        await asyncio.Event().wait()

    asyncio.run(main())


@contextlib.contextmanager
def canned_server() -> Iterator[str]:
    """The canned server in a child process, for as long as the block runs: its base URL."""
    answer = json.dumps({"data": {"createCompanies": recorded_companies(60)}}).encode()
    ctx = multiprocessing.get_context("spawn")
    ports: multiprocessing.Queue[int] = ctx.Queue()
    server = ctx.Process(target=_serve, args=(ports, answer), daemon=True)
    server.start()
    try:
        yield f"http://127.0.0.1:{ports.get(timeout=30)}"
    finally:
        server.terminate()
        server.join()


def _inputs() -> tuple[list[Any], list[dict[str, Any]]]:
    from twenty_gql.generated.core.input_types import CompanyCreateInput

    models = [
        CompanyCreateInput.model_validate(
            {
                "name": record["name"],
                "domainName": {"primaryLinkUrl": record["domainName"]["primaryLinkUrl"]},
                "employees": 10 + i,
                "address": {"addressCity": "Paris", "addressCountry": "France"},
                "tagline": "bench",
            }
        )
        for i, record in enumerate(recorded_companies(60))
    ]
    plain = [m.model_dump(by_alias=True, exclude_unset=True) for m in models]
    return models, plain


async def _measure(calls: int, fn: Callable[[], Awaitable[object]]) -> float:
    start = time.perf_counter()
    for _ in range(calls):
        await fn()
    return (time.perf_counter() - start) / calls


def _otel_client(url: str) -> Twenty:
    """A client traced and metered by an SDK whose exporter drops what it is given."""
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.metrics.export import InMemoryMetricReader
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter, SpanExportResult

    from twenty_gql.telemetry import instrument

    class Dropped(SpanExporter):
        def export(self, spans: Any) -> SpanExportResult:
            return SpanExportResult.SUCCESS

    tracer_provider = TracerProvider()
    tracer_provider.add_span_processor(BatchSpanProcessor(Dropped()))
    meter_provider = MeterProvider(metric_readers=[InMemoryMetricReader()])
    twenty = Twenty(url, KEY, rate_limit="off")
    instrument(twenty, tracer_provider=tracer_provider, meter_provider=meter_provider)
    return twenty


async def run(url: str, calls: int, rounds: int, otel: bool = False) -> dict[str, float]:
    from gql import Client, GraphQLRequest
    from gql.transport.aiohttp import AIOHTTPTransport

    models, plain = _inputs()
    twenty = Twenty(url, KEY, rate_limit="off")
    query: str = ""

    async def typed() -> object:
        result = await twenty.core.create_companies(data=models, upsert=True)
        assert len(result.create_companies) == 60
        return result

    # The exact document the generated method sends, for the raw and gql variants.
    await typed()
    from twenty_gql.generated.core import client as generated_client

    query = _captured_query(generated_client)

    async def runtime_only() -> object:
        data = await twenty.execute(query, {"data": plain, "upsert": True}, "CreateCompanies")
        assert len(data["createCompanies"]) == 60
        return data

    session = aiohttp.ClientSession()
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {KEY}"}

    async def raw() -> object:
        payload = {
            "query": query,
            "operationName": "CreateCompanies",
            "variables": {"data": plain, "upsert": True},
        }
        async with session.post(
            url + "/graphql", data=json.dumps(payload), headers=headers
        ) as response:
            body = json.loads(await response.read())
        assert len(body["data"]["createCompanies"]) == 60
        return body

    schema = (ROOT / "schema" / "core.graphql").read_text()
    gql_client = Client(
        schema=schema,
        transport=AIOHTTPTransport(url=url + "/graphql", headers=headers, ssl=False),
    )
    request = GraphQLRequest(
        query,
        variable_values={"data": plain, "upsert": True},
        operation_name="CreateCompanies",
    )

    async def gql_execute_async() -> object:
        result = await gql_client.execute_async(request)
        assert len(result["createCompanies"]) == 60
        return result

    gql_session_client = Client(
        schema=schema,
        transport=AIOHTTPTransport(url=url + "/graphql", headers=headers, ssl=False),
    )
    gql_session = await gql_session_client.connect_async()

    async def gql_session_execute() -> object:
        result = await gql_session.execute(request)
        assert len(result["createCompanies"]) == 60
        return result

    traced = _otel_client(url) if otel else None

    async def typed_otel() -> object:
        assert traced is not None
        result = await traced.core.create_companies(data=models, upsert=True)
        assert len(result.create_companies) == 60
        return result

    variants: dict[str, Callable[[], Awaitable[object]]] = {
        "typed": typed,
        **({"typed_otel": typed_otel} if otel else {}),
        "raw": raw,
        "runtime_execute": runtime_only,
        "gql_execute_async": gql_execute_async,
        "gql_session": gql_session_execute,
    }
    for fn in variants.values():  # warm up: connections, lazy imports, model builds
        for _ in range(20):
            await fn()
    results: dict[str, list[float]] = {name: [] for name in variants}
    for _ in range(rounds):
        for name, fn in variants.items():
            results[name].append(await _measure(calls, fn))
    await gql_session_client.close_async()
    await session.close()
    await twenty.aclose()
    if traced is not None:
        await traced.aclose()
    return {name: statistics.median(times) for name, times in results.items()}


def breakdown(query: str, rounds: int) -> dict[str, float]:
    """Seconds per call of the in-process steps of both calls, without HTTP."""
    from twenty_gql.base_client import _validate_answer
    from twenty_gql.generated.core.base_model import UnsetType
    from twenty_gql.generated.core.create_companies import CreateCompanies
    from twenty_gql.transport import encode_request

    models, plain = _inputs()
    answer = json.dumps({"data": {"createCompanies": recorded_companies(60)}}).encode()

    def raw_encode() -> bytes:
        payload = {
            "query": query,
            "operationName": "CreateCompanies",
            "variables": {"data": plain, "upsert": True},
        }
        return json.dumps(payload).encode()

    steps: dict[str, Callable[[], object]] = {
        "typed encode (pydantic inputs)": lambda: encode_request(
            query, "CreateCompanies", {"data": models, "upsert": True}, UnsetType
        ),
        "typed decode+validate (bytes)": lambda: _validate_answer(CreateCompanies, answer),
        "raw encode (json.dumps)": raw_encode,
        "raw decode (json.loads)": lambda: json.loads(answer),
    }
    out: dict[str, float] = {}
    for name, fn in steps.items():
        times = []
        for _ in range(rounds):
            start = time.perf_counter()
            for _ in range(200):
                fn()
            times.append((time.perf_counter() - start) / 200)
        out[name] = statistics.median(times)
    return out


def _captured_query(module: Any) -> str:
    """The CreateCompanies document, read from the generated method's source."""
    import inspect

    source = inspect.getsource(module.CoreClient.create_companies)
    start = source.index('gql("""') + len('gql("""')
    text: str = module.gql(source[start : source.index('""")', start)])
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=200, help="calls per variant per round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--otel", action="store_true", help="also time a traced client")
    args = parser.parse_args()

    with canned_server() as url:
        times = asyncio.run(run(url, args.calls, args.rounds, args.otel))
    for name, seconds in times.items():
        print(f"{name:18} {seconds * 1e6:9.0f} µs per 60-record upsert call")
    typed = times["typed"]
    print(f"typed / raw aiohttp+json         = {typed / times['raw']:.2f}  (target <= 1.3)")
    runtime = times["runtime_execute"]
    print(f"twenty.execute / raw aiohttp+json = {runtime / times['raw']:.2f}  (the runtime alone)")
    if args.otel:
        traced = times["typed_otel"]
        print(
            f"typed_otel / typed               = {traced / typed:.2f}  "
            f"({(traced - typed) * 1e6:+.0f} µs a call for its span and metrics)"
        )
    print(f"typed / gql execute_async        = {typed / times['gql_execute_async']:.2f}")
    print(f"typed / gql connected session    = {typed / times['gql_session']:.2f}")
    from twenty_gql.generated.core import client as generated_client

    print("where the time goes (in process, no HTTP), as a fraction of the raw call:")
    steps = breakdown(_captured_query(generated_client), args.rounds)
    for step, seconds in steps.items():
        share = seconds / times["raw"]
        print(f"  {step:32} {seconds * 1e6:7.0f} µs = {share:.2f}")
    extra = {
        "encoding pydantic inputs": steps["typed encode (pydantic inputs)"]
        - steps["raw encode (json.dumps)"],
        "validating into models": steps["typed decode+validate (bytes)"]
        - steps["raw decode (json.loads)"],
        "the runtime (execute - raw)": runtime - times["raw"],
    }
    print("typed - raw, by cause (fractions of the raw call):")
    for cause, seconds in extra.items():
        print(f"  {cause:32} {seconds * 1e6:+7.0f} µs = {seconds / times['raw']:+.2f}")
    print(
        f"  {'sum':32} {sum(extra.values()) * 1e6:+7.0f} µs = "
        f"{sum(extra.values()) / times['raw']:+.2f}  (measured: {typed / times['raw'] - 1:+.2f})"
    )


if __name__ == "__main__":
    main()
