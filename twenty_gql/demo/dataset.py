"""A deterministic demo data set: companies and the people who work there, as CSV files.

The same ``seed`` always gives byte-identical files. A few rows are bad on purpose, each kind
caught at a different place, so the demo shows how every one of them is reported:

- a number that does not parse (caught while reading, before anything is sent);
- a value outside a SELECT field's options (caught against the schema, before sending);
- a person whose company does not exist (caught while resolving the relation);
- a company whose ``id`` names one record while its domain names another (only the server can
  tell: ``UPSERT_MULTIPLE_MATCHING_RECORDS_CONFLICT``; found by splitting the failed batch).
"""

from __future__ import annotations

import csv
import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

__all__ = ["DemoFiles", "write_demo_dataset"]

_NAMESPACE = uuid.UUID("6f1d9b3e-2a51-4c0e-9d6a-51b1f0c2e7a4")
_SYLLABLES = (
    "ar",
    "bel",
    "cor",
    "dan",
    "el",
    "fin",
    "gra",
    "hol",
    "is",
    "jun",
    "kel",
    "lum",
    "mor",
    "nex",
    "or",
    "pra",
    "quin",
    "ros",
    "sol",
    "tor",
    "ul",
    "vel",
    "wen",
    "zan",
)
_SUFFIXES = ("Labs", "Systems", "Works", "Analytics", "Logistics", "Health", "Energy", "Foods")
_CITIES = (
    ("Paris", "France"),
    ("Berlin", "Germany"),
    ("Lisbon", "Portugal"),
    ("Austin", "United States"),
    ("Toronto", "Canada"),
    ("Osaka", "Japan"),
)
_FIRST = (
    "Ada",
    "Alan",
    "Grace",
    "Linus",
    "Barbara",
    "Ken",
    "Margaret",
    "Dennis",
    "Frances",
    "Edsger",
    "Radia",
    "Tim",
    "Hedy",
    "John",
    "Katherine",
    "Donald",
)
_LAST = (
    "Lovelace",
    "Turing",
    "Hopper",
    "Torvalds",
    "Liskov",
    "Thompson",
    "Hamilton",
    "Ritchie",
    "Allen",
    "Dijkstra",
    "Perlman",
    "Berners-Lee",
    "Lamarr",
    "Backus",
    "Johnson",
    "Knuth",
)
_JOBS = ("Engineer", "Designer", "Account Executive", "CFO", "Data Scientist", "Support Lead")
_WORK_POLICIES = ("ON_SITE", "HYBRID", "REMOTE_WORK")

COMPANY_COLUMNS = (
    "id",
    "name",
    "domainName.primaryLinkUrl",
    "employees",
    "address.addressCity",
    "address.addressCountry",
    "annualRevenue.amountMicros",
    "annualRevenue.currencyCode",
    "workPolicy",
    "visaSponsorship",
)
PERSON_COLUMNS = (
    "name.firstName",
    "name.lastName",
    "emails.primaryEmail",
    "jobTitle",
    "phones.primaryPhoneNumber",
    "company.domainName",
)


@dataclass(frozen=True, slots=True)
class DemoFiles:
    companies: Path
    people: Path
    company_rows: int
    person_rows: int
    bad_rows: int


def _company_id(index: int) -> str:
    return str(uuid.uuid5(_NAMESPACE, f"company-{index}"))


def _company_name(rng: random.Random) -> str:
    word = "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 3)))
    return f"{word.capitalize()} {rng.choice(_SUFFIXES)}"


def _companies(rng: random.Random, count: int) -> Iterator[dict[str, str]]:
    for index in range(count):
        city, country = rng.choice(_CITIES)
        yield {
            "id": _company_id(index),
            "name": _company_name(rng),
            "domainName.primaryLinkUrl": f"https://company-{index:05d}.example",
            "employees": str(rng.randint(1, 5000)),
            "address.addressCity": city,
            "address.addressCountry": country,
            # Micros of a currency unit: large enough to lose precision as a float.
            "annualRevenue.amountMicros": str(rng.randint(10**9, 10**17)),
            "annualRevenue.currencyCode": rng.choice(("USD", "EUR", "JPY")),
            "workPolicy": rng.choice(_WORK_POLICIES),
            "visaSponsorship": rng.choice(("true", "false")),
        }


def _people(rng: random.Random, count: int, companies: int) -> Iterator[dict[str, str]]:
    for index in range(count):
        first, last = rng.choice(_FIRST), rng.choice(_LAST)
        yield {
            "name.firstName": first,
            "name.lastName": last,
            "emails.primaryEmail": f"{first}.{last}.{index}@people.example".lower(),
            "jobTitle": rng.choice(_JOBS),
            "phones.primaryPhoneNumber": f"555{index:07d}",
            "company.domainName": f"https://company-{index % companies:05d}.example",
        }


def _bad_companies(companies: int) -> list[tuple[int, dict[str, str]]]:
    """(position to insert at, row) for each deliberately bad company row."""
    base = {column: "" for column in COMPANY_COLUMNS}
    not_a_number = {
        **base,
        "name": "Unparsable Employees Inc",
        "employees": "many",
        "domainName.primaryLinkUrl": "https://bad-employees.example",
    }
    bad_option = {
        **base,
        "name": "Bad Policy Ltd",
        "workPolicy": "SOMETIMES",
        "domainName.primaryLinkUrl": "https://bad-policy.example",
    }
    # id of company 3, domain of company 7: the server cannot tell which record to update.
    conflict = {
        **base,
        "id": _company_id(3),
        "name": "Conflicted Corp",
        "domainName.primaryLinkUrl": "https://company-00007.example",
    }
    return [(companies // 3, not_a_number), (companies // 2, bad_option), (companies, conflict)]


def _bad_people(people: int) -> list[tuple[int, dict[str, str]]]:
    base = {column: "" for column in PERSON_COLUMNS}
    orphan = {
        **base,
        "name.firstName": "Nobody",
        "name.lastName": "Anywhere",
        "emails.primaryEmail": "nobody@people.example",
        "company.domainName": "https://no-such-company.example",
    }
    return [(people // 4, orphan)]


def _write(
    path: Path,
    columns: tuple[str, ...],
    rows: Iterator[dict[str, str]],
    bad: list[tuple[int, dict[str, str]]],
) -> int:
    pending = sorted(bad, key=lambda item: item[0])
    written = 0
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        for position, row in enumerate(rows):
            while pending and pending[0][0] == position:
                writer.writerow(pending.pop(0)[1])
                written += 1
            writer.writerow(row)
            written += 1
        for _, row in pending:
            writer.writerow(row)
            written += 1
    return written


def write_demo_dataset(
    directory: Path, *, companies: int = 1000, people: int = 3000, seed: int = 2026
) -> DemoFiles:
    """Write ``companies.csv`` and ``people.csv`` into ``directory``; same seed, same bytes."""
    if companies < 10 or people < 4:
        raise ValueError("the demo needs at least 10 companies and 4 people")
    directory.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    bad_companies, bad_people = _bad_companies(companies), _bad_people(people)
    company_path, people_path = directory / "companies.csv", directory / "people.csv"
    company_rows = _write(company_path, COMPANY_COLUMNS, _companies(rng, companies), bad_companies)
    person_rows = _write(people_path, PERSON_COLUMNS, _people(rng, people, companies), bad_people)
    return DemoFiles(
        companies=company_path,
        people=people_path,
        company_rows=company_rows,
        person_rows=person_rows,
        bad_rows=len(bad_companies) + len(bad_people),
    )
