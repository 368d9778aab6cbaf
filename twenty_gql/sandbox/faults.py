"""Fault injection for reliability tests: seeded, so a run can be reproduced."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass

__all__ = ["Fault", "FaultConfig", "FaultInjector"]


@dataclass(frozen=True, slots=True)
class FaultConfig:
    """Probabilities (0..1) of each fault on a ``/graphql`` request.

    ``error_5xx``: answer 500 or 502 without executing. ``delay``: sleep ``delay_seconds`` first
    (past a client's timeout). ``drop``: close the connection without answering, nothing executed.
    ``drop_after_write``: execute (the write commits), then close without answering.
    """

    seed: int = 0
    error_5xx: float = 0.0
    delay: float = 0.0
    delay_seconds: float = 5.0
    drop: float = 0.0
    drop_after_write: float = 0.0
    mutations_only: bool = False

    def __post_init__(self) -> None:
        for name in ("error_5xx", "delay", "drop", "drop_after_write"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"FaultConfig.{name} must be between 0 and 1, got {value}")


@dataclass(frozen=True, slots=True)
class Fault:
    kind: str
    """``error_500``, ``error_502``, ``delay``, ``drop`` or ``drop_after_write``."""
    delay_seconds: float = 0.0


class FaultInjector:
    def __init__(self, config: FaultConfig, stats: Counter[str]) -> None:
        self.config = config
        self._random = random.Random(config.seed)
        self._stats = stats

    def draw(self, is_mutation: bool) -> Fault | None:
        """The fault for the next request, if any (one draw per request, in order)."""
        c = self.config
        roll = self._random.random()
        if c.mutations_only and not is_mutation:
            return None
        fault: Fault | None = None
        if roll < c.error_5xx:
            fault = Fault("error_500" if self._random.random() < 0.5 else "error_502")
        elif roll < c.error_5xx + c.delay:
            fault = Fault("delay", c.delay_seconds)
        elif roll < c.error_5xx + c.delay + c.drop:
            fault = Fault("drop")
        elif roll < c.error_5xx + c.delay + c.drop + c.drop_after_write:
            fault = Fault("drop_after_write")
        if fault is not None:
            self._stats[f"fault_{fault.kind}"] += 1
        return fault
