"""The sandbox server: an aiohttp app serving ``/graphql`` and ``/metadata`` on loopback."""

from __future__ import annotations

import asyncio
import ipaddress
import json
import time
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

from aiohttp import web
from graphql import GraphQLSchema, build_schema

from twenty_gql.profiles import ServerProfile, get_profile

from .auth import ApiKeyInfo
from .errors import REVOKED_KEY, SandboxError, forbidden
from .faults import FaultConfig, FaultInjector
from .graphql_endpoint import RequestError, prepare_request, run_prepared
from .metadata_api import MetadataApi
from .playground import add_playground_routes
from .ratelimit import BucketSet, ContinuousBucket, TwentyBucket, charges, charges_refusal
from .resolvers import RequestContext
from .store import Store
from .webhook_delivery import DeliveryPolicy, WebhookSender
from .webhook_registry import WebhookRegistry, wire_webhook_api
from .workspace import Workspace

__all__ = ["Sandbox", "is_loopback"]

RateLimitStyle = Literal["twenty", "retry-after"]
QuotaCode = Literal["QUOTA_EXHAUSTED", "STOCK_EXHAUSTED"]
_QUOTA_MESSAGES: dict[str, str] = {
    "QUOTA_EXHAUSTED": "Usage quota exhausted for this period.",
    "STOCK_EXHAUSTED": "This workspace has reached its storage limit.",
}
PageCapStyle = Literal["truncate", "refuse"]
_PROFILE_DEFAULT: Any = "profile"

_UNAUTHENTICATED = {
    "message": "Token invalid.",
    "extensions": {
        "userFriendlyMessage": {
            "id": "z+7x/s",
            "message": "You must be authenticated to perform this action.",
        },
        "subCode": "UNAUTHENTICATED",
        "code": "UNAUTHENTICATED",
    },
}


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass(slots=True)
class _Caller:
    info: ApiKeyInfo | None
    """None: no token (the unauthenticated schema)."""


