"""The in-process budget: Twenty 2.21's bucket, modelled on the client by send time.

What the server does on each records call (NOTES.md (w), ``throttler.service.ts``):
``refill = floor((now - lastRefillAt) * LIMIT / TTL)``, ``tokens = min(LIMIT, tokens + refill)``;
fewer than one token: the call is refused and **nothing is written** (time keeps accruing, and
the refused call is not executed, transcript 85); else one token is taken and
``lastRefillAt = now``, so the fractional progress since the last success is lost. A burst of
100 calls over 3 s leaves 0 tokens, not 5 (sequence 226).

What follows for a client, and what :class:`BucketModel` does:

- **Start full.** A workspace quiet for a window holds the whole burst; a job takes it at once.
  If the server was in fact drained (another program spent it), the first answers are throttles:
  the model learns the server is empty and paces from there. One such episode costs at most as
  many throttled answers as calls were in flight, and each throttled call is simply re-sent:
  Twenty did not execute it, so this is safe even for a plain create (transcript 85).
- **Pace by send time, not by answers.** Once the burst is spent, a success only earns the next
  token if the following call *arrives* at least ``TTL / LIMIT`` later (600 ms for 100 / 60 s);
  arriving earlier it is refused, arriving later wastes the difference. Each caller therefore
  reserves the next slot, ``last + interval * (1 + margin)`` after the previous *send*, and waits
  for it: callers are served in arrival order (no thundering herd), and long calls overlap.
  When the slot comes the caller claims it (:meth:`BucketModel.claim`): a call ahead that went
  out late pushes it back, since the server counts from real sends.
- **A margin for arrival jitter.** Two calls sent exactly one interval apart may arrive closer
  (the first one delayed on the way). ``margin`` (a fraction of the interval) pays a little
  throughput for fewer refused calls; ``bench/bench_budget.py`` measures what it costs. A paced
  call refused for arriving early is evidence of more jitter than the margin covers: the margin
  widens by :data:`MARGIN_STEP`, up to :data:`MAX_MARGIN`, so a long job on a jittery path pays
  a few refusals, then a slightly slower pace, instead of a refusal every few hundred calls.
- **Burst, then pace, measured from the burst's answers.** A burst call may reach the server's
  bucket late, queued behind the others; the first paced call keeps its distance from the
  burst's last answer (:meth:`BucketModel.answered`).
- **Learn the bucket.** A throttle answer names the bucket that refused, "Limit reached (50
  tokens per 60000 ms)": the model re-shapes at once (see :func:`learned_shape`). A newer
  server's ``retryAfterMs`` is honoured: the next slot is no earlier than the hint.

Why not aiolimiter or the ``limits`` library: both refill continuously (fractional tokens kept),
so a client pacing by them at the nominal rate sends calls that Twenty's floored bucket refuses;
and neither can be told "the server is empty now".
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Callable

from twenty_gql.budget.protocol import Grant, Refusal, Shape, learned_shape
from twenty_gql.profiles import ServerProfile

__all__ = ["DEFAULT_MARGIN", "MARGIN_STEP", "MAX_MARGIN", "BucketModel", "LocalBudget", "NoBudget"]

DEFAULT_MARGIN = 0.02
"""Pace 2 % slower than the server refills: room for arrival jitter (12 ms at Twenty's 600 ms).
A call that arrives early anyway costs one round trip (see :meth:`BucketModel.refused`) and
widens the margin a step, so the starting margin only trades a refusal or two for time:
``bench/bench_budget.py`` sweeps it (same run, 300 calls at 40 ms a token: from 0 %, 1.003 of
the floor and 2 refusals; 2 %, 1.009 and 1; 5 %, 1.029 and 0; 10 %, 1.082 and 0)."""

MARGIN_STEP = 0.01
"""How much a paced call refused for arriving early widens the margin."""

MAX_MARGIN = 0.10
"""The widest margin jitter can push the pace to."""

_EPSILON = 1e-9


class BucketModel:
    """The server's bucket as the client believes it, in the client's clock (seconds).

    ``tokens`` and ``last`` are the server's ``tokens`` and ``lastRefillAt``; ``last`` may lie
    in the future: the slot of the latest reservation. ``shift`` is how far every outstanding
    slot has been pushed back (see :meth:`refused`); a waiter adds the shift that happened
    while it waited to the slot it was given.
    """

    __slots__ = (
        "credits",
        "last",
        "margin",
        "sent",
        "shape",
        "shift",
        "tokens",
    )

    def __init__(self, shape: Shape, *, tokens: int, now: float, margin: float) -> None:
        if not 0 <= tokens <= shape.capacity:
            raise ValueError(
                f"initial tokens must be between 0 and {shape.capacity} (got {tokens})"
            )
        if not 0 <= margin < 1:
            raise ValueError(f"margin must be a fraction in [0, 1) (got {margin})")
        self.shape = shape
        self.margin = margin
        self.tokens = tokens
        self.last = now
        self.shift = 0.0
        self.credits = 0
        self.sent = -math.inf
        """When the latest call went out (a grant from the burst, a credit or a claimed slot)."""

    @property
    def pace(self) -> float:
        """Seconds the model waits for one token (the server's interval plus the margin)."""
        return self.shape.interval * (1.0 + self.margin)

    def level(self, now: float) -> int:
        """Tokens available at ``now`` without waiting."""
        if now < self.last:
            return self.tokens
        refill = math.floor((now - self.last) / self.pace + _EPSILON)
        if self.tokens > 0 and refill > 0:
            # During a burst, calls reach the server queued, up to an interval late: a refill
            # the server did not grant ends the burst with a throttle per call in flight, so
            # one is not counted (the cost: a token per pause in a burst).
            refill -= 1
        return min(self.shape.capacity, self.tokens + refill)

    def reserve(self, cost: int, now: float) -> float:
        """Take ``cost`` tokens; return when the caller may send (``now`` or a later slot)."""
        if cost <= 0:
            return now
        if self.credits:
            self.credits -= 1
            self.sent = now
            return now
        if now >= self.last:
            available = self.level(now)
            if available >= cost:
                self.tokens = available - cost
                self.last = self.sent = now
                return now
        slot = self.last + max(0, cost - self.tokens) * self.pace
        self.tokens = max(0, self.tokens - cost)
        self.last = slot
        return slot

    def refused(self, refusal: Refusal, now: float) -> None:
        """The server was empty when the refused call arrived (at or after its send).

        ``refusal.claimed``: when the refused call claimed its paced slot (:meth:`claim`);
        ``None`` for a call sent from the burst or re-sent out of turn. Four cases. A retry hint
        (newer servers): no slot before it. The model believed it had tokens, or the answer
        named another bucket, or the refused call was not paced (from the burst, or a re-send
        out of turn): the server is empty, pace from the refused send. A paced call that is
        still the latest send arrived a little early (jitter): the server did not write, so the
        token it missed is still there and the refused call is re-sent at once, out of turn,
        while every outstanding slot moves back by the time lost, which keeps the server's
        spacing: a late arrival costs a round trip, not a slot. A paced call after which another
        call went out (another task or process claimed while the refusal was on its way back):
        that call took the missed token, and the refused one simply takes the next free slot.

        The refused call is named by its claim, not guessed from times: with several processes
        a time match mistakes one process's out-of-turn re-send for another's paced call, and
        re-sends granted out of turn to an empty server throttle each other in a loop.
        """
        shape = learned_shape(self.shape, refusal.shape)
        reshaped = shape != self.shape
        self.reshape(shape)
        sent = now - refusal.sent_ago
        claimed = refusal.claimed
        if refusal.retry_after is not None:
            self.tokens = 0
            self.last = max(self.last, now + refusal.retry_after - self.pace)
            return
        if reshaped or self.tokens > 0 or claimed is None:
            self.tokens = 0
            self.last = max(self.last, sent)
            return
        self.widen_margin()
        if claimed != self.sent:
            return  # a call sent since took the token this one missed: it waits its turn
        delay = now - sent
        self.shift += delay
        self.last = max(self.last + delay, now)
        self.credits += 1
        self.sent = now  # one credit per claim: a refused re-send finds the bucket empty

    def widen_margin(self) -> None:
        """A paced call arrived early: the jitter on the way is wider than the margin."""
        if self.margin < MAX_MARGIN:
            self.margin = min(MAX_MARGIN, self.margin + MARGIN_STEP)

    def claim(self, due: float, now: float) -> float:
        """A paced call whose slot is ``due`` is about to go out: ``0`` to send now, else the
        seconds to wait first. Reserving a slot and sending are two steps, and a call ahead may
        have gone out late (a busy event loop, another process): the server counts its spacing
        from that real send, so a claim closer than one pace to it waits out the difference,
        and a claim granted after its slot moves every later slot back by the lateness."""
        wait = max(due - now, self.sent + self.pace - now)
        if wait > _EPSILON:
            return wait
        late = now - due
        if late > 0 and self.last >= due:
            self.last += late
            self.shift += late
        self.sent = now
        return 0.0

    def answered(self, now: float) -> None:
        """A call that did not claim a paced slot (sent from the burst, or out of turn) was
        answered at ``now``. Once the burst is spent, the server counts the next token from
        that call's arrival, which lies somewhere before its answer: queued behind the burst's
        other calls it may reach the server's bucket well after it was sent. The next paced
        call therefore keeps one pace from the answer (see :meth:`claim`): a round trip once
        per drained episode, where counting from the send cost a throttle per call queued."""
        if self.tokens == 0:
            self.sent = max(self.sent, now)

    def reshape(self, shape: Shape) -> None:
        self.shape = shape
        self.tokens = min(self.tokens, shape.capacity)


class LocalBudget:
    """The budget of one process (see the module doc). Safe to share between clients of the
    same workspace on one event loop or several (it reads :func:`time.monotonic`)."""

    def __init__(
        self,
        shape: Shape,
        *,
        initial_tokens: int | None = None,
        margin: float = DEFAULT_MARGIN,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._clock = clock
        tokens = shape.capacity if initial_tokens is None else initial_tokens
        self._model = BucketModel(shape, tokens=tokens, now=clock(), margin=margin)

    @classmethod
    def for_profile(
        cls,
        profile: ServerProfile,
        *,
        initial_tokens: int | None = None,
        margin: float = DEFAULT_MARGIN,
    ) -> LocalBudget:
        return cls(Shape.of(profile), initial_tokens=initial_tokens, margin=margin)

    @property
    def shape(self) -> Shape:
        return self._model.shape

    @property
    def tokens(self) -> int:
        """Tokens a call could take now without waiting."""
        return self._model.level(self._clock())

    async def acquire(self, cost: int = 1) -> Grant:
        model = self._model
        before = (model.tokens, model.last, model.shift)
        now = self._clock()
        slot = model.reserve(cost, now)
        if slot <= now:
            return None
        shift = model.shift
        try:
            while (wait := model.claim(slot + model.shift - shift, now)) > 0:
                await asyncio.sleep(wait)
                now = self._clock()
        except asyncio.CancelledError:
            if model.last == slot and model.shift == shift:  # nobody reserved after us
                model.tokens, model.last, _ = before
            raise
        return model.sent

    async def refused(self, refusal: Refusal) -> None:
        self._model.refused(refusal, self._clock())

    async def answered(self, grant: Grant) -> None:
        if grant is None:
            self._model.answered(self._clock())

    async def aclose(self) -> None:
        return None

    def __repr__(self) -> str:
        return f"LocalBudget({self.shape.describe()}, tokens={self.tokens})"


class NoBudget:
    """No client-side pacing (``rate_limit="off"``). A throttled call is sent again after the
    server's hint, else the bucket the answer named, else ``Refusal.fallback_interval``."""

    def __init__(self, shape: Shape, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._shape = shape
        self._clock = clock
        self._not_before = 0.0

    @property
    def shape(self) -> Shape:
        return self._shape

    async def acquire(self, cost: int = 1) -> Grant:
        wait = self._not_before - self._clock()
        if wait > 0:
            await asyncio.sleep(wait)
        return None

    async def refused(self, refusal: Refusal) -> None:
        if refusal.retry_after is not None:
            wait = refusal.retry_after
        elif refusal.shape is not None:
            wait = refusal.shape.interval
        else:
            wait = refusal.fallback_interval
        self._not_before = max(self._not_before, self._clock() + wait)

    async def answered(self, grant: Grant) -> None:
        return None

    async def aclose(self) -> None:
        return None

    def __repr__(self) -> str:
        return "NoBudget()"
