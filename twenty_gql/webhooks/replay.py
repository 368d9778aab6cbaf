"""Replay caches: a verified delivery is accepted once.

Twenty signs ``timestamp:body`` but not the nonce, so a cache keyed on the nonce alone would let
anyone who captured a delivery replay it with a fresh nonce header. The verifier therefore claims
two keys per delivery, ``n:<nonce>`` and ``s:<signature>`` (the signature stands for the signed
timestamp and body): a delivery is a replay when either was seen before.

One small interface (:class:`ReplayStore`, ``claim``/``release``), two stores, as hishel's
storages do:

* :class:`MemoryReplayStore` (default): one process, bounded (``max_entries``, oldest evicted
  first once expired entries are gone; ``evicted`` counts entries dropped while still live);
* :class:`RedisReplayStore`: several receivers behind one endpoint share one set of claims
  (``SET key 1 NX PX ttl`` per key, pipelined; needs the ``redis`` extra).

``ttl_seconds`` is how long a claim lasts: the verifier passes twice its ``max_age`` (a delivery
is accepted while its timestamp is within ``max_age`` either side of now), or ``None`` when the
age check is off, in which case the memory store keeps claims until evicted and Redis keeps them
for a day.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from redis.asyncio import Redis

__all__ = ["MemoryReplayStore", "RedisReplayStore", "ReplayStore"]

_REDIS_DEFAULT_TTL = 24 * 3600.0


@runtime_checkable
class ReplayStore(Protocol):
    async def claim(self, keys: Sequence[str], ttl_seconds: float | None) -> bool:
        """Record ``keys``; ``False`` if any of them was already recorded (a replay)."""
        ...

    async def release(self, keys: Sequence[str]) -> None:
        """Forget ``keys`` (the delivery failed in a handler: a re-send must be accepted)."""
        ...


class MemoryReplayStore:
    """Claims in this process's memory, at most ``max_entries`` keys."""

    def __init__(
        self, max_entries: int = 100_000, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        if max_entries < 2:
            raise ValueError(f"max_entries must be at least 2 (got {max_entries})")
        self.max_entries = max_entries
        self.evicted = 0
        self._clock = clock
        self._expiry: OrderedDict[str, float] = OrderedDict()

    def __len__(self) -> int:
        return len(self._expiry)

    def claim_now(self, keys: Sequence[str], ttl_seconds: float | None) -> bool:
        """The synchronous form of :meth:`claim` (for the sans-IO :func:`verify`)."""
        now = self._clock()
        self._drop_expired(now)
        if any(key in self._expiry for key in keys):
            return False
        expires = float("inf") if ttl_seconds is None else now + ttl_seconds
        for key in keys:
            self._expiry[key] = expires
            self._expiry.move_to_end(key)
        while len(self._expiry) > self.max_entries:
            self._expiry.popitem(last=False)
            self.evicted += 1
        return True

    async def claim(self, keys: Sequence[str], ttl_seconds: float | None) -> bool:
        return self.claim_now(keys, ttl_seconds)

    async def release(self, keys: Sequence[str]) -> None:
        for key in keys:
            self._expiry.pop(key, None)

    def _drop_expired(self, now: float) -> None:
        # Claims share one ttl per store in practice, so insertion order is expiry order.
        while self._expiry:
            key, expires = next(iter(self._expiry.items()))
            if expires > now:
                return
            del self._expiry[key]


class RedisReplayStore:
    """Claims in Redis, shared by every receiver that uses the same server and ``prefix``."""

    def __init__(self, client: Redis, *, prefix: str = "twenty-gql:webhook:") -> None:
        self.client = client
        self.prefix = prefix

    @classmethod
    def from_url(cls, url: str, *, prefix: str = "twenty-gql:webhook:") -> RedisReplayStore:
        try:
            from redis.asyncio import Redis
        except ImportError as error:  # pragma: no cover - depends on the environment
            raise ImportError(
                "RedisReplayStore needs redis-py: pip install 'twenty-gql[redis]'"
            ) from error
        return cls(Redis.from_url(url), prefix=prefix)

    async def claim(self, keys: Sequence[str], ttl_seconds: float | None) -> bool:
        ttl_ms = max(1, int((ttl_seconds or _REDIS_DEFAULT_TTL) * 1000))
        async with self.client.pipeline(transaction=True) as pipe:
            for key in keys:
                pipe.set(self.prefix + key, b"1", nx=True, px=ttl_ms)
            results = await pipe.execute()
        return all(bool(result) for result in results)

    async def release(self, keys: Sequence[str]) -> None:
        await self.client.delete(*(self.prefix + key for key in keys))

    async def aclose(self) -> None:
        await self.client.aclose()
