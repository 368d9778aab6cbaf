"""scaffold --all + generate on the full reference schema (33 objects, 144 object types, 411
input types) in a temporary project: the package imports, every model builds, mypy --strict."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from twenty_gql.cli import app

from .conftest import REPO, MakeProject, mypy_strict

REFERENCE = REPO / "tests" / "fixtures" / "reference" / "core.graphql"

# Import every generated module and build every model (models are built lazily otherwise).
IMPORT_ALL = """
import importlib, pkgutil, sys
import pydantic
import ref_core
count = 0
for info in pkgutil.iter_modules(ref_core.__path__):
    module = importlib.import_module(f"ref_core.{info.name}")
    for value in vars(module).values():
        if isinstance(value, type) and issubclass(value, pydantic.BaseModel):
            if value.__module__ == module.__name__:
                value.model_rebuild(force=True)
                count += 1
print(count, len(dir(ref_core.CoreClient)))
"""

# A pet with a value for every field type the reference schema has.
PET_ROUND_TRIP = """
import datetime, decimal, json, uuid
from ref_core.get_pet import GetPet
actor = {"source": "API", "name": "key", "workspaceMemberId": None, "context": {"a": 1}}
pet = {
    "id": "20202020-a305-41e7-8c72-ba44072a4c58",
    "age": 3.5, "bio": "b", "birthday": "2020-02-29", "comments": None,
    "createdAt": "2026-01-02T03:04:05.678Z", "updatedAt": "2026-01-02T03:04:05.678Z",
    "createdBy": actor, "updatedBy": actor, "deletedAt": None,
    "averageCostOfKibblePerMonth": {"amountMicros": 2**60 + 1, "currencyCode": "EUR"},
    "extraData": {"nested": [1, "two", None]}, "interestingFacts": ["a", "b"],
    "isGoodWithKids": True,
    "location": {"addressCity": "Paris", "addressLat": 48.8566, "addressLng": 2.3522},
    "makesOwnerThinkOf": {"firstName": "Ada", "lastName": "Lovelace"},
    "name": "Rex", "pictures": {"primaryLinkUrl": "https://x.example", "secondaryLinks": []},
    "polymorphicOwnerRocketId": "20202020-b305-41e7-8c72-ba44072a4c58",
    "polymorphicOwnerSurveyResultId": None, "position": 2.5,
    "soundSwag": None, "species": None, "traits": [],
    "vetEmail": {"primaryEmail": "vet@example.com", "additionalEmails": ["a@example.com"]},
    "vetPhone": {"primaryPhoneNumber": "612345678", "primaryPhoneCountryCode": "FR",
                 "primaryPhoneCallingCode": "+33", "additionalPhones": []},
}
node = GetPet.model_validate({"pet": pet}).pet
assert node.average_cost_of_kibble_per_month.amount_micros == decimal.Decimal(2**60 + 1)
assert node.birthday == datetime.date(2020, 2, 29)
assert isinstance(node.polymorphic_owner_rocket_id, uuid.UUID)
assert node.extra_data == {"nested": [1, "two", None]}
wire = json.loads(json.dumps(node.model_dump(by_alias=True, mode="json")))
assert GetPet.model_validate({"pet": wire}).pet == node
print("ok")
"""


def test_scaffold_all_and_generate_the_reference_schema(
    make_project: MakeProject, tmp_path: Path
) -> None:
    root = make_project(REFERENCE, None, "ref_core", "CoreClient", like="core")
    runner = CliRunner()
    scaffolded = runner.invoke(
        app,
        [
            "scaffold",
            "--schema",
            str(root / "schema.graphql"),
            "--out",
            str(root / "queries"),
            "--all",
        ],
    )
    assert scaffolded.exit_code == 0, scaffolded.output
    documents = sorted(path.stem for path in (root / "queries").glob("*.graphql"))
    assert len(documents) == 33
    assert {"pet", "surveyResult", "rocket", "company", "workspaceMember"} <= set(documents)

    generated = runner.invoke(app, ["generate", "--config", str(root / "codegen.toml")])
    assert generated.exit_code == 0, generated.output

    imported = subprocess.run(
        [sys.executable, "-c", IMPORT_ALL],
        cwd=root / "out",
        capture_output=True,
        text=True,
        check=False,
    )
    assert imported.returncode == 0, imported.stderr
    models, attributes = (int(part) for part in imported.stdout.split())
    assert models > 33 * 8  # at least one result model per operation
    assert attributes > 33 * 8
    round_trip = subprocess.run(
        [sys.executable, "-c", PET_ROUND_TRIP],
        cwd=root / "out",
        capture_output=True,
        text=True,
        check=False,
    )
    assert round_trip.stdout.strip() == "ok", round_trip.stderr
    fragments = (root / "out" / "ref_core" / "fragments.py").read_text(encoding="utf-8")
    assert "account_owner_id: Optional[UUID]" in fragments  # ID fields typed as UUID (core)

    typed = mypy_strict(root / "out", "ref_core", tmp_path / "mypy-cache")
    assert typed.returncode == 0, typed.stdout + typed.stderr
