from __future__ import annotations

import pytest

from twenty_gql.batch.chunking import BatchPlanner, PlannedRow, RecordLimit, chunked
from twenty_gql.batch.dedupe import default_unique_keys
from twenty_gql.profiles import CLOUD


def rows(*datas: dict[str, object]) -> list[PlannedRow]:
    return [PlannedRow(index, dict(data)) for index, data in enumerate(datas)]


def plan(planner: BatchPlanner, planned: list[PlannedRow]) -> list[list[int]]:
    batches = []
    for row in planned:
        batches += planner.add(row)
    batches += planner.flush()
    return [[row.index for row in batch.rows] for batch in batches]


def test_chunked_cuts_at_size_and_rejects_zero() -> None:
    assert [list(c) for c in chunked([1, 2, 3, 4, 5], 2)] == [[1, 2], [3, 4], [5]]
    with pytest.raises(ValueError, match="at least 1"):
        list(chunked([1], 0))


def test_record_limit_only_goes_down_and_remembers_what_it_learned() -> None:
    limit = RecordLimit(CLOUD.records_per_call)
    assert limit.value == 60 and limit.learned is None
    limit.learn(200)
    assert limit.value == 60 and limit.learned is None
    limit.learn(25)
    assert limit.value == 25 and limit.learned == 25


def test_batches_fill_to_the_profile_limit_in_input_order() -> None:
    planner = BatchPlanner(RecordLimit(CLOUD.records_per_call), default_unique_keys("company"))
    planned = rows(*({"name": f"c{i}"} for i in range(130)))
    assert plan(planner, planned) == [
        list(range(60)),
        list(range(60, 120)),
        list(range(120, 130)),
    ]


def test_rows_sharing_a_key_go_to_later_batches_which_wait_for_the_earlier() -> None:
    planner = BatchPlanner(RecordLimit(3), default_unique_keys("person"))
    planned = rows(
        {"emails": {"primaryEmail": "ada@x.io"}},
        {"emails": {"primaryEmail": "ADA@X.IO"}},  # same person: emails match case-insensitively
        {"emails": {"primaryEmail": "bob@x.io"}},
        {"emails": {"primaryEmail": "ada@x.io"}},
        {"emails": {"primaryEmail": "cy@x.io"}},
    )
    out = []
    for row in planned:
        out += planner.add(row)
    out += planner.flush()
    assert [[r.index for r in b.rows] for b in out] == [[0, 2, 4], [1], [3]]
    assert out[1].after == {out[0].seq}
    assert out[2].after == {out[1].seq}


def test_a_row_matching_two_earlier_batches_waits_for_both() -> None:
    planner = BatchPlanner(RecordLimit(2), default_unique_keys("company"), max_open=8)
    planned = rows(
        {"id": "A", "name": "a"},
        {"domainName": {"primaryLinkUrl": "https://d.example"}},
        {"id": "a", "domainName": {"primaryLinkUrl": "https://d.example"}},
    )
    out = []
    for row in planned:
        out += planner.add(row)
    out += planner.flush()
    assert [[r.index for r in b.rows] for b in out] == [[0, 1], [2]]
    assert out[1].after == {out[0].seq}


def test_urls_are_keys_as_written_and_empty_values_are_no_key() -> None:
    planner = BatchPlanner(RecordLimit(10), default_unique_keys("company"))
    planned = rows(
        {"domainName": {"primaryLinkUrl": "https://a.example"}},
        {"domainName": {"primaryLinkUrl": "a.example"}},
        {"domainName": {"primaryLinkUrl": ""}},
        {"domainName": {"primaryLinkUrl": ""}},
    )
    assert plan(planner, planned) == [[0, 1, 2, 3]]


def test_landed_batches_release_their_keys() -> None:
    planner = BatchPlanner(RecordLimit(1), default_unique_keys("company"))
    (first,) = planner.add(PlannedRow(0, {"id": "x"}))
    assert planner.tracked_keys == 1
    planner.landed(first)
    assert planner.tracked_keys == 0
    (second,) = planner.add(PlannedRow(1, {"id": "x"}))
    assert second.after == set()


def test_too_many_open_batches_push_the_oldest_out_before_it_is_full() -> None:
    planner = BatchPlanner(RecordLimit(10), default_unique_keys("company"), max_open=2)
    ready = []
    for index in range(3):
        ready += planner.add(PlannedRow(index, {"id": "same"}))
    assert [[r.index for r in b.rows] for b in ready] == [[0]]


def test_a_lower_learned_limit_applies_to_batches_planned_afterwards() -> None:
    limit = RecordLimit(4)
    planner = BatchPlanner(limit, default_unique_keys("company"))
    ready = []
    for index in range(3):
        ready += planner.add(PlannedRow(index, {"name": str(index)}))
    limit.learn(2)
    ready += planner.add(PlannedRow(3, {"name": "3"}))
    # The open batch (3 rows) is now over the limit: it leaves as is (the lander re-cuts it) and
    # the new row starts a batch of the new size.
    assert [[r.index for r in b.rows] for b in ready] == [[0, 1, 2]]
    assert [[r.index for r in b.rows] for b in planner.flush()] == [[3]]


def test_custom_unique_fields_from_metadata_become_keys() -> None:
    from twenty_gql.batch.dedupe import UniqueKey, unique_keys_from_metadata

    keys = unique_keys_from_metadata(
        [
            {"name": "id", "type": "UUID", "isUnique": True},
            {"name": "reference", "type": "TEXT", "isUnique": True},
            {"name": "contact", "type": "EMAILS", "isUnique": True},
            {"name": "hotline", "type": "PHONES", "isUnique": True},
            {"name": "notes", "type": "TEXT", "isUnique": None},
        ]
    )
    assert keys == (
        UniqueKey("reference", ("reference",)),
        UniqueKey("contact", ("contact.primaryEmail",), casefold=True),
        UniqueKey(
            "hotline",
            (
                "hotline.primaryPhoneNumber",
                "hotline.primaryPhoneCountryCode",
                "hotline.primaryPhoneCallingCode",
            ),
        ),
    )
    planner = BatchPlanner(RecordLimit(10), default_unique_keys("invoice", keys))
    planned = rows(
        {"reference": "R1"}, {"contact": {"primaryEmail": "A@x.io"}}, {"reference": "R1"}
    )
    assert plan(planner, planned) == [[0, 1], [2]]
