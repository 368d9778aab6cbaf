"""The base class that ariadne-codegen's generated clients subclass, and the runtime behind it.

CONTRACT (kept by the runtime, relied on by the generated code and by codegen's shim):
- ``BaseClient(runtime, endpoint)``; generated clients are built by the ``Twenty`` facade.
- ``unset_type``: a class attribute the generated package's shim sets to its own ``UnsetType``;
  variables holding an instance of it are dropped before sending.
- ``async execute(query, operation_name=None, variables=None, **kwargs) -> GraphQLResponse``
  sends one operation and reads the whole body. ``kwargs`` may hold ``retry=RetryPolicy(...)``;
  an answer with ``errors`` raises the matching :mod:`twenty_gql.errors` class.
- ``get_data(response) -> dict[str, Any]`` returns ``data`` or raises a ``TwentyError``.
- ``async execute_model(result_type, query, operation_name=None, variables=None, **kwargs)``
  is ``execute`` + ``get_data`` + ``result_type.model_validate`` in one step, what generated
  methods call: a successful answer is validated straight from its bytes by pydantic-core (no
  ``json.loads``, no second pass over Python dicts). Errors are classified exactly as ``execute``
  does: any answer that is not plainly ``{"data": {...}}`` takes the ``json.loads`` path.
  Data the models cannot read raises one ``SchemaDriftError`` (never a pydantic error) naming
  the path, the record and the value; an enum value the models do not list reads as an
  ``UnknownEnumValue`` and is reported once per (enum, field, value) as an
  ``UnknownEnumValueEvent`` (and a warning on the ``twenty_gql`` logger).

:class:`Runtime` is what the clients share: one transport (aiohttp session), one workspace
budget (:mod:`twenty_gql.budget`), one retry policy and one event bus. A request goes
budget -> transport -> classify -> retry.
"""

from __future__ import annotations

import asyncio
import gc
import json
import logging
import random
import time
from collections.abc import Mapping
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError

from twenty_gql.budget import Budget, Grant, LocalBudget, Refusal, Shape
from twenty_gql.config import ApiKey
from twenty_gql.errors import (
    BadInputError,
    RateLimitedError,
    TransportError,
    TwentyError,
    error_from_answer,
)
from twenty_gql.events import (
    LAST_ANSWER,
    AnswerMeasure,
    BudgetLearnedEvent,
    ConsumptionEvent,
    EventBus,
    RequestEvent,
    ResponseEvent,
    RetryEvent,
    ThrottleEvent,
    UnknownEnumValueEvent,
)
from twenty_gql.open_enums import UnknownValues
from twenty_gql.profiles import CLOUD, ServerProfile
from twenty_gql.read_errors import schema_drift_error
from twenty_gql.retry import OperationInfo, RetryPolicy, operation_info
from twenty_gql.transport import AiohttpTransport, HttpAnswer, Transport, encode_request

__all__ = ["CHARGED_ENDPOINT", "BaseClient", "GraphQLResponse", "RawAnswer", "Runtime"]

logger = logging.getLogger("twenty_gql")

CHARGED_ENDPOINT = "/graphql"
"""Only the records API counts against the workspace's budget; /metadata is not limited."""


M = TypeVar("M", bound=BaseModel)


class _Answer(BaseModel, Generic[M]):
    """A successful answer's body, validated in one pass from its bytes."""

    data: M | None
    errors: Any = None


_ANSWER_TYPES: dict[type[BaseModel], type[_Answer[Any]]] = {}


