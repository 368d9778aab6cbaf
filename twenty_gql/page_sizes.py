"""How many records to ask for: page sizes learned from what the server answers.

CONTRACT (kept here, relied on by the shared page loop in :mod:`twenty_gql.pagination`):

- A read starts at what this workspace already taught for the object, else at the profile's
  ``page_size`` (200 self-hosted, 60 cloud).
- It **grows** (at most four times a page) while pages come back full, answered within half of
  ``target_seconds`` and under half of ``max_response_bytes``; it never goes past
  ``max_page_size``, nor past a cap the server is known to have.
- It **shrinks** on a slow or oversized answer (in proportion), and halves on a 5xx, a
  timeout, a dropped connection or a "too complex" refusal, retrying the same position; after
  a 5xx or a timeout it stays below the size that failed for a few pages (a blip must not
  ratchet the size down for the whole read, nor a heavy size fail on every page).
- It **learns the server's cap** when a page comes back with fewer records than asked and
  ``hasNextPage`` true (the cap is what came back), or when a large ``first`` is refused (the
  number in the refusal, else below what was refused). What is learned is kept per object by
  :class:`PageSizes`, one per workspace client, for the rest of the run.
- A profile whose cap was never observed (cloud) starts at its published page size and asks
  above it only while the server proves it answers more: a probe that comes back capped teaches
  the cap at no extra call (the records it returned are kept, the next page continues after them).

Why not a fixed size: a real Twenty 2.21 answered ``first: 20000`` in 2.3 s for one budget
token; fixed pages of 200 spend a hundred tokens for the same records (issue 13).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from twenty_gql.errors import (
    BadInputError,
    QueryTooComplexError,
    RateLimitedError,
    ServerError,
    TransportError,
    TwentyError,
)
from twenty_gql.profiles import ServerProfile

__all__ = ["PageBounds", "PageSizer", "PageSizes"]

_GROWTH = 4.0
_CALM_PAGES = 4
"""Pages answered after a 5xx or a timeout before growing past the size that failed again."""
_REFUSAL = re.compile(
    r"\bfirst\b|\blimit\b|exceed|maximum|too (?:many|large|complex|big)", re.IGNORECASE
)
_NUMBER = re.compile(r"\b(\d+)\b")


@dataclass(frozen=True, slots=True)
class PageBounds:
    """The user's bounds on page sizes (``Twenty(page_bounds=...)``, ``export --max-page-size``).

    ``max_page_size`` bounds ``first``; ``target_seconds`` is the answer time a page should stay
    under; ``max_response_bytes`` the largest answer body a page should reach (memory follows
    it); ``max_failures`` the failed attempts in a row a read shrinks through before giving up.
    """

    max_page_size: int = 10_000
    min_page_size: int = 1
    target_seconds: float = 2.0
    max_response_bytes: int = 16 * 1024 * 1024
    max_failures: int = 6

    def __post_init__(self) -> None:
        if self.min_page_size < 1:
            raise ValueError(f"min_page_size must be at least 1 (got {self.min_page_size})")
        if self.max_page_size < self.min_page_size:
            raise ValueError(
                f"max_page_size must be at least min_page_size ({self.min_page_size}); "
                f"got {self.max_page_size}"
            )
        if self.target_seconds <= 0:
            raise ValueError(f"target_seconds must be positive (got {self.target_seconds})")
        if self.max_response_bytes < 1:
            raise ValueError(f"max_response_bytes must be positive (got {self.max_response_bytes})")
        if self.max_failures < 0:
            raise ValueError(f"max_failures must not be negative (got {self.max_failures})")


@dataclass(slots=True)
class _Learned:
    cap: int | None = None
    """The largest ``first`` the server honours for this object (learned)."""
    good: int | None = None
    """The last size that came back full within the bounds: where the next read starts."""


class PageSizes:
    """Page sizing for one workspace: the profile's facts, the user's bounds and, per object,
    what the server taught during this run."""

    def __init__(self, profile: ServerProfile, bounds: PageBounds | None = None) -> None:
        self.profile = profile
        self.bounds = bounds or PageBounds()
        self._learned: dict[str, _Learned] = {}

    def __repr__(self) -> str:
        return f"PageSizes({self.profile.name!r}, {self.bounds!r})"

    def cap(self, key: str) -> int | None:
        """The cap learned for ``key`` (an object's root field), if any."""
        learned = self._learned.get(key)
        return None if learned is None else learned.cap

    def sizer(self, key: str | None = None) -> PageSizer:
        """A sizer for one read of ``key`` (bound later with :meth:`PageSizer.bind` if None)."""
        return PageSizer(self, key)

    def _get(self, key: str) -> _Learned:
        learned = self._learned.get(key)
        if learned is None:
            learned = self._learned[key] = _Learned()
        return learned


@dataclass(slots=True)
class PageSizer:
    """The size of each page of one read; ``fixed`` sizers never change their size.

    Call :meth:`next_size` before each page, then :meth:`answered` or :meth:`failed`.
    """

    sizes: PageSizes | None
    key: str | None = None
    fixed: int | None = None
    pages: int = field(default=0, init=False)
    """Pages answered so far."""
    reached: int = field(default=0, init=False)
    """The most records one page brought."""
    learned_cap: int | None = field(default=None, init=False)
    """The cap this read learned (also kept by ``sizes`` once the object is known)."""
    _size: int = field(default=0, init=False)
    _ceiling: int | None = field(default=None, init=False)
    _calm_pages: int = field(default=0, init=False)
    _failures: int = field(default=0, init=False)
    _bound: bool = field(default=False, init=False)

    def __post_init__(self) -> None:
        if self.fixed is not None:
            if self.fixed < 1:
                raise ValueError(f"page_size must be at least 1 (got {self.fixed})")
            self._size = self.fixed
            return
        assert self.sizes is not None
        profile = self.sizes.profile
        self._size = profile.page_size
        if self.key is not None:
            self.bind(self.key)
        self._size = self._clamp(self._size)

    @classmethod
    def fixed_size(cls, page_size: int) -> PageSizer:
        return cls(None, fixed=page_size)

    @property
    def adaptive(self) -> bool:
        return self.fixed is None

    def bind(self, key: str) -> None:
        """Name the object read (its root field): start from what it taught before."""
        if self._bound or self.sizes is None:
            return
        self.key, self._bound = key, True
        learned = self.sizes._get(key)
        if self.learned_cap is not None:
            self._learn_cap(self.learned_cap)
        if learned.good is not None:
            self._size = self._clamp(learned.good)

    def _limit(self) -> int:
        """The largest size this read may ask for now."""
        assert self.sizes is not None
        bounds = self.sizes.bounds
        limit = bounds.max_page_size
        cap = self._known_cap()
        if cap is not None:
            limit = min(limit, cap)
        if self._ceiling is not None:
            limit = min(limit, self._ceiling)
        return max(bounds.min_page_size, limit)

    def _known_cap(self) -> int | None:
        assert self.sizes is not None
        caps = [self.learned_cap, self.sizes.cap(self.key) if self.key is not None else None]
        profile = self.sizes.profile
        learned = [cap for cap in caps if cap is not None]
        if learned:
            return min(learned)
        if profile.page_cap is not None and profile.page_cap_known:
            return profile.page_cap
        return None

    def _clamp(self, size: int) -> int:
        assert self.sizes is not None
        return max(self.sizes.bounds.min_page_size, min(size, self._limit()))

    def next_size(self) -> int:
        return self._size

    def answered(
        self,
        asked: int,
        returned: int,
        has_next: bool | None,
        seconds: float | None,
        size_bytes: int | None,
    ) -> None:
        """One page came back: learn from it and choose the next size."""
        self.pages += 1
        self._failures = 0
        self.reached = max(self.reached, returned)
        if self._ceiling is not None:
            self._calm_pages += 1
            if self._calm_pages > _CALM_PAGES:
                self._ceiling = None
        if not self.adaptive:
            return
        assert self.sizes is not None
        bounds = self.sizes.bounds
        if has_next and 0 < returned < asked:
            self._learn_cap(returned)
            self._size = self._clamp(returned)
            return
        if returned < asked or not has_next:
            return  # the last page says nothing about what the server could answer
        headroom = _GROWTH * 2
        if seconds is not None and seconds > 0:
            headroom = min(headroom, bounds.target_seconds / seconds)
        if size_bytes is not None and size_bytes > 0:
            headroom = min(headroom, bounds.max_response_bytes / size_bytes)
        if headroom < 1.0:
            # Slow or large: aim at half the bound, as growth does.
            self._size = self._clamp(max(1, int(asked * max(0.25, headroom / 2))))
            return
        self._remember_good(asked)
        if headroom >= 2.0:
            self._size = self._clamp(int(asked * min(_GROWTH, headroom / 2)))

    def failed(self, asked: int, error: BaseException) -> bool:
        """A page failed: ``True`` when it should be asked again at :meth:`next_size`."""
        if not self.adaptive or not isinstance(error, TwentyError):
            return False
        if isinstance(error, RateLimitedError):
            return False
        assert self.sizes is not None
        bounds = self.sizes.bounds
        self._failures += 1
        if self._failures > bounds.max_failures or asked <= bounds.min_page_size:
            return False
        if isinstance(error, QueryTooComplexError) or _is_size_refusal(error):
            stated = _stated_limit(error, asked)
            self._learn_cap(stated if stated is not None else max(1, asked // 2))
            self._size = self._clamp(asked // 2 if stated is None else stated)
            return True
        if isinstance(error, ServerError) or (
            isinstance(error, TransportError) and error.request_sent
        ):
            # Too heavy for the server, or a blip: stay below it for a few pages, then try again.
            self._ceiling = max(bounds.min_page_size, asked - 1)
            self._calm_pages = 0
            self._size = self._clamp(asked // 2)
            return True
        return False

    def _learn_cap(self, cap: int) -> None:
        self.learned_cap = min(cap, self.learned_cap or cap)
        if self.sizes is not None and self.key is not None:
            learned = self.sizes._get(self.key)
            learned.cap = min(cap, learned.cap or cap)
            if learned.good is not None and learned.good > cap:
                learned.good = cap

    def _remember_good(self, asked: int) -> None:
        if self.sizes is not None and self.key is not None:
            self.sizes._get(self.key).good = asked


def _is_size_refusal(error: TwentyError) -> bool:
    if not isinstance(error, BadInputError):
        return False
    return bool(_REFUSAL.search(error.server_message or str(error)))


def _stated_limit(error: TwentyError, asked: int) -> int | None:
    """The largest number below ``asked`` the refusal states (``cannot exceed 60``)."""
    numbers = [int(n) for n in _NUMBER.findall(error.server_message or str(error))]
    below = [n for n in numbers if 0 < n < asked]
    return max(below) if below else None
