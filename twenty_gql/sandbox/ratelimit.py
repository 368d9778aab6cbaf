"""The records API budget: a token bucket per workspace, refilled continuously.

Built on aiolimiter's leaky bucket (capacity ``calls``, drained at ``calls / seconds`` a second),
used without waiting: the server answers "Limit reached" at once instead of queueing the call.
"""

from __future__ import annotations

from aiolimiter import AsyncLimiter

__all__ = ["RecordsBudget"]


class RecordsBudget:
    def __init__(self, calls: int, seconds: float) -> None:
        if calls < 1 or seconds <= 0:
            raise ValueError(
                f"rate limit must be at least 1 call per positive window, got {calls}/{seconds}"
            )
        self.calls = calls
        self.seconds = seconds
        self._limiter = AsyncLimiter(calls, seconds)

    @property
    def message(self) -> str:
        return f"Limit reached ({self.calls} tokens per {round(self.seconds * 1000)} ms)"

    def retry_after_ms(self) -> int:
        return max(1, round(self.seconds / self.calls * 1000))

    async def try_take(self) -> bool:
        """Take one token if there is one; never waits. (No await before the check, so two
        requests on the loop cannot both take the last token.)"""
        if not self._limiter.has_capacity(1):
            return False
        await self._limiter.acquire(1)
        return True
