"""Demo records: a small, deterministic workspace to explore and test against."""

from __future__ import annotations

import random
import uuid
from typing import Any

from .metadata import WorkspaceMetadata
from .records import Records

__all__ = ["seed_demo"]

_COMPANIES = (
    ("Airbnb", "airbnb.com", "San Francisco", "United States", 5000),
    ("Anthropic", "anthropic.com", "San Francisco", "United States", 1000),
    ("Back Market", "backmarket.com", "Paris", "France", 700),
    ("Blablacar", "blablacar.com", "Paris", "France", 800),
    ("Datadog", "datadoghq.com", "New York", "United States", 5500),
    ("Doctolib", "doctolib.fr", "Paris", "France", 2800),
    ("Figma", "figma.com", "San Francisco", "United States", 1300),
    ("GitHub", "github.com", "San Francisco", "United States", 3000),
    ("Hugging Face", "huggingface.co", "New York", "United States", 400),
    ("Klarna", "klarna.com", "Stockholm", "Sweden", 5000),
    ("Linear", "linear.app", "San Francisco", "United States", 100),
    ("Mistral AI", "mistral.ai", "Paris", "France", 600),
    ("Notion", "notion.so", "San Francisco", "United States", 800),
    ("Qonto", "qonto.com", "Paris", "France", 1400),
    ("Revolut", "revolut.com", "London", "United Kingdom", 8000),
    ("Spotify", "spotify.com", "Stockholm", "Sweden", 9000),
    ("Stripe", "stripe.com", "San Francisco", "United States", 8000),
    ("Twenty", "twenty.com", "Paris", "France", 30),
    ("Vercel", "vercel.com", "San Francisco", "United States", 600),
    ("Zapier", "zapier.com", "Remote", "United States", 800),
)
_FIRST = ("Ada", "Alan", "Grace", "Linus", "Margaret", "Ken", "Barbara", "Dennis", "Radia", "Tim")
_LAST = ("Lovelace", "Turing", "Hopper", "Torvalds", "Hamilton", "Thompson", "Liskov", "Ritchie")
_STAGES = ("NEW", "SCREENING", "MEETING", "PROPOSAL", "CUSTOMER")

SEED_ACTOR: dict[str, Any] = {
    "source": "MANUAL",
    "workspaceMemberId": None,
    "name": "Sandbox seed",
    "context": {},
}


def _id(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def seed_demo(records: Records, meta: WorkspaceMetadata) -> None:
    """Workspace member, 20 companies, 40 people, opportunities, notes and tasks."""
    rng = random.Random(20)
    objects = meta.objects
    member_id = _id(rng)
    records.create_many(
        objects["workspaceMember"],
        [
            {
                "id": member_id,
                "name": {"firstName": "Sandbox", "lastName": "Owner"},
                "userId": _id(rng),
                "userEmail": "owner@sandbox.example",
                "colorScheme": "System",
                "locale": "en",
                "timeZone": "UTC",
            }
        ],
        False,
        SEED_ACTOR,
    )
    companies: list[dict[str, Any]] = [
        {
            "id": _id(rng),
            "name": name,
            "domainName": {"primaryLinkUrl": f"https://{domain}"},
            "address": {"addressCity": city, "addressCountry": country},
            "employees": employees,
            "accountOwnerId": member_id,
            "annualRevenue": {
                "amountMicros": employees * 150_000 * 1_000_000,
                "currencyCode": "USD",
            },
        }
        for name, domain, city, country, employees in _COMPANIES
    ]
    records.create_many(objects["company"], companies, False, SEED_ACTOR)
    people = []
    for i in range(40):
        first, last = _FIRST[i % len(_FIRST)], _LAST[(i * 3) % len(_LAST)]
        company = companies[i % len(companies)]
        domain = company["domainName"]["primaryLinkUrl"].removeprefix("https://")
        people.append(
            {
                "id": _id(rng),
                "name": {"firstName": first, "lastName": last},
                "emails": {"primaryEmail": f"{first}.{last}{i}@{domain}".lower()},
                "jobTitle": rng.choice(("CEO", "CTO", "Engineer", "Designer", "Sales")),
                "companyId": company["id"],
            }
        )
    records.create_many(objects["person"], people, False, SEED_ACTOR)
    opportunities = [
        {
            "id": _id(rng),
            "name": f"{company['name']} deal",
            "amount": {"amountMicros": rng.randint(1, 500) * 1_000_000_000, "currencyCode": "USD"},
            "stage": _STAGES[i % len(_STAGES)],
            "companyId": company["id"],
            "pointOfContactId": people[i]["id"],
        }
        for i, company in enumerate(companies[:10])
    ]
    records.create_many(objects["opportunity"], opportunities, False, SEED_ACTOR)
    notes = [{"id": _id(rng), "title": f"Call with {c['name']}"} for c in companies[:5]]
    records.create_many(objects["note"], notes, False, SEED_ACTOR)
    records.create_many(
        objects["noteTarget"],
        [
            {"noteId": n["id"], "targetCompanyId": c["id"]}
            for n, c in zip(notes, companies, strict=False)
        ],
        False,
        SEED_ACTOR,
    )
    tasks = [
        {"id": _id(rng), "title": f"Follow up with {c['name']}", "status": "TODO"}
        for c in companies[5:10]
    ]
    records.create_many(objects["task"], tasks, False, SEED_ACTOR)
    records.create_many(
        objects["taskTarget"],
        [
            {"taskId": t["id"], "targetCompanyId": c["id"]}
            for t, c in zip(tasks, companies[5:10], strict=True)
        ],
        False,
        SEED_ACTOR,
    )
