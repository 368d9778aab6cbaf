"""Client-side rate limiting that mirrors the server's budget, so a client alone is never throttled.

Twenty's records API budget is a token bucket per workspace: at most ``N`` tokens, refilled
continuously at ``N / window`` tokens a second; each request takes one token (NOTES.md (n)).
:class:`TokenBucket` is the same bucket on the client, with one deliberate difference: it starts
**empty** by default. The client cannot know how full the server's bucket is when it starts (a
previous run, or another program, may have just drained it). A server bucket is never emptier
than a client bucket that started at zero and spent only on requests that also reached that
server, because both refill at the same rate up to the same cap; so a client alone is never
throttled. The price is that a fresh client runs at the steady rate from the start and only
builds a burst while idle. Pass ``initial_tokens=capacity`` when you know the workspace's budget
is unspent (for example, nothing used it for a whole window).

Every limiter implements :class:`RateLimiter` (``async acquire(cost)``), so a shared, Redis-backed
bucket can replace the in-process one.

Why not aiolimiter (measured with aiolimiter 1.3): its bucket always starts with the full burst
and offers no public way to start it otherwise; its waiters are a heap ordered by *amount*, so a
``cost=3`` caller starves behind a stream of ``cost=1`` callers; and a new caller that finds
capacity takes it ahead of callers already waiting. This bucket serves callers strictly in
arrival order, whatever their cost, and can be drained when the server says it is empty.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from typing import Protocol, runtime_checkable

from twenty_gql.profiles import ServerProfile

__all__ = ["NoLimit", "RateLimiter", "SupportsDrain", "TokenBucket"]


@runtime_checkable
class RateLimiter(Protocol):
    """Waits until ``cost`` calls may be sent."""

    async def acquire(self, cost: float = 1) -> None: ...


@runtime_checkable
class SupportsDrain(Protocol):
    """A limiter that can be told the server's budget is spent (it answered LIMIT_REACHED)."""

    def drain(self) -> None: ...


class NoLimit:
    """A limiter that never waits (rate limiting off)."""

    async def acquire(self, cost: float = 1) -> None:
        return None

    def __repr__(self) -> str:
        return "NoLimit()"


class TokenBucket:
    """A FIFO token bucket: ``capacity`` tokens, refilled at ``capacity / window`` per second."""

    __slots__ = ("_handle", "_last", "_loop", "_rate", "_tokens", "_waiters", "capacity", "window")

    def __init__(self, capacity: float, window: float, *, initial_tokens: float = 0.0) -> None:
        if capacity <= 0:
            raise ValueError(f"rate limit capacity must be positive (got {capacity})")
        if window <= 0:
            raise ValueError(f"rate limit window must be positive (got {window})")
        if not 0 <= initial_tokens <= capacity:
            raise ValueError(
                f"initial_tokens must be between 0 and capacity={capacity} (got {initial_tokens})"
            )
        self.capacity = float(capacity)
        self.window = float(window)
        self._rate = self.capacity / self.window
        self._tokens = float(initial_tokens)
        self._last: float | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._waiters: deque[tuple[float, asyncio.Future[None]]] = deque()
        self._handle: asyncio.TimerHandle | None = None

    @classmethod
    def for_profile(cls, profile: ServerProfile, *, initial_tokens: float = 0.0) -> TokenBucket:
        return cls(profile.calls_per_window, profile.window_seconds, initial_tokens=initial_tokens)

    @property
    def tokens(self) -> float:
        """Tokens available now (refilled up to now when called inside a running loop)."""
        with contextlib.suppress(RuntimeError):  # no running loop: the level as last seen
            self._refill()
        return self._tokens

    def _now(self) -> float:
        loop = asyncio.get_running_loop()
        if loop is not self._loop:
            # A bucket moved to another loop (tests, asyncio.run twice) keeps its level.
            self._loop = loop
            self._handle = None
            self._waiters = deque((c, f) for c, f in self._waiters if f.get_loop() is loop)
        return loop.time()

    def _refill(self) -> None:
        now = self._now()
        if self._last is not None and now > self._last:
            self._tokens = min(self.capacity, self._tokens + (now - self._last) * self._rate)
        self._last = now

    async def acquire(self, cost: float = 1) -> None:
        if not 0 <= cost <= self.capacity:
            raise ValueError(
                f"cost must be between 0 and the capacity {self.capacity} (got {cost})"
            )
        self._refill()
        if not self._waiters and self._tokens >= cost - 1e-9:
            self._tokens -= cost
            return
        assert self._loop is not None
        future: asyncio.Future[None] = self._loop.create_future()
        self._waiters.append((cost, future))
        self._serve()
        try:
            await future
        except asyncio.CancelledError:
            if future.done() and not future.cancelled():
                self._tokens += cost  # granted, then cancelled before use: give it back
            self._serve()
            raise

    def drain(self) -> None:
        """The server said its bucket is empty: assume ours is too."""
        self._refill()
        self._tokens = min(self._tokens, 0.0)

    def _serve(self) -> None:
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
        self._refill()
        waiters = self._waiters
        while waiters:
            cost, future = waiters[0]
            if future.done():
                waiters.popleft()
                continue
            if self._tokens < cost - 1e-9:
                assert self._loop is not None
                delay = (cost - self._tokens) / self._rate
                self._handle = self._loop.call_later(delay, self._serve)
                return
            waiters.popleft()
            self._tokens -= cost
            future.set_result(None)

    def __repr__(self) -> str:
        return (
            f"TokenBucket(capacity={self.capacity:g}, window={self.window:g}s, "
            f"tokens={self._tokens:.2f}, waiting={len(self._waiters)})"
        )
