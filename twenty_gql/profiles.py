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
    page_cap: int | None = None
    """The largest ``first`` a list query on ``/graphql`` honours; ``None``: not capped."""
    page_cap_known: bool = True
    """Whether ``page_cap`` was observed. When not, readers start at ``page_size`` and ask for
    more only as the server proves it answers more; the sandbox enforces known caps only."""
    page_cap_refuses: bool = False
    """How a known cap is enforced on a larger ``first``: ``False`` answers ``page_cap`` records
    with ``hasNextPage`` true, ``True`` refuses the query (BAD_USER_INPUT naming the cap)."""

    @property
    def refill_interval(self) -> float:
        """Seconds between two tokens of the bucket."""
        return self.window_seconds / self.calls_per_window

    def scaled(self, *, window_seconds: float) -> ServerProfile:
        """The same limits over a shorter window (tests and benchmarks never wait out a minute)."""
        if not window_seconds > 0:
            raise ValueError(f"a rate-limit window must be positive seconds (got {window_seconds})")
        return replace(self, window_seconds=window_seconds)


CLOUD = ServerProfile(
    name="cloud",
    records_per_call=60,
    calls_per_window=100,
    window_seconds=60.0,
    page_size=60,
    page_cap=60,
    page_cap_known=False,
)
"""Twenty Cloud's published limits: 100 calls a minute, 60 records a call. Whether Cloud caps
``first`` was never observed, so 60 is a cap the server must disprove, not a fact."""

SELF_HOSTED = ServerProfile(
    name="self-hosted",
    records_per_call=200,
    calls_per_window=100,
    window_seconds=60.0,
    page_size=200,
)
"""Self-hosted Twenty 2.21 defaults (QUERY_MAX_RECORDS=200, API_RATE_LIMITING_LONG_*). ``first``
is not capped on ``/graphql`` (``first: 100000`` answered every record, NOTES (i))."""

PROFILES: dict[str, ServerProfile] = {p.name: p for p in (CLOUD, SELF_HOSTED)}


def get_profile(name: str) -> ServerProfile:
    try:
        return PROFILES[name]
    except KeyError:
        known = ", ".join(sorted(PROFILES))
        raise ValueError(f"unknown server profile {name!r} (known: {known})") from None
