"""The page-size policy on its own: what each answer teaches (no server, no clock)."""

from __future__ import annotations

import pytest

from twenty_gql.errors import (
    BadInputError,
    NotFoundError,
    QueryTooComplexError,
    RateLimitedError,
    RequestTimeoutError,
    ServerError,
    TransportError,
)
from twenty_gql.page_sizes import PageBounds, PageSizer, PageSizes
from twenty_gql.profiles import CLOUD, SELF_HOSTED, ServerProfile

FAST = 0.01  # seconds: far under any target
KB = 1024


def full_page(sizer: PageSizer, seconds: float = FAST, size: int = KB) -> int:
    asked = sizer.next_size()
    sizer.answered(asked, asked, True, seconds, size)
    return asked


def test_self_hosted_starts_at_its_page_size_and_grows_four_times_a_page_to_the_bound() -> None:
    sizer = PageSizes(SELF_HOSTED, PageBounds(max_page_size=5000)).sizer("companies")
    asked = [full_page(sizer) for _ in range(5)]
    assert asked == [200, 800, 3200, 5000, 5000]
    assert sizer.reached == 5000 and sizer.pages == 5


def test_cloud_starts_at_the_published_60_and_grows_only_as_the_server_answers_more() -> None:
    sizes = PageSizes(CLOUD)
    sizer = sizes.sizer("companies")
    assert sizer.next_size() == 60
    assert full_page(sizer) == 60
    probe = sizer.next_size()
    assert probe == 240
    sizer.answered(probe, 60, True, FAST, KB)  # capped: 60 came back, more to read
    assert sizes.cap("companies") == 60
    assert [full_page(sizer) for _ in range(3)] == [60, 60, 60]


def test_growth_stays_within_the_answer_time_and_size_targets() -> None:
    bounds = PageBounds(target_seconds=2.0, max_response_bytes=1000 * KB)
    sizer = PageSizes(SELF_HOSTED, bounds).sizer("companies")
    full_page(sizer, seconds=0.25)  # headroom 8: grows by the maximum, 4
    assert sizer.next_size() == 800
    full_page(sizer, seconds=0.6)  # headroom 3.3: grows by half of it
    assert sizer.next_size() == 1333
    full_page(sizer, seconds=1.5)  # under the target but not twice under: stays
    assert sizer.next_size() == 1333
    full_page(sizer, seconds=0.1, size=600 * KB)  # fast but over half the size ceiling
    assert sizer.next_size() == 1333


def test_a_slow_or_large_answer_shrinks_the_next_page_in_proportion() -> None:
    sizer = PageSizes(SELF_HOSTED, PageBounds(target_seconds=2.0)).sizer("companies")
    sizer.answered(200, 200, True, FAST, KB)
    sizer.answered(800, 800, True, 4.0, KB)  # twice the target: aim at half of it
    assert sizer.next_size() == 200
    big = PageSizes(SELF_HOSTED, PageBounds(max_response_bytes=100 * KB)).sizer("companies")
    big.answered(200, 200, True, FAST, 400 * KB)
    assert big.next_size() == 50  # a quarter at most per page


def test_a_server_cap_is_learned_from_a_short_page_and_kept_for_the_object() -> None:
    sizes = PageSizes(SELF_HOSTED)
    first = sizes.sizer("companies")
    first.answered(200, 60, True, FAST, KB)
    assert first.next_size() == 60 and first.learned_cap == 60
    assert [full_page(first) for _ in range(2)] == [60, 60]
    again = sizes.sizer("companies")
    assert again.next_size() == 60  # the same object, later in the run
    other = sizes.sizer("people")
    assert other.next_size() == 200  # another object learned nothing
    assert PageSizes(SELF_HOSTED).sizer("companies").next_size() == 200  # another workspace


def test_the_last_page_teaches_nothing() -> None:
    sizes = PageSizes(SELF_HOSTED)
    sizer = sizes.sizer("companies")
    sizer.answered(200, 17, False, FAST, KB)
    assert sizes.cap("companies") is None and sizer.next_size() == 200


