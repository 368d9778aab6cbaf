"""The shared budget: the same bucket model in Redis, spent by every process on every host.

Twenty keeps its own bucket in Redis; so does this store. One Lua script (:data:`SCRIPT`) does
what :class:`~twenty_gql.budget.local.BucketModel` does, atomically and on Redis's clock: refill
(floored, reset on each take), take or reserve the next slot, and answer "wait this long". A
throttle seen by one process drains the bucket for all, and a bucket learned from a throttle
answer re-shapes it for all. Slots are handed out in the order the script runs, so no caller
starves: each waits for its own slot instead of polling, then claims it (the script's ``claim``):
reserving and sending are then one step on one clock, and a claim closer than one pace to the
latest send (a process that went out late) is told the wait left.

Keys are ``twenty-gql:budget:<workspace URL>:<sha256 of the API key, 16 hex>``: the same
workspace and key share one budget; the key itself never reaches Redis.

If Redis cannot be reached, the job goes on with an in-process bucket (:class:`LocalBudget`,
started empty: other processes may be spending the same budget), emits a
:class:`~twenty_gql.events.BudgetStoreEvent`, and tries Redis again every ``retry_every``
seconds; once back, it emits another and spends the shared budget again. Needs the ``redis``
extra (``pip install 'twenty-gql[redis]'``, redis-py's asyncio client).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any
from urllib.parse import urlsplit

from twenty_gql.budget.local import DEFAULT_MARGIN, MARGIN_STEP, MAX_MARGIN, LocalBudget
from twenty_gql.budget.protocol import Grant, Refusal, Shape
from twenty_gql.config import ApiKey, ConfigError
from twenty_gql.events import BudgetStoreEvent, Event

__all__ = ["SCRIPT", "RedisBudget", "budget_key"]

logger = logging.getLogger("twenty_gql")

SCRIPT = (
    f"local MAX_MARGIN, MARGIN_STEP = {MAX_MARGIN!r}, {MARGIN_STEP!r}\n"
    + """
local key = KEYS[1]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local s = redis.call('HMGET', key, 'tokens', 'last', 'cap', 'window', 'shift', 'credits', 'sent',
  'margin')
local margin = math.max(tonumber(ARGV[5]), tonumber(s[8] or '0') or 0)
local tokens, last, cap, window, shift, credits, sent
if s[1] then
  tokens = tonumber(s[1]); last = tonumber(s[2]); cap = tonumber(s[3]); window = tonumber(s[4])
  shift = tonumber(s[5]); credits = tonumber(s[6]); sent = tonumber(s[7])
else
  cap = tonumber(ARGV[3]); window = tonumber(ARGV[4]); tokens = tonumber(ARGV[6]); last = now
  shift = 0; credits = 0; sent = -1e15
end
local pace = window / cap * (1 + margin)
local op = ARGV[1]
local slot = now
if op == 'take' then
  local cost = tonumber(ARGV[2])
  if cost > 0 and credits > 0 then
    credits = credits - 1; sent = now
  elseif cost > 0 then
    local granted = false
    if now >= last then
      local refill = math.floor((now - last) / pace + 1e-9)
      if tokens > 0 and refill > 0 then refill = refill - 1 end
      local available = math.min(cap, tokens + refill)
      if available >= cost then
        tokens = available - cost; last = now; sent = now; granted = true
      end
    end
    if not granted then
      slot = last + math.max(0, cost - tokens) * pace
      tokens = math.max(0, tokens - cost); last = slot
    end
  end
elseif op == 'claim' then
  local due = tonumber(ARGV[7]) + shift - tonumber(ARGV[2])
  local wait = math.max(due - now, sent + pace - now)
  if wait > 1e-6 then
    slot = now + wait
  else
    local late = now - due
    if late > 0 and last >= due then
      last = last + late; shift = shift + late
    end
    sent = now
  end
elseif op == 'answered' then
  if tokens == 0 then sent = math.max(sent, now) end
