"""Scaffold: golden files for a small hand-written schema, object recognition, errors, CLI."""

from __future__ import annotations

from pathlib import Path

import pytest
from graphql import build_schema, parse, print_schema
from typer.testing import CliRunner

from twenty_gql.cli import app
from twenty_gql.codegen.scaffold import (
    STANDARD_OBJECTS,
    ScaffoldError,
    scaffold,
    write_scaffold,
)
from twenty_gql.schema.objects import find_objects

from .conftest import GOLDEN

SMALL = GOLDEN / "schema-small"
SCAFFOLD = ("scaffold", "--schema", str(SMALL / "schema.graphql"))
SMALL_SDL = (SMALL / "schema.graphql").read_text(encoding="utf-8")


def _expected() -> dict[str, str]:
    return {
        path.name: path.read_text(encoding="utf-8")
        for path in sorted((SMALL / "expected").glob("*.graphql"))
    }


def test_all_objects_match_the_golden_files() -> None:
    documents = scaffold(build_schema(SMALL_SDL), all_objects=True)
    expected = _expected()
    assert (
        sorted(documents)
        == sorted(expected)
        == [
            "company.graphql",
            "person.graphql",
            "pet.graphql",
        ]
    )
    for name, text in documents.items():
        assert text == expected[name], f"{name} differs from the golden file"


def test_output_does_not_depend_on_schema_order() -> None:
    # Reverse the order of every definition: the documents must be byte-identical.
    reversed_sdl = "\n\n".join(reversed(print_schema(build_schema(SMALL_SDL)).split("\n\n")))
    assert scaffold(build_schema(reversed_sdl), all_objects=True) == _expected()


def test_objects_are_recognised_by_twentys_naming_rules() -> None:
    objects = find_objects(build_schema(SMALL_SDL))
    assert {name: names.plural for name, names in objects.items()} == {
        "company": "companies",
        "person": "people",
        "pet": "pets",
    }
    # companyDuplicates returns [CompanyConnection!] but has no createCompanyDuplicates.
    assert "companyDuplicates" not in {names.plural for names in objects.values()}


def test_fragment_keeps_scalars_composites_and_relation_ids_only() -> None:
    person = _expected()["person.graphql"]
    fragment = person.split("\n\n")[0]
    assert "  companyId\n" in fragment
    assert "company {" not in fragment  # many-to-one object left out
    for composite in ("address {", "emails {", "name {", "phones {"):
        assert composite in fragment
    company = _expected()["company.graphql"].split("\n\n")[0]
    assert "people" not in company  # one-to-many connection left out
    assert "searchVector" not in company  # TSVector index column left out
    assert "annualRevenue {\n    amountMicros\n    currencyCode\n  }" in company


def test_every_scaffolded_document_parses_and_names_its_operations() -> None:
    operations = {
        definition.name.value
        for text in _expected().values()
        for definition in parse(text).definitions
        if definition.name is not None
    }
    assert {
        "PetFields",
        "GetPet",
        "ListPets",
        "CreatePets",
        "UpdatePet",
        "UpdatePets",
        "DeletePets",
        "RestorePets",
        "DestroyPets",
    } <= operations


def test_default_is_the_standard_objects_the_schema_has() -> None:
    assert set(scaffold(build_schema(SMALL_SDL))) == {"company.graphql", "person.graphql"}
    assert "company" in STANDARD_OBJECTS and "pet" not in STANDARD_OBJECTS


def test_a_chosen_subset() -> None:
    assert list(scaffold(build_schema(SMALL_SDL), ["pet"])) == ["pet.graphql"]


def test_unknown_object_is_named_with_the_available_ones() -> None:
    with pytest.raises(ScaffoldError, match=r"unknown object\(s\) invoice; the schema has: "):
        scaffold(build_schema(SMALL_SDL), ["pet", "invoice"])


def test_list_and_all_together_are_refused() -> None:
    with pytest.raises(ScaffoldError, match="not both"):
        scaffold(build_schema(SMALL_SDL), ["pet"], all_objects=True)


def test_a_schema_without_objects_is_refused() -> None:
    with pytest.raises(ScaffoldError, match="exposes no Twenty object"):
        scaffold(build_schema("type Query { hello: String }\ntype Mutation { x: Int }"))


def test_fields_that_collide_as_python_attributes_are_refused() -> None:
    sdl = SMALL_SDL.replace("  modelDump: Int\n", "  modelDump: Int\n  model_dump: Int\n")
    with pytest.raises(ScaffoldError, match=r"'modelDump' and 'model_dump'.*'model_dump_'"):
        scaffold(build_schema(sdl), ["pet"])


def test_write_scaffold_reports_an_unreadable_or_invalid_schema(tmp_path: Path) -> None:
    with pytest.raises(ScaffoldError, match="cannot read schema"):
        write_scaffold(tmp_path / "missing.graphql", tmp_path / "out")
    broken = tmp_path / "broken.graphql"
    broken.write_text("type Query {", encoding="utf-8")
    with pytest.raises(ScaffoldError, match=r"broken\.graphql is not a valid GraphQL schema"):
        write_scaffold(broken, tmp_path / "out")


def test_cli_writes_the_chosen_objects(tmp_path: Path) -> None:
    out = tmp_path / "queries"
    result = CliRunner().invoke(
        app,
        [*SCAFFOLD, "--out", str(out), "--objects", "pet, company"],
    )
    assert result.exit_code == 0, result.output
    assert sorted(path.name for path in out.iterdir()) == ["company.graphql", "pet.graphql"]
    assert (out / "pet.graphql").read_text(encoding="utf-8") == _expected()["pet.graphql"]


def test_cli_exits_2_naming_an_unknown_object(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        [*SCAFFOLD, "--out", str(tmp_path), "--objects", "invoice"],
    )
    assert result.exit_code == 2
    assert "unknown object(s) invoice" in result.output


def test_a_custom_object_created_through_metadata_is_found() -> None:
    reference = Path(__file__).parents[1] / "fixtures" / "reference"
    before = find_objects(build_schema((reference / "core.graphql").read_text(encoding="utf-8")))
    after_sdl = (reference / "core-after-custom-object.graphql").read_text(encoding="utf-8")
    after = find_objects(build_schema(after_sdl))
    assert len(before) == 33
    assert set(after) - set(before) == {"invoice"}
    assert after["invoice"].plural == "invoices"
    assert (
        "mutation CreateInvoices($data: [InvoiceCreateInput!]!, $upsert: Boolean)"
        in (scaffold(build_schema(after_sdl), ["invoice"])["invoice.graphql"])
    )