def test_a_refused_first_teaches_the_number_the_refusal_states() -> None:
    sizes = PageSizes(SELF_HOSTED)
    sizer = sizes.sizer("companies")
    refusal = BadInputError('Invalid argument: "first" cannot exceed 60')
    assert sizer.failed(200, refusal) is True
    assert sizer.next_size() == 60 and sizes.cap("companies") == 60


def test_a_too_complex_refusal_without_a_number_halves_and_caps_below_it() -> None:
    sizes = PageSizes(SELF_HOSTED)
    sizer = sizes.sizer("companies")
    assert sizer.failed(200, QueryTooComplexError("Query too complex")) is True
    assert sizer.next_size() == 100 and sizes.cap("companies") == 100


@pytest.mark.parametrize(
    "error",
    [ServerError("HTTP 502"), RequestTimeoutError("no answer"), TransportError("dropped")],
    ids=["5xx", "timeout", "dropped"],
)
def test_a_5xx_or_timeout_halves_the_page_and_keeps_it_below_the_failed_size(
    error: Exception,
) -> None:
    sizer = PageSizes(SELF_HOSTED).sizer("companies")
    full_page(sizer)
    full_page(sizer)
    assert sizer.next_size() == 3200
    assert sizer.failed(3200, error) is True
    assert sizer.next_size() == 1600
    full_page(sizer)
    assert sizer.next_size() == 3199  # grows back, but not to the size that failed...
    assert [full_page(sizer) for _ in range(4)] == [3199] * 4
    assert sizer.next_size() == 10_000  # ...until a few pages went well
    assert sizer.learned_cap is None  # a fault is not a cap


@pytest.mark.parametrize(
    "error",
    [
        RateLimitedError("Limit reached"),
        NotFoundError("Record not found"),
        BadInputError("Invalid value for UUID"),
        ValueError("not ours"),
    ],
    ids=["throttled", "not-found", "bad-input", "foreign"],
)
def test_other_failures_are_not_retried_by_the_page_loop(error: Exception) -> None:
    sizer = PageSizes(SELF_HOSTED).sizer("companies")
    assert sizer.failed(200, error) is False


def test_consecutive_failures_are_bounded() -> None:
    sizer = PageSizes(SELF_HOSTED, PageBounds(max_failures=2)).sizer("companies")
    assert sizer.failed(200, ServerError("500")) is True
    assert sizer.failed(100, ServerError("500")) is True
    assert sizer.failed(50, ServerError("500")) is False
    small = PageSizes(SELF_HOSTED, PageBounds(min_page_size=50)).sizer("companies")
    assert small.failed(50, ServerError("500")) is False  # nothing smaller to try


def test_a_fixed_size_never_changes() -> None:
    sizer = PageSizer.fixed_size(200)
    sizer.answered(200, 60, True, 9.0, 10**9)
    assert sizer.failed(200, ServerError("500")) is False
    assert sizer.next_size() == 200 and sizer.pages == 1 and sizer.reached == 60


def test_a_profile_with_a_known_cap_never_asks_above_it() -> None:
    capped = ServerProfile("capped", 200, 100, 60.0, page_size=200, page_cap=150)
    sizer = PageSizes(capped).sizer("companies")
    assert sizer.next_size() == 150
    assert [full_page(sizer) for _ in range(2)] == [150, 150]


def test_a_cap_learned_before_the_object_is_known_is_kept_for_it() -> None:
    sizes = PageSizes(SELF_HOSTED)
    sizer = sizes.sizer()
    assert sizer.failed(200, BadInputError("Limit cannot exceed 100 items")) is True
    sizer.bind("companies")
    assert sizes.cap("companies") == 100 and sizer.next_size() == 100


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"max_page_size": 0}, "max_page_size must be at least min_page_size"),
        ({"min_page_size": 0}, "min_page_size must be at least 1"),
        ({"target_seconds": 0}, "target_seconds must be positive"),
        ({"max_response_bytes": 0}, "max_response_bytes must be positive"),
        ({"max_failures": -1}, "max_failures must not be negative"),
    ],
)
def test_bad_bounds_are_refused_by_name(options: dict[str, float], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        PageBounds(**options)  # type: ignore[arg-type]
