"""aiolimiter.AsyncLimiter vs twenty_gql's TokenBucket on the semantics the client needs.

Run: .venv/bin/python bench/bench_limiter.py

1. start: how many calls pass at once on a fresh limiter (the server's bucket may be empty);
2. fairness with cost > 1: when does a cost-3 caller get through while cost-1 callers keep
   arriving (one every half refill interval)?
3. arrival order: does a cost-1 newcomer pass a cost-2 caller that was already waiting?
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Protocol

from aiolimiter import AsyncLimiter

from twenty_gql.ratelimit import TokenBucket


class Limiter(Protocol):
    async def acquire(self, amount: float = 1) -> None: ...


async def burst_at_start(make: Callable[[], Limiter]) -> int:
    limiter = make()
    passed = 0

    async def one() -> None:
        nonlocal passed
        await limiter.acquire(1)
        passed += 1

    tasks = [asyncio.create_task(one()) for _ in range(20)]
    await asyncio.sleep(0.005)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    return passed


async def big_caller_wait(make: Callable[[], Limiter], interval: float) -> float | None:
    limiter = make()
    loop = asyncio.get_running_loop()
    stop = loop.time() + 40 * interval
    done_at: list[float] = []

    smalls: list[asyncio.Task[None]] = []

    async def small_stream() -> None:
        while loop.time() < stop and not done_at:
            smalls.append(asyncio.create_task(limiter.acquire(1)))
            await asyncio.sleep(interval / 2)

    async def big() -> None:
        start = loop.time()
        await limiter.acquire(3)
        done_at.append(loop.time() - start)

    stream = asyncio.create_task(small_stream())
    await asyncio.sleep(0)
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(big(), timeout=40 * interval)
    stream.cancel()
    for task in smalls:
        task.cancel()
    return done_at[0] if done_at else None


async def newcomer_passes(make: Callable[[], Limiter], interval: float) -> bool:
    limiter = make()
    order: list[str] = []

    async def take(name: str, cost: float) -> None:
        await limiter.acquire(cost)
        order.append(name)

    first = asyncio.create_task(take("waiting", 2))
    await asyncio.sleep(interval * 1.2)
    late = asyncio.create_task(take("newcomer", 1))
    await asyncio.gather(first, late)
    return order[0] == "newcomer"


async def main() -> None:
    capacity, window = 10, 0.2
    interval = window / capacity

    def drained_aiolimiter() -> Limiter:
        limiter = AsyncLimiter(capacity, window)
        # Drain it (no public way to start it otherwise) so both start from the same state.
        limiter._level = capacity
        limiter._last_check = asyncio.get_running_loop().time()
        return limiter

    makers: dict[str, tuple[Callable[[], Limiter], Callable[[], Limiter]]] = {
        "aiolimiter.AsyncLimiter": (lambda: AsyncLimiter(capacity, window), drained_aiolimiter),
        "TokenBucket": (
            lambda: TokenBucket(capacity, window),
            lambda: TokenBucket(capacity, window),
        ),
    }
    for name, (default, drained) in makers.items():
        start_default = await burst_at_start(default)
        wait = await big_caller_wait(drained, interval)
        barge = await newcomer_passes(drained, interval)
        wait_text = (
            "starved (> 40 intervals)" if wait is None else f"{wait / interval:.1f} intervals"
        )
        print(
            f"{name:24} default start lets {start_default:2d} calls through at once; "
            f"cost-3 caller under cost-1 load: {wait_text}; "
            f"newcomer passes a waiting caller: {barge}"
        )


if __name__ == "__main__":
    asyncio.run(main())