elseif op == 'refuse' then
  local reshaped = false
  local told_cap = tonumber(ARGV[9])
  local told_window = tonumber(ARGV[10])
  if told_cap and told_window then
    local told_interval = told_window / told_cap
    local interval = window / cap
    if told_interval > interval or (told_interval == interval and told_cap < cap) then
      cap = told_cap; window = told_window; tokens = math.min(tokens, cap)
      pace = window / cap * (1 + margin); reshaped = true
    end
  end
  local refused_sent = now - tonumber(ARGV[7])
  local retry_after = tonumber(ARGV[8])
  local claimed = tonumber(ARGV[11])
  if retry_after then
    tokens = 0; last = math.max(last, now + retry_after - pace)
  elseif reshaped or tokens > 0 or not claimed then
    tokens = 0; last = math.max(last, refused_sent)
  else
    if margin < MAX_MARGIN then margin = math.min(MAX_MARGIN, margin + MARGIN_STEP) end
    if math.abs(claimed - sent) < 0.001 then
      local delay = now - refused_sent
      shift = shift + delay; last = math.max(last + delay, now); credits = credits + 1; sent = now
    end
  end
end
redis.call('HSET', key, 'tokens', tokens, 'last', string.format('%.3f', last), 'cap', cap,
  'window', string.format('%.3f', window), 'shift', string.format('%.3f', shift),
  'credits', credits, 'sent', string.format('%.3f', sent), 'margin', tostring(margin))
redis.call('PEXPIRE', key, math.ceil(math.max(0, last - now) + 2 * window))
return {string.format('%.3f', slot - now), tostring(cap), string.format('%.3f', window),
  string.format('%.3f', shift), string.format('%.3f', slot)}
"""
)
""":class:`~twenty_gql.budget.local.BucketModel` in Lua, on Redis's clock (ms). KEYS[1]: the
bucket. ARGV: op (``take``, ``refuse``, ``claim``: a paced call is about to go out, see
:meth:`~twenty_gql.budget.local.BucketModel.claim`; ``answered``: a call not paced was answered,
see :meth:`~twenty_gql.budget.local.BucketModel.answered`; ``peek``), cost or (claim) the
shift ms the caller was given with its slot, capacity, window ms, margin, initial tokens (the
last four used when the key does not exist), sent-ago ms or (claim) the slot, retry-after ms,
the capacity and window ms a throttle answer named (empty when unknown), and (refuse) the
refused call's claim (empty: not paced). Returns the wait in ms (a claim: 0 to send now), the
bucket's capacity, window ms and shift ms, and the slot (Redis ms; a granted claim: its
time)."""


def budget_key(base_url: str, api_key: ApiKey) -> str:
    digest = hashlib.sha256(api_key.reveal().encode()).hexdigest()[:16]
    return f"twenty-gql:budget:{base_url}:{digest}"


def _where(url: str) -> str:
    """The store's address without credentials, for messages."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname or ''}{f':{parts.port}' if parts.port else ''}"


