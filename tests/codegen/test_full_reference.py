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


# What a workspace changed after codegen answers: an unknown SELECT/MULTI_SELECT option, the
# BigInt double Twenty answered for the seeded surveyResult, 1.5 in an int NUMBER field.
OPEN_READS = """
import json
from ref_core import PetSpeciesEnum, PetTraitsEnum
from ref_core.get_pet import GetPet
from ref_core.get_survey_result import GetSurveyResult
from twenty_gql import UnknownEnumValue
actor = {"source": "API", "name": "key", "workspaceMemberId": None, "context": None}
record = {
    "id": "20202020-a305-41e7-8c72-ba44072a4c58", "position": 1,
    "createdAt": "2026-01-02T03:04:05.678Z", "updatedAt": "2026-01-02T03:04:05.678Z",
    "createdBy": actor, "updatedBy": dict(actor, name=None, source=None),
}
pet = dict(record, species="AXOLOTL", traits=["PLAYFUL", "SHY_BUT_CURIOUS"])
pet = GetPet.model_validate_json(json.dumps({"pet": pet})).pet
assert pet.species == UnknownEnumValue("AXOLOTL"), pet.species
assert pet.traits[0] is PetTraitsEnum.PLAYFUL and pet.traits[1] == "SHY_BUT_CURIOUS"
assert PetSpeciesEnum.DOG.value == "DOG" and pet.updated_by.name is None
survey = json.dumps({"surveyResult": record})[:-2]
survey += ', "averageEstimatedNumberOfAtomsInTheUniverse": 7.866767199974241e+73}}'
survey = GetSurveyResult.model_validate_json(survey).survey_result
assert survey.average_estimated_number_of_atoms_in_the_universe == int(7.866767199974241e+73)
print("ok")
"""


def _run(cwd: Path, script: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", script], cwd=cwd, capture_output=True, text=True, check=False
    )


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

    imported = _run(root / "out", IMPORT_ALL)
    assert imported.returncode == 0, imported.stderr
    models, attributes = (int(part) for part in imported.stdout.split())
    assert models > 33 * 8  # at least one result model per operation
    assert attributes > 33 * 8
    round_trip = _run(root / "out", PET_ROUND_TRIP)
    assert round_trip.stdout.strip() == "ok", round_trip.stderr
    fragments = (root / "out" / "ref_core" / "fragments.py").read_text(encoding="utf-8")
    assert "account_owner_id: Optional[UUID]" in fragments  # ID fields typed as UUID (core)
    # open enums and Twenty's NUMBER values, in results and in inputs
    assert "species: Optional[OpenEnum[PetSpeciesEnum]]" in fragments
    assert "traits: Optional[list[Optional[OpenEnum[PetTraitsEnum]]]]" in fragments
    assert "average_estimated_number_of_atoms_in_the_universe: Optional[Number]" in fragments
    assert "calendar_start_day: Number" in fragments  # Int! of a record: a NUMBER field
    inputs = (root / "out" / "ref_core" / "input_types.py").read_text(encoding="utf-8")
    assert "species: Optional[OpenEnum[PetSpeciesEnum]]" in inputs
    assert "OpenEnum[OrderByDirection]" not in inputs  # never answered: stays closed
    open_reads = _run(root / "out", OPEN_READS)
    assert open_reads.stdout.strip() == "ok", open_reads.stderr

    typed = mypy_strict(root / "out", "ref_core", tmp_path / "mypy-cache")
    assert typed.returncode == 0, typed.stdout + typed.stderr
