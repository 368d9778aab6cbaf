"""The client's model of Twenty's bucket (pure: times are passed in, nothing sleeps)."""

from __future__ import annotations

import asyncio

import pytest

from twenty_gql.budget import (
    MARGIN_STEP,
    MAX_MARGIN,
    BucketModel,
    LocalBudget,
    Refusal,
    Shape,
    learned_shape,
)

SHAPE = Shape(10, 1.0)  # one token every 100 ms


def model(tokens: int = 10, margin: float = 0.0) -> BucketModel:
    return BucketModel(SHAPE, tokens=tokens, now=0.0, margin=margin)


def test_a_full_bucket_gives_the_burst_at_once_then_slots_in_arrival_order() -> None:
    bucket = model()
    assert [bucket.reserve(1, 0.0) for _ in range(10)] == [0.0] * 10
    assert [bucket.reserve(1, 0.0) for _ in range(3)] == pytest.approx([0.1, 0.2, 0.3])


def test_refill_is_floored_and_reset_by_each_take_like_the_server() -> None:
    bucket = model(tokens=0)
    assert bucket.reserve(1, 0.15) == 0.15  # 1.5 intervals: one token, the half is lost
    assert bucket.reserve(1, 0.2) == pytest.approx(0.25)  # not 0.2: refill restarted at 0.15
    quiet = model(tokens=0)
    assert quiet.level(5.0) == 10  # never more than the capacity


def test_the_margin_slows_the_pace_by_its_fraction() -> None:
    bucket = model(tokens=0, margin=0.05)
    assert bucket.reserve(1, 0.0) == pytest.approx(0.105)
    assert bucket.reserve(1, 0.0) == pytest.approx(0.21)


def test_a_throttle_drains_the_model_and_paces_from_the_refused_send() -> None:
    bucket = model()
    sent = [bucket.reserve(1, 0.0) for _ in range(4)]  # a drained server refuses all four
    assert bucket.level(0.03) == 6
    for _ in sent:
        bucket.refused(Refusal(sent_ago=0.03), now=0.03)
    assert bucket.level(0.03) == 0
    # the four re-sends: one slot each, one interval apart, from the refused send
    assert [bucket.reserve(1, 0.03) for _ in sent] == pytest.approx([0.1, 0.2, 0.3, 0.4])


def test_a_retry_hint_sets_the_next_slot() -> None:
    bucket = model()
    bucket.refused(Refusal(sent_ago=0.01, retry_after=0.5), now=1.0)
    assert bucket.reserve(1, 1.0) == pytest.approx(1.5)


def test_a_throttle_naming_a_slower_bucket_reshapes_the_model() -> None:
    bucket = model()
    bucket.refused(Refusal(sent_ago=0.0, shape=Shape(5, 1.0)), now=0.0)
    assert bucket.shape == Shape(5, 1.0)
    assert bucket.reserve(1, 0.0) == pytest.approx(0.2)
    bucket.refused(Refusal(sent_ago=0.0, shape=Shape(100, 1.0)), now=0.3)  # a faster bucket
    assert bucket.shape == Shape(5, 1.0)


def test_learned_shape_keeps_the_slowest_refill() -> None:
    cloud = Shape(100, 60.0)
    assert learned_shape(cloud, None) is cloud
    assert learned_shape(cloud, Shape(50, 60.0)) == Shape(50, 60.0)
    assert learned_shape(cloud, Shape(5, 2.0)) is cloud  # 2.21's short bucket refills faster
    assert learned_shape(cloud, Shape(10, 6.0)) == Shape(10, 6.0)  # same rate, less capacity


def test_bad_shapes_and_levels_are_refused_by_name() -> None:
    with pytest.raises(ValueError, match="capacity"):
        Shape(0, 1.0)
    with pytest.raises(ValueError, match="window"):
        Shape(1, 0.0)
    with pytest.raises(ValueError, match="initial tokens"):
        BucketModel(SHAPE, tokens=11, now=0.0, margin=0.0)
    with pytest.raises(ValueError, match="margin"):
        BucketModel(SHAPE, tokens=1, now=0.0, margin=1.0)


async def test_a_cancelled_waiter_gives_its_slot_back() -> None:
    budget = LocalBudget(Shape(1, 10.0), initial_tokens=0)
    before = budget._model.last
    waiter = asyncio.create_task(budget.acquire())
    await asyncio.sleep(0)
    assert budget._model.last == pytest.approx(before + 10.0 * 1.02)  # its reserved slot
    waiter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiter
    assert budget._model.last == before  # the next caller gets that slot, not the one after