class RedisBudget:
    """A budget in Redis (see the module doc)."""

    def __init__(
        self,
        url: str,
        key: str,
        shape: Shape,
        *,
        initial_tokens: int | None = None,
        margin: float = DEFAULT_MARGIN,
        on_event: Callable[[Event], object] | None = None,
        retry_every: float = 1.0,
        timeout: float = 1.0,
    ) -> None:
        try:
            from redis.asyncio import Redis
            from redis.asyncio.retry import Retry
            from redis.backoff import NoBackoff
            from redis.exceptions import ConnectionError as RedisConnectionError
            from redis.exceptions import TimeoutError as RedisTimeoutError
        except ImportError:  # pragma: no cover - depends on the installed extras
            raise ConfigError(
                "a redis:// budget needs redis-py: pip install 'twenty-gql[redis]'"
            ) from None
        self._unreachable_errors = (RedisConnectionError, RedisTimeoutError)
        self._where = _where(url)
        self._client: Any = Redis.from_url(
            url,
            socket_timeout=timeout,
            socket_connect_timeout=timeout,
            retry=Retry(NoBackoff(), 0),
        )
        self._script = self._client.register_script(SCRIPT)
        self._key = key
        self._shape = shape
        self._margin = margin
        self._initial = shape.capacity if initial_tokens is None else initial_tokens
        self._on_event = on_event
        self._retry_every = retry_every
        self._fallback: LocalBudget | None = None
        self._next_try = 0.0
        self.outages = 0
        """Times Redis became unreachable during this budget's life."""

    @property
    def shape(self) -> Shape:
        return self._fallback.shape if self._fallback is not None else self._shape

    @property
    def on_fallback(self) -> bool:
        """Whether calls are paced by the in-process bucket because Redis is unreachable."""
        return self._fallback is not None

    async def acquire(self, cost: int = 1) -> Grant:
        answer = await self._run("take", str(cost))
        if answer is None:
            assert self._fallback is not None
            return await self._fallback.acquire(cost)
        wait_ms = float(answer[0])
        if wait_ms <= 0:
            return None
        shift, slot = f"{float(answer[3]):.3f}", f"{float(answer[4]):.3f}"
        # Sending is claimed on Redis's clock when the slot comes (one step: no other process
        # can send in between): slots move back when a call ahead went out late or was re-sent
        # out of turn, and the claim answers how much longer to wait.
        while True:
            await asyncio.sleep(wait_ms / 1000.0)
            claimed = await self._run("claim", shift, slot)
            if claimed is None:
                return None
            wait_ms = float(claimed[0])
            if wait_ms <= 0:
                return float(claimed[4])

    async def refused(self, refusal: Refusal) -> None:
        told = refusal.shape
        answer = await self._run(
            "refuse",
            "0",
            f"{refusal.sent_ago * 1000.0:.3f}",
            "" if refusal.retry_after is None else f"{refusal.retry_after * 1000.0:.3f}",
            "" if told is None else str(told.capacity),
            "" if told is None else f"{told.window * 1000.0:.3f}",
            "" if refusal.claimed is None else f"{refusal.claimed:.3f}",
        )
        if answer is None:
            assert self._fallback is not None
            # a claim on Redis's clock means nothing to the in-process bucket
            await self._fallback.refused(replace(refusal, claimed=None))

    async def answered(self, grant: Grant) -> None:
        if grant is not None:
            return
        if await self._run("answered") is None:
            assert self._fallback is not None
            await self._fallback.answered(grant)

    async def _run(
        self,
        op: str,
        amount: str = "0",
        aux: str = "",
        retry_after: str = "",
        told_cap: str = "",
        told_window: str = "",
        claimed: str = "",
    ) -> list[Any] | None:
        """Run the script; ``None`` when Redis is unreachable (the fallback then decides)."""
        if self._fallback is not None and time.monotonic() < self._next_try:
            return None
        shape = self.shape
        try:
            answer = await self._script(
                keys=[self._key],
                args=[
                    op,
                    amount,
                    str(shape.capacity),
                    f"{shape.window * 1000.0:.3f}",
                    str(self._margin),
                    # A bucket that disappeared during an outage (a restarted Redis) is not
                    # known to be full: others may have spent it meanwhile.
                    str(self._initial if self.outages == 0 else 0),
                    aux,
                    retry_after,
                    told_cap,
                    told_window,
                    claimed,
                ],
            )
        except Exception as error:
            if not isinstance(error, (OSError, TimeoutError, *self._unreachable_errors)):
                raise
            self._unreachable(error)
            return None
        if self._fallback is not None:
            self._fallback = None
            logger.warning("budget store %s is reachable again: sharing the budget", self._where)
            self._emit(BudgetStoreEvent("redis", f"{self._where} is reachable again"))
        self._shape = Shape(int(answer[1]), float(answer[2]) / 1000.0)
        return list(answer)

    def _unreachable(self, error: BaseException) -> None:
        self._next_try = time.monotonic() + self._retry_every
        if self._fallback is not None:
            return
        self.outages += 1
        self._fallback = LocalBudget(self._shape, initial_tokens=0, margin=self._margin)
        reason = f"{self._where} is unreachable ({type(error).__name__})"
        logger.warning("budget store %s: pacing with the in-process bucket", reason)
        self._emit(BudgetStoreEvent("local", reason))

    def _emit(self, event: Event) -> None:
        if self._on_event is not None:
            self._on_event(event)

    async def aclose(self) -> None:
        await self._client.aclose()

    def __repr__(self) -> str:
        store = "in-process (Redis unreachable)" if self.on_fallback else self._where
        return f"RedisBudget({self.shape.describe()}, store={store})"
