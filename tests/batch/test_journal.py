from __future__ import annotations

from pathlib import Path

import pytest

from twenty_gql.batch.journal import Journal, JournalError, JournalFailure, to_ranges


def test_ranges_are_half_open_and_merged() -> None:
    assert to_ranges([5, 0, 1, 2, 6, 9]) == [[0, 3], [5, 7], [9, 10]]
    assert to_ranges([]) == []


async def test_entries_survive_reopening_and_a_torn_last_line_is_dropped(tmp_path: Path) -> None:
    path = tmp_path / "j.jsonl"
    journal = await Journal.open(path, "k")
    await journal.record([0, 1, 2], [(1, JournalFailure("BAD_USER_INPUT", None, "x", "nope"))])
    await journal.record([5, 3, 4], [])
    await journal.close()
    with path.open("a") as handle:
        handle.write('{"rows": [[6, 9')  # the kill -9 came mid-write
    again = await Journal.open(path, "k")
    assert [again.covers(i) for i in range(8)] == [True] * 6 + [False] * 2
    assert again.failure(1) == JournalFailure("BAD_USER_INPUT", None, "x", "nope")
    await again.record([6], [])
    await again.close()
    lines = path.read_text().splitlines()
    assert lines[-1] == '{"rows":[[6,7]]}'


async def test_a_journal_of_another_job_is_refused_by_name(tmp_path: Path) -> None:
    path = tmp_path / "j.jsonl"
    journal = await Journal.open(path, "k1")
    await journal.close()
    with pytest.raises(JournalError, match="belongs to another job"):
        await Journal.open(path, "k2")
    for first_line in ("hello", '["rows", 1]', '"text"'):  # not JSON, or JSON but no object
        path.write_text(first_line + "\n")
        with pytest.raises(JournalError, match="not a twenty-gql journal"):
            await Journal.open(path, "k1")