def test_a_paced_call_refused_for_arriving_early_is_sent_again_at_once() -> None:
    bucket = model(tokens=0)
    first, second = bucket.reserve(1, 0.0), bucket.reserve(1, 0.0)
    assert (first, second) == pytest.approx((0.1, 0.2))
    assert bucket.claim(first, 0.1) == 0.0
    # the first one arrived early (jitter) and was refused: the server kept its token
    bucket.refused(Refusal(sent_ago=0.004, claimed=0.1), now=0.104)
    assert bucket.reserve(1, 0.104) == 0.104  # re-sent out of turn
    assert bucket.shift == pytest.approx(0.004)  # the second waiter's slot moves to 0.204
    # the next slot after it: one pace on, the margin widened by a step (the early arrival)
    assert bucket.reserve(1, 0.104) == pytest.approx(0.204 + 0.1 * (1 + MARGIN_STEP))
    # the out-of-turn re-send (not paced) refused too: the server really is empty (someone
    # else spends), and no refusal of an unpaced call earns a credit: no re-send loop
    bucket.refused(Refusal(sent_ago=0.003), now=0.107)
    assert bucket.credits == 0 and bucket.tokens == 0
    assert bucket.reserve(1, 0.107) == pytest.approx(0.204 + 2 * 0.1 * (1 + MARGIN_STEP))


def test_refusals_of_calls_not_paced_never_earn_a_credit() -> None:
    bucket = model(tokens=2)
    burst = [bucket.reserve(1, 0.0) for _ in range(2)]  # from the burst: nothing claimed
    assert burst == [0.0, 0.0]
    for _ in burst:  # the server was drained by another program
        bucket.refused(Refusal(sent_ago=0.01), now=0.01)
    assert bucket.credits == 0
    assert bucket.reserve(1, 0.01) == pytest.approx(0.1)  # paced from the refused sends


def test_a_claim_waits_out_a_late_send_ahead_and_a_late_claim_moves_later_slots() -> None:
    bucket = model(tokens=0)
    first, second = bucket.reserve(1, 0.0), bucket.reserve(1, 0.0)
    assert (first, second) == pytest.approx((0.1, 0.2))
    assert bucket.claim(first, 0.09) == pytest.approx(0.01)  # woke early: not yet
    # the first call goes out 30 ms after its slot (a busy loop, another process) ...
    assert bucket.claim(first, 0.13) == 0.0
    assert bucket.sent == 0.13 and bucket.shift == pytest.approx(0.03)
    # ... so the second, claiming at its own slot, waits one interval after that real send
    assert bucket.claim(second, 0.2) == pytest.approx(0.03)
    assert bucket.claim(second + bucket.shift, 0.23) == 0.0
    assert bucket.reserve(1, 0.23) == pytest.approx(0.33)  # later slots moved back too


def test_a_refused_call_overtaken_by_a_later_send_takes_the_next_slot_without_credit() -> None:
    bucket = model(tokens=0)
    first, second = bucket.reserve(1, 0.0), bucket.reserve(1, 0.0)
    assert bucket.claim(first, first) == 0.0
    assert bucket.claim(second, second) == 0.0  # claimed before the first one's refusal came
    # the first arrived early and was refused; the second, sent since, took the missed token
    bucket.refused(Refusal(sent_ago=0.105, claimed=first), now=0.205)
    assert bucket.credits == 0 and bucket.shift == 0.0
    # the next free slot, in turn, a pace widened by a step (the early arrival) on
    assert bucket.reserve(1, 0.205) == pytest.approx(0.2 + 0.1 * (1 + MARGIN_STEP))


def test_after_the_burst_the_first_paced_call_keeps_a_pace_from_the_last_burst_answer() -> None:
    bucket = model(tokens=2)
    assert [bucket.reserve(1, 0.0), bucket.reserve(1, 0.0)] == [0.0, 0.0]  # the burst
    slot = bucket.reserve(1, 0.0)
    assert slot == pytest.approx(0.1)
    # the burst's last call sat in the server's queue: answered at 40 ms, it may have reached
    # the bucket that late, so the paced call waits a pace from there, not from its send
    bucket.answered(0.04)
    assert bucket.claim(slot, 0.1) == pytest.approx(0.04)
    assert bucket.claim(slot + bucket.shift, 0.14) == 0.0


def test_answers_while_the_burst_lasts_change_nothing() -> None:
    bucket = model(tokens=3)
    bucket.reserve(1, 0.0)
    bucket.answered(0.05)  # two tokens left: no pace yet, nothing to keep a distance from
    assert bucket.sent == 0.0
    assert [bucket.reserve(1, 0.06), bucket.reserve(1, 0.06)] == [0.06, 0.06]


def test_each_paced_call_refused_for_arriving_early_widens_the_margin_up_to_its_cap() -> None:
    bucket = model(tokens=0, margin=0.02)
    for refusal in range(12):
        slot = 0.1 * (refusal + 1)
        bucket.sent = slot  # a paced call claimed its slot ... and arrived early
        bucket.refused(Refusal(sent_ago=0.001, claimed=slot), now=slot + 0.001)
        assert bucket.margin == pytest.approx(min(MAX_MARGIN, 0.02 + (refusal + 1) * MARGIN_STEP))
    assert bucket.pace == pytest.approx(0.1 * (1 + MAX_MARGIN))
    # refusals that say nothing about jitter (a drained server, calls not paced) leave it alone
    calm = model(tokens=2, margin=0.02)
    calm.refused(Refusal(sent_ago=0.01), now=0.01)
    assert calm.margin == 0.02