def _validate_answer(
    result_type: type[M], body: bytes, unknown: UnknownValues | None = None
) -> M | None:
    """``data`` validated straight from a 200 answer's bytes, or ``None`` when the answer is
    anything but plain data (errors, no or null data, not JSON, invalid data): the caller then
    decodes it with ``json`` and classifies it as usual, so errors read exactly as before."""
    # No peek for '"errors"' in the body first: on 60 records the scan costs ~20 µs, and an
    # answer with errors is caught by the ``errors`` field below anyway.
    answer_type = _ANSWER_TYPES.get(result_type)
    if answer_type is None:
        answer_type = _ANSWER_TYPES[result_type] = _Answer[result_type]  # type: ignore[valid-type]
    collecting = gc.isenabled()
    if collecting:
        # Every object built here stays alive until validation ends, so the cyclic collector's
        # passes over them (several per 60 records) find nothing; deferring them until the
        # caller has dropped its previous result saves about a third of validation time.
        gc.disable()
    try:
        answer = answer_type.model_validate_json(body, context=unknown)
    except ValidationError:
        return None
    finally:
        if collecting:
            gc.enable()
    data = answer.data
    if answer.errors is not None or not isinstance(data, result_type):
        return None
    return data


class RawAnswer(BaseModel):
    """A large successful answer's body, left unparsed for a streaming reader (``send_raw``):
    a 20,000-record page decoded at once takes ~6x its size in Python objects."""

    body: bytes


RAW_ANSWER_MIN_BYTES = 256 * 1024
"""Answers smaller than this (every error answer) are decoded and classified as usual."""


class GraphQLResponse:
    """One decoded answer: the HTTP status and the JSON body (``data``, maybe ``errors``)."""

    __slots__ = ("body", "operation_name", "status")

    def __init__(
        self, status: int, body: dict[str, Any], operation_name: str | None = None
    ) -> None:
        self.status = status
        self.body = body
        self.operation_name = operation_name

    def __repr__(self) -> str:
        return f"GraphQLResponse(status={self.status}, keys={sorted(self.body)})"


