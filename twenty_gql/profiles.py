"""Server profiles: the limits a Twenty server enforces. The one place these numbers live.

The client (batch sizes, page sizes, its rate limiter) and the sandbox (what it enforces) both
read them from here, so the two can never drift apart. Nothing else may hard-code a limit.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

__all__ = ["CLOUD", "PROFILES", "SELF_HOSTED", "ServerProfile", "get_profile"]


@dataclass(frozen=True, slots=True)
class ServerProfile:
    """What one kind of Twenty server allows.

    The records API budget is a token bucket per workspace: ``calls_per_window`` tokens at most,
    refilled continuously at ``calls_per_window / window_seconds`` tokens a second.
    """

    name: str
    records_per_call: int
    """Records one createMany call may carry, and records one update may touch."""
    calls_per_window: int
    window_seconds: float
    page_size: int
    """Records a list query returns when ``first`` is not given."""
    max_root_fields: int = 20
    relation_page_size: int = 60
    """Records a nested one-to-many relation loads."""

    @property
    def refill_interval(self) -> float:
        """Seconds between two tokens of the bucket."""
        return self.window_seconds / self.calls_per_window

    def scaled(self, *, window_seconds: float) -> ServerProfile:
        """The same limits over a shorter window (tests and benchmarks never wait out a minute)."""
        return replace(self, window_seconds=window_seconds)


CLOUD = ServerProfile(
    name="cloud", records_per_call=60, calls_per_window=100, window_seconds=60.0, page_size=60
)
"""Twenty Cloud's published limits: 100 calls a minute, 60 records a call."""

SELF_HOSTED = ServerProfile(
    name="self-hosted",
    records_per_call=200,
    calls_per_window=100,
    window_seconds=60.0,
    page_size=200,
)
"""Self-hosted Twenty 2.21 defaults (QUERY_MAX_RECORDS=200, API_RATE_LIMITING_LONG_*)."""

PROFILES: dict[str, ServerProfile] = {p.name: p for p in (CLOUD, SELF_HOSTED)}


def get_profile(name: str) -> ServerProfile:
    try:
        return PROFILES[name]
    except KeyError:
        known = ", ".join(sorted(PROFILES))
        raise ValueError(f"unknown server profile {name!r} (known: {known})") from None
