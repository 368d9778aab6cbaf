"""The contract every workspace budget keeps, and the facts a throttle answer teaches.

A budget decides when a records call may be sent, so that the workspace's bucket on the server
(NOTES.md (n), (w)) is spent to the floor and not past it. Stores implement :class:`Budget`:
:class:`~twenty_gql.budget.local.LocalBudget` (one process) and
:class:`~twenty_gql.budget.redis.RedisBudget` (any number of processes and hosts), chosen by URL
(:func:`~twenty_gql.budget.open_budget`), like hishel's storages.

- ``await acquire(cost)`` waits for the caller's turn; callers are served in arrival order. It
  answers a :data:`Grant`, which the caller hands back in :class:`Refusal` if the call is
  throttled.
- ``await refused(refusal)`` is called when the server answered a call with a throttle: the
  server's bucket is empty (and, when the answer names it, of another shape than believed).
- ``await answered(grant)`` is called when a call that was not throttled was answered (or
  failed after it may have reached the server): a burst call's arrival lies before its answer,
  which is what a paced call after it must keep its distance from.
- ``shape`` is the bucket as the budget believes it now: a profile's guess until a throttle
  answer names the real one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from twenty_gql.profiles import ServerProfile

__all__ = ["Budget", "Grant", "Refusal", "Shape", "learned_shape"]

Grant = float | None
"""What :meth:`Budget.acquire` answers: when the call claimed its paced slot, on the budget's
clock; ``None`` when it went out from the burst or out of turn. Handed back in
:attr:`Refusal.claimed` if the call is throttled, it names the refused call exactly."""


@dataclass(frozen=True, slots=True)
class Shape:
    """A bucket: ``capacity`` tokens, one more every ``window / capacity`` seconds."""

    capacity: int
    window: float
    """Seconds."""

    def __post_init__(self) -> None:
        if self.capacity < 1:
            raise ValueError(f"a budget's capacity must be at least 1 (got {self.capacity})")
        if not (self.window > 0 and math.isfinite(self.window)):
            raise ValueError(f"a budget's window must be positive seconds (got {self.window})")

    @classmethod
    def of(cls, profile: ServerProfile) -> Shape:
        return cls(profile.calls_per_window, profile.window_seconds)

    @property
    def interval(self) -> float:
        """Seconds between two tokens."""
        return self.window / self.capacity

    def describe(self) -> str:
        return f"{self.capacity} calls / {self.window:g} s"


def learned_shape(current: Shape, told: Shape | None) -> Shape:
    """The shape to pace by after a throttle answer naming ``told``.

    A server may keep several buckets (2.21: a short and a long one; later servers: per
    workspace, key or user) and names the one that refused. The slowest refill governs a steady
    pace, so a bucket named later replaces the current one only if it refills no faster, or
    has less capacity at the same rate.
    """
    if told is None or told == current:
        return current
    if told.interval > current.interval or (
        told.interval == current.interval and told.capacity < current.capacity
    ):
        return told
    return current


@dataclass(frozen=True, slots=True)
class Refusal:
    """What one throttle answer said, as a budget needs it."""

    sent_ago: float
    """Seconds since the refused call was sent (the server was empty when it arrived)."""
    shape: Shape | None = None
    """The bucket the answer named, if it named one."""
    retry_after: float | None = None
    """The server's hint (``retryAfterMs``), in seconds."""
    fallback_interval: float = 0.6
    """How long a budget that does not pace waits when the answer gives no hint."""
    claimed: Grant = None
    """What :meth:`Budget.acquire` answered for the refused call."""


@runtime_checkable
class Budget(Protocol):
    """When a records call may be sent (see the module doc)."""

    @property
    def shape(self) -> Shape: ...

    async def acquire(self, cost: int = 1) -> Grant: ...

    async def refused(self, refusal: Refusal) -> None: ...

    async def answered(self, grant: Grant) -> None: ...

    async def aclose(self) -> None: ...