class Runtime:
    """Everything the clients of one workspace share. Close it (or the ``Twenty``) when done."""

    def __init__(
        self,
        base_url: str,
        api_key: ApiKey | None,
        *,
        profile: ServerProfile = CLOUD,
        budget: Budget | None = None,
        retry: RetryPolicy | None = None,
        transport: Transport | None = None,
        events: EventBus | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.profile = profile
        self.budget: Budget = budget if budget is not None else LocalBudget.for_profile(profile)
        self.retry = retry or RetryPolicy()
        self.transport: Transport = transport or AiohttpTransport()
        self.events = events or EventBus()
        self.consumed = 0.0
        """Calls charged to the workspace's budget so far (answered, not throttled)."""
        self.throttled = 0
        """Answers that said the budget was spent (each was retried or raised)."""
        self._progress_at = time.monotonic()
        self._shape: Shape = self.budget.shape
        self._api_key = api_key
        self._secret = api_key.reveal().encode() if api_key is not None else None
        self._rng = rng or random.Random()
        self._unknown_reported: set[tuple[str, str, str]] = set()
        self._headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if api_key is not None:
            self._headers.update(api_key.authorization_header())

    def __repr__(self) -> str:
        key = "set" if self._api_key is not None else "none"
        return f"Runtime({self.base_url!r}, api_key={key}, budget={self.budget!r})"

    async def close(self) -> None:
        await self.transport.close()

    def _operation(self, query: str, operation_name: str | None) -> OperationInfo:
        try:
            return operation_info(query, operation_name)
        except ValueError as exc:
            raise BadInputError(str(exc), operation_name=operation_name) from None

    def _classify(
        self,
        answer: HttpAnswer,
        operation_name: str | None,
        result_type: type[BaseModel] | None = None,
        unknown: UnknownValues | None = None,
    ) -> tuple[object, TwentyError | None]:
        if result_type is RawAnswer:
            if answer.status == 200 and len(answer.body) >= RAW_ANSWER_MIN_BYTES:
                return RawAnswer.model_construct(body=answer.body), None
            result_type = None
        if result_type is not None and answer.status == 200:
            validated = _validate_answer(result_type, answer.body, unknown)
            if validated is not None:
                return validated, None
        try:
            parsed: object = json.loads(answer.body)
        except ValueError:
            parsed = None
        text = "" if parsed is not None and answer.status == 200 else _text(answer.body)
        error = error_from_answer(
            answer.status,
            parsed,
            text,
            operation_name=operation_name,
            authenticated=self._secret is not None,
        )
        if error is not None and self._secret is not None and self._secret in answer.body:
            # A server that echoes the key must not make it travel inside an exception.
            scrubbed = HttpAnswer(
                answer.status, answer.content_type, answer.body.replace(self._secret, b"***")
            )
            return self._classify(scrubbed, operation_name)
        return parsed, error

    async def send(
        self,
        endpoint: str,
        query: str,
        operation_name: str | None = None,
        variables: Mapping[str, Any] | None = None,
        *,
        unset_type: type | None = None,
        retry: RetryPolicy | None = None,
    ) -> GraphQLResponse:
        """Send one operation with limiting and retries; return the answer or raise."""
        parsed = await self._exchange(
            endpoint, query, operation_name, variables, unset_type, retry, None, None
        )
        assert isinstance(parsed, dict)
        return GraphQLResponse(200, parsed, operation_name)

    async def send_for(
        self,
        result_type: type[M],
        endpoint: str,
        query: str,
        operation_name: str | None = None,
        variables: Mapping[str, Any] | None = None,
        *,
        unset_type: type | None = None,
        retry: RetryPolicy | None = None,
    ) -> M:
        """Like :meth:`send`, returning the answer's ``data`` validated into ``result_type``;
        raises ``SchemaDriftError`` for data that does not fit it."""
        unknown = UnknownValues()
        answer = await self._exchange(
            endpoint, query, operation_name, variables, unset_type, retry, result_type, unknown
        )
        if isinstance(answer, result_type):
            if unknown.found:
                self._report_unknown(endpoint, operation_name, unknown)
            return answer
        assert isinstance(answer, dict)
        data = answer.get("data")
        data = data if isinstance(data, dict) else {}
        unknown.found.clear()  # the fast path may have failed after recording some
        try:
            validated = result_type.model_validate(data, context=unknown)
        except ValidationError as exc:
            raise schema_drift_error(operation_name, exc, data) from None
        finally:
            if unknown.found:
                self._report_unknown(endpoint, operation_name, unknown)
        return validated

    def _report_unknown(
        self, endpoint: str, operation_name: str | None, unknown: UnknownValues
    ) -> None:
        for found in unknown.found:
            if found in self._unknown_reported:
                continue
            self._unknown_reported.add(found)
            enum, field, value = found
            logger.warning(
                "%s: %s holds %r, which the generated %s does not list; read as an "
                "UnknownEnumValue (run `twenty-gql pull --check`)",
                operation_name,
                field,
                value,
                enum,
            )
            self.events.emit(UnknownEnumValueEvent(endpoint, operation_name, enum, field, value))

    async def send_raw(
        self,
        endpoint: str,
        query: str,
        operation_name: str | None = None,
        variables: Mapping[str, Any] | None = None,
        *,
        retry: RetryPolicy | None = None,
    ) -> RawAnswer | dict[str, Any]:
        """Like :meth:`send`, but a large successful answer comes back unparsed
        (:class:`RawAnswer`, for a streaming reader); a smaller one as its decoded ``data``."""
        answer = await self._exchange(
            endpoint, query, operation_name, variables, None, retry, RawAnswer, None
        )
        if isinstance(answer, RawAnswer):
            return answer
        assert isinstance(answer, dict)
        data = answer.get("data")
        return data if isinstance(data, dict) else {}

    async def _exchange(
        self,
        endpoint: str,
        query: str,
        operation_name: str | None,
        variables: Mapping[str, Any] | None,
        unset_type: type | None,
        retry: RetryPolicy | None,
        result_type: type[BaseModel] | None,
        unknown: UnknownValues | None,
    ) -> object:
        """The limit/send/classify/retry loop: the decoded body (a dict), or the validated
        ``result_type`` when one is given and the answer allowed the fast path."""
        info = self._operation(query, operation_name)
        policy = retry or self.retry
        body = encode_request(query, operation_name, variables, unset_type)
        url = self.base_url + endpoint
        charged = endpoint == CHARGED_ENDPOINT
        cost = info.cost if charged else 0
        attempt = faults = 0
        idempotent: bool | None = None
        started = time.monotonic()
        refused: RateLimitedError | None = None
        grant: Grant = None
        while True:
            attempt += 1
            if cost:
                grant = await self._acquire(cost, refused, policy, started)
            sent = time.monotonic()
            parsed, error = await self._attempt(
                url, endpoint, body, operation_name, attempt, result_type, unknown
            )
            if cost and not isinstance(error, RateLimitedError):
                await self.budget.answered(grant)
            if error is None:
                self._progress_at = time.monotonic()
                self._charge(charged, endpoint, operation_name, cost)
                return parsed

            if isinstance(error, RateLimitedError):
                # Not executed (transcript 85): safe to send again, creates included.
                self.throttled += 1
                await self._refused(
                    error, policy, endpoint, operation_name, attempt, sent, started, grant
                )
                refused = error
                continue
            if not (isinstance(error, TransportError) and not error.request_sent):
                self._charge(charged, endpoint, operation_name, cost)  # may have run
            faults += 1
            if idempotent is None:
                idempotent = info.is_idempotent(_without_unset(variables, unset_type))
            if not policy.should_retry_fault(error, idempotent=idempotent, attempt=faults):
                raise error
            delay = policy.fault_delay(faults, self._rng)
            logger.warning(
                "%s %s failed (%s); retry %d in %.2fs",
                endpoint,
                operation_name,
                type(error).__name__,
                faults,
                delay,
            )
            self.events.emit(
                RetryEvent(endpoint, operation_name, attempt, delay, type(error).__name__)
            )
            await asyncio.sleep(delay)

    async def _attempt(
        self,
        url: str,
        endpoint: str,
        body: bytes,
        operation_name: str | None,
        attempt: int,
        result_type: type[BaseModel] | None = None,
        unknown: UnknownValues | None = None,
    ) -> tuple[object, TwentyError | None]:
        """One HTTP exchange: the decoded answer and the error it stands for, if any."""
        events = self.events
        if events.has_subscribers:
            events.emit(RequestEvent(endpoint, operation_name, attempt))
        logger.debug("POST %s %s (attempt %d)", endpoint, operation_name, attempt)
        started = time.perf_counter()
        status: int | None = None
        parsed: object = None
        try:
            answer = await self.transport.post(url, body, self._headers)
            LAST_ANSWER.set(AnswerMeasure(time.perf_counter() - started, len(answer.body)))
            status = answer.status
            parsed, error = self._classify(answer, operation_name, result_type, unknown)
        except TransportError as exc:
            exc.operation_name = operation_name
            error = exc
        if events.has_subscribers:
            elapsed = time.perf_counter() - started
            name = None if error is None else type(error).__name__
            events.emit(ResponseEvent(endpoint, operation_name, attempt, status, elapsed, name))
        return parsed, error

    async def _acquire(
        self, cost: int, refused: RateLimitedError | None, policy: RetryPolicy, started: float
    ) -> Grant:
        """Wait for the budget's slot; a re-send waits no longer than the patience left."""
        if refused is None:
            grant = await self.budget.acquire(cost)
        else:
            left = policy.patience - (time.monotonic() - max(started, self._progress_at))
            try:
                grant = await asyncio.wait_for(self.budget.acquire(cost), max(0.0, left))
            except TimeoutError:
                refused.gave_up_after = time.monotonic() - max(started, self._progress_at)
                raise refused from None
        self._watch_shape()
        return grant

    async def _refused(
        self,
        error: RateLimitedError,
        policy: RetryPolicy,
        endpoint: str,
        operation_name: str | None,
        attempt: int,
        sent: float,
        started: float,
        grant: Grant,
    ) -> None:
        """The server's budget is spent: tell the budget (which paces the next send), or give
        up when nothing has succeeded for ``policy.patience`` seconds."""
        now = time.monotonic()
        told = (
            Shape(error.capacity, error.window)
            if error.capacity is not None and error.window is not None
            else None
        )
        await self.budget.refused(
            Refusal(now - sent, told, error.retry_after, self.profile.refill_interval, grant)
        )
        self._watch_shape()
        stalled = now - max(started, self._progress_at)
        if stalled >= policy.patience:
            if policy.patience > 0:
                error.gave_up_after = stalled
            raise error
        if error.retry_after is not None:
            delay = error.retry_after
        else:
            delay = (told or self.budget.shape).interval
        logger.info(
            "%s %s throttled by the server (%s); sending again when the budget allows",
            endpoint,
            operation_name,
            error.server_message,
        )
        self.events.emit(ThrottleEvent(endpoint, operation_name, attempt, delay, self.throttled))

    def _watch_shape(self) -> None:
        """Report a bucket shape learned from the server (here or, through a shared budget,
        by another process)."""
        shape = self.budget.shape
        if shape == self._shape:
            return
        previous, self._shape = self._shape, shape
        logger.info("the server's budget is %s, not %s", shape.describe(), previous.describe())
        self.events.emit(
            BudgetLearnedEvent(shape.capacity, shape.window, previous.capacity, previous.window)
        )

    def _charge(
        self, charged: bool, endpoint: str, operation_name: str | None, cost: float
    ) -> None:
        if not charged:
            return
        self.consumed += cost
        if self.events.has_subscribers:
            self.events.emit(ConsumptionEvent(endpoint, operation_name, cost, self.consumed))


def _text(body: bytes) -> str:
    return body.decode("utf-8", errors="replace")


def _without_unset(variables: Mapping[str, Any] | None, unset_type: type | None) -> dict[str, Any]:
    if not variables:
        return {}
    if unset_type is None:
        return dict(variables)
    return {k: v for k, v in variables.items() if not isinstance(v, unset_type)}


def _retry_option(kwargs: dict[str, Any]) -> RetryPolicy | None:
    retry = kwargs.pop("retry", None)
    if kwargs:
        raise TypeError(f"unexpected keyword arguments: {', '.join(sorted(kwargs))}")
    if retry is not None and not isinstance(retry, RetryPolicy):
        raise TypeError(f"retry must be a RetryPolicy (got {type(retry).__name__})")
    return retry


class BaseClient:
    """What a generated client calls: ``execute_model`` (or ``execute`` then ``get_data``)."""

    unset_type: type | None = None

    def __init__(self, runtime: Runtime, endpoint: str = CHARGED_ENDPOINT) -> None:
        self.runtime = runtime
        self.endpoint = endpoint

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.runtime.base_url + self.endpoint!r})"

    async def execute(
        self,
        query: str,
        operation_name: str | None = None,
        variables: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> GraphQLResponse:
        return await self.runtime.send(
            self.endpoint,
            query,
            operation_name,
            variables,
            unset_type=self.unset_type,
            retry=_retry_option(kwargs),
        )

    async def execute_model(
        self,
        result_type: type[M],
        query: str,
        operation_name: str | None = None,
        variables: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> M:
        """``execute`` + ``get_data`` + ``result_type.model_validate``, without decoding twice."""
        return await self.runtime.send_for(
            result_type,
            self.endpoint,
            query,
            operation_name,
            variables,
            unset_type=self.unset_type,
            retry=_retry_option(kwargs),
        )

    def get_data(self, response: GraphQLResponse) -> dict[str, Any]:
        error = error_from_answer(
            response.status, response.body, "", operation_name=response.operation_name
        )
        if error is not None:
            raise error
        data = response.body.get("data")
        return data if isinstance(data, dict) else {}