class Sandbox:
    """A local Twenty-compatible workspace server.

    ``async with Sandbox.start(port=0) as sb:`` serves until the block ends; ``sb.url``,
    ``sb.api_key`` (an admin key issued at start), ``sb.store`` (inspect records) and
    ``sb.stats`` (requests, charged and throttled calls, ``charged_busy_us``: the time spent
    answering charged calls, injected faults) are available inside it.

    Options: ``host`` (loopback only unless ``allow_remote``), ``port`` (0: a free one),
    ``profile`` (``"cloud"``, ``"self-hosted"`` or a ``ServerProfile``: records per call, page
    size, root field limit), ``rate_limit`` (``(calls, seconds)``, or a list of them for
    several buckets, e.g. Twenty's short and long limits; default the profile's budget; ``None``
    for no limit), ``rate_limit_style`` (``"twenty"``: Twenty 2.21's floored bucket,
    BAD_USER_INPUT/LIMIT_REACHED; ``"retry-after"``: a newer server's continuous bucket,
    RATE_LIMITED with ``retryAfterMs``), ``budget_start`` (``"full"`` like a quiet workspace,
    or ``"drained"``), ``quota`` (``(code, calls)``: after ``calls`` charged calls, every
    charged call is answered ``QUOTA_EXHAUSTED`` or ``STOCK_EXHAUSTED``), ``db``
    (``":memory:"`` or a SQLite file that keeps records, metadata and key hashes), ``seed``
    (``"demo"`` or ``"empty"``, applied to a new database only), ``faults`` (a
    ``FaultConfig``), ``api_key_name`` (the name ``createdBy`` shows), ``webhook_policy`` (a
    ``DeliveryPolicy``: timeout, attempts, backoff; default one attempt, as Twenty),
    ``page_cap`` (the largest ``first`` a list answers; default none, as Twenty 2.21's
    /graphql) and ``page_cap_style`` (``"truncate"``: that many records with ``hasNextPage``
    true; ``"refuse"``: BAD_USER_INPUT naming the cap). ``sb.webhooks.drain()`` waits for the
    deliveries in flight.
    """

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        profile: str | ServerProfile = "cloud",
        rate_limit: tuple[int, float] | list[tuple[int, float]] | None = _PROFILE_DEFAULT,
        rate_limit_style: RateLimitStyle = "twenty",
        budget_start: Literal["full", "drained"] = "full",
        quota: tuple[QuotaCode, int] | None = None,
        db: str | Path = ":memory:",
        seed: str = "demo",
        faults: FaultConfig | None = None,
        allow_remote: bool = False,
        api_key_name: str = "My api key",
        webhook_policy: DeliveryPolicy | None = None,
        page_cap: int | None = None,
        page_cap_style: PageCapStyle = "truncate",
    ) -> None:
        if not is_loopback(host) and not allow_remote:
            raise ValueError(
                f"refusing to serve on non-loopback host {host!r}; pass allow_remote=True "
                "(--allow-remote) to expose the sandbox"
            )
        if rate_limit_style not in ("twenty", "retry-after"):
            raise ValueError(f"unknown rate_limit_style {rate_limit_style!r}")
        self.host = host
        self.port = port
        self.profile = get_profile(profile) if isinstance(profile, str) else profile
        if page_cap_style not in ("truncate", "refuse"):
            raise ValueError(f"unknown page_cap_style {page_cap_style!r}")
        if page_cap is not None:
            if page_cap < 1:
                raise ValueError(f"page_cap must be at least 1 (got {page_cap})")
            self.profile = replace(
                self.profile,
                page_cap=page_cap,
                page_cap_known=True,
                page_cap_refuses=page_cap_style == "refuse",
            )
        if rate_limit is _PROFILE_DEFAULT:
            rate_limit = (self.profile.calls_per_window, self.profile.window_seconds)
        if budget_start not in ("full", "drained"):
            raise ValueError(f"unknown budget_start {budget_start!r}")
        if quota is not None and quota[0] not in _QUOTA_MESSAGES:
            raise ValueError(f"unknown quota code {quota[0]!r}")
        bucket = TwentyBucket if rate_limit_style == "twenty" else ContinuousBucket
        drained = budget_start == "drained"
        self.budget: TwentyBucket | BucketSet | None
        if rate_limit is None:
            self.budget = None
        elif isinstance(rate_limit, list):
            self.budget = BucketSet([bucket(*one, drained=drained) for one in rate_limit])
        else:
            self.budget = bucket(*rate_limit, drained=drained)
        self.rate_limit_style = rate_limit_style
        self.quota = quota
        self.store = Store(db)
        self.workspace = Workspace(self.store, self.profile, seed=seed)
        self.stats: Counter[str] = Counter()
        self.faults = FaultInjector(faults, self.stats) if faults is not None else None
        self.api_key = self.workspace.keys.issue(name=api_key_name, role="admin")
        self.metadata_api = MetadataApi(self.workspace)
        self.webhooks = WebhookSender(
            WebhookRegistry(self.store),
            workspace_id=self.metadata_api.view.current_workspace()["id"],
            object_id=lambda name: self.workspace.meta.objects[name].id,
            stats=self.stats,
            policy=webhook_policy,
        )
        wire_webhook_api(self.metadata_api.schema, self.webhooks.registry)
        self._anonymous_schema: GraphQLSchema = build_schema("type Query { sandbox: String }")
        self._runner: web.AppRunner | None = None
        self._stopped = asyncio.Event()

    @classmethod
    def start(cls, **options: Any) -> Sandbox:
        """``async with Sandbox.start(...) as sb`` (see the class for the options)."""
        return cls(**options)

    def __repr__(self) -> str:
        return f"Sandbox(url={self.url!r}, profile={self.profile.name!r})"

    # -- lifecycle --------------------------------------------------------------------------

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def issue_api_key(self, role: str = "admin", name: str = "My api key") -> str:
        """A new key for this workspace: ``admin`` or ``read-only`` (mutations are FORBIDDEN)."""
        return self.workspace.keys.issue(name=name, role=role)

    def revoke_api_key(self, key: str, *, revoked: bool = True) -> None:
        """Revoke ``key`` while running (``revoked=False`` un-revokes it): from the next request
        on it gets Twenty's FORBIDDEN "This API Key is revoked" on /graphql and /metadata."""
        self.workspace.keys.revoke(key, revoked=revoked)

    def app(self) -> web.Application:
        app = web.Application(client_max_size=64 * 1024**2)
        app.router.add_post("/graphql", self._graphql)
        app.router.add_post("/metadata", self._metadata)
        app.router.add_get("/healthz", self._health)
        add_playground_routes(app, self.api_key)
        return app

    async def __aenter__(self) -> Sandbox:
        self._runner = web.AppRunner(self.app(), access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        addresses = self._runner.addresses
        if addresses:
            self.port = int(addresses[0][1])
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self.webhooks.aclose()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        self.store.close()

    # -- handlers ---------------------------------------------------------------------------

    async def _health(self, _: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    async def _body(self, request: web.Request) -> dict[str, Any] | web.Response:
        raw = await request.read()
        try:
            body = json.loads(raw)
        except ValueError as error:
            return web.json_response(
                {
                    "message": f"Invalid JSON body: {error}",
                    "error": "Bad Request",
                    "statusCode": 400,
                },
                status=400,
            )
        if isinstance(body, list):
            return web.json_response(
                {"errors": [{"message": "Batching is not supported."}]}, status=400
            )
        if not isinstance(body, dict):
            return web.json_response(
                {
                    "message": "The body must be a JSON object",
                    "error": "Bad Request",
                    "statusCode": 400,
                },
                status=400,
            )
        return body

    def _caller(self, request: web.Request) -> _Caller | web.Response:
        header = request.headers.get("Authorization", "")
        if not header:
            return _Caller(None)
        scheme, _, token = header.partition(" ")
        info = self.workspace.keys.lookup(token.strip()) if scheme.lower() == "bearer" else None
        if info is None:
            self.stats["unauthenticated"] += 1
            return web.json_response({"errors": [_UNAUTHENTICATED]})
        if info.revoked:
            return web.json_response({"errors": [REVOKED_KEY]})
        return _Caller(info)

    async def _graphql(self, request: web.Request) -> web.StreamResponse:
        self.stats["requests"] += 1
        began = time.perf_counter()
        body = await self._body(request)
        if isinstance(body, web.Response):
            return body
        caller = self._caller(request)
        if isinstance(caller, web.Response):
            return caller
        if caller.info is None:
            schema, checks = self._anonymous_schema, False
        else:
            schema, checks = self.workspace.schema(), True
        try:
            prepared = prepare_request(
                schema,
                body,
                max_root_fields=self.profile.max_root_fields,
                twenty_checks=checks,
            )
        except RequestError as rejected:
            payload = rejected.payload
            if (
                caller.info is not None
                and self.budget is not None
                and charges_refusal(payload, body.get("query"))
            ):
                if not self.budget.try_take():
                    self.stats["throttled"] += 1
                    data = payload.get("data")
                    return web.json_response(self._throttled(list(data or {})))
                self.stats["charged"] += 1
            return web.json_response(payload, status=rejected.status)
        if caller.info is None:
            return web.json_response(run_prepared(prepared, None))
        charged_call = (self.budget is not None or self.quota is not None) and charges(prepared)
        if charged_call:
            if self.budget is not None and not self.budget.try_take():
                self.stats["throttled"] += 1
                return web.json_response(self._throttled(prepared.root_keys))
            self.stats["charged"] += 1
            if self.quota is not None and self.stats["charged"] > self.quota[1]:
                code = self.quota[0]
                error = SandboxError(_QUOTA_MESSAGES[code], code, code).payload
                return web.json_response(
                    {"data": dict.fromkeys(prepared.root_keys), "errors": [error]}
                )
        if prepared.is_mutation and caller.info.read_only:
            error = forbidden().payload
            return web.json_response({"data": dict.fromkeys(prepared.root_keys), "errors": [error]})
        fault = self.faults.draw(prepared.is_mutation) if self.faults is not None else None
        if fault is not None:
            if fault.kind in ("error_500", "error_502"):
                status = 500 if fault.kind == "error_500" else 502
                return web.Response(status=status, text=f"Injected fault: HTTP {status}")
            if fault.kind == "delay":
                await asyncio.sleep(fault.delay_seconds)
            elif fault.kind == "drop":
                return self._drop(request)
        actor: dict[str, Any] = {
            "source": "API",
            "name": caller.info.name,
            "workspaceMemberId": None,
            "context": {},
        }
        context = RequestContext(self.webhooks.watch(self.workspace.records), actor)
        payload = run_prepared(prepared, context)
        self.webhooks.send_changes(context.records)
        self.stats["executed"] += 1
        if fault is not None and fault.kind == "drop_after_write":
            return self._drop(request)
        response = web.json_response(payload)
        if charged_call:
            # the sandbox's own time for the call: no client can be answered faster
            self.stats["charged_busy_us"] += round((time.perf_counter() - began) * 1e6)
        return response

    def _drop(self, request: web.Request) -> web.StreamResponse:
        transport = request.transport
        if transport is not None:
            transport.abort()
        return web.Response(status=500)

    def _throttled(self, root_keys: list[str]) -> dict[str, Any]:
        assert self.budget is not None
        friendly = "Rate limit reached. Please try again later."
        if self.rate_limit_style == "retry-after":
            error = SandboxError(
                friendly,
                "RATE_LIMITED",
                "RATE_LIMITED",
                friendly,
                {"retryAfterMs": self.budget.retry_after_ms()},
            ).payload
        else:
            error = SandboxError(
                self.budget.message, "BAD_USER_INPUT", "LIMIT_REACHED", friendly
            ).payload
        return {"data": dict.fromkeys(root_keys), "errors": [error]}

    async def _metadata(self, request: web.Request) -> web.StreamResponse:
        self.stats["metadata_requests"] += 1
        body = await self._body(request)
        if isinstance(body, web.Response):
            return body
        caller = self._caller(request)
        if isinstance(caller, web.Response):
            return caller
        if caller.info is None:
            error = {
                "message": "Forbidden resource",
                "extensions": {
                    "code": "FORBIDDEN",
                    "response": {
                        "message": "Forbidden resource",
                        "error": "Forbidden",
                        "statusCode": 403,
                    },
                },
            }
            return web.json_response({"data": None, "errors": [error]})
        status, payload = self.metadata_api.handle(body, read_only=caller.info.read_only)
        return web.json_response(payload, status=status)

    async def serve_forever(self) -> None:
        await self._stopped.wait()

    def stop(self) -> None:
        self._stopped.set()
