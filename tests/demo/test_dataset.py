from __future__ import annotations

import csv
from pathlib import Path

import pytest

from twenty_gql.demo.dataset import write_demo_dataset


def test_same_seed_gives_identical_bytes(tmp_path: Path) -> None:
    first = write_demo_dataset(tmp_path / "a", companies=50, people=120)
    second = write_demo_dataset(tmp_path / "b", companies=50, people=120)
    assert first.companies.read_bytes() == second.companies.read_bytes()
    assert first.people.read_bytes() == second.people.read_bytes()
    other = write_demo_dataset(tmp_path / "c", companies=50, people=120, seed=7)
    assert other.companies.read_bytes() != first.companies.read_bytes()


def test_counts_and_unique_keys(tmp_path: Path) -> None:
    files = write_demo_dataset(tmp_path, companies=50, people=120)
    with files.companies.open() as handle:
        companies = list(csv.DictReader(handle))
    with files.people.open() as handle:
        people = list(csv.DictReader(handle))
    assert len(companies) == files.company_rows == 50 + 3
    assert len(people) == files.person_rows == 120 + 1
    emails = [row["emails.primaryEmail"] for row in people]
    assert len(set(emails)) == len(emails)
    domains = {row["domainName.primaryLinkUrl"] for row in companies}
    # Every person but the deliberate orphan works at a company of the file.
    orphans = [row for row in people if row["company.domainName"] not in domains]
    assert [row["name.firstName"] for row in orphans] == ["Nobody"]


def test_too_small_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="at least"):
        write_demo_dataset(tmp_path, companies=2, people=2)
