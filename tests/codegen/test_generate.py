"""generate: codegen.toml targets, fresh output replacing the package, --check, name escaping."""

from __future__ import annotations

import importlib
import inspect
import os
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from twenty_gql.cli import app
from twenty_gql.codegen.generate import GenerateError, check, generate, load_config

from .conftest import GOLDEN, REPO, MakeProject, mypy_strict

SMALL = GOLDEN / "schema-small"


def _golden_project(make_project: MakeProject, package: str) -> Path:
    root = make_project(SMALL / "schema.graphql", SMALL / "expected", package, "GoldenClient")
    generate(root / "codegen.toml")
    return root


def _import(root: Path, package: str, monkeypatch: pytest.MonkeyPatch) -> object:
    monkeypatch.syspath_prepend(str(root / "out"))
    return importlib.import_module(package)


def test_committed_config_has_core_and_metadata_targets() -> None:
    config = load_config(REPO / "codegen.toml")
    settings = {target.name: target.settings for target in config.targets}
    assert sorted(settings) == ["core", "metadata"]
    assert settings["core"]["client_name"] == "CoreClient"
    assert settings["metadata"]["client_name"] == "MetadataClient"
    for target in settings.values():
        assert target["async_client"] is True
        assert target["include_all_inputs"] is False
        assert target["include_all_enums"] is False
        assert target["convert_to_snake_case"] is True
        assert target["scalars"]["BigFloat"]["type"] == "decimal.Decimal"
        assert target["scalars"]["UUID"]["type"] == "uuid.UUID"


def test_committed_generated_code_is_up_to_date() -> None:
    assert check(REPO / "codegen.toml") == []


def test_keyword_and_pydantic_names_round_trip(
    make_project: MakeProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _golden_project(make_project, "golden_roundtrip")
    _import(root, "golden_roundtrip", monkeypatch)
    fragments = importlib.import_module("golden_roundtrip.fragments")
    inputs = importlib.import_module("golden_roundtrip.input_types")
    wire = {
        "id": "20202020-a305-41e7-8c72-ba44072a4c58",
        "from": "from",
        "json": "json",
        "schema": "schema",
        "class": "class",
        "import": "import",
        "copy": "copy",
        "self": "self",
        "model_config": "model_config",
        "modelDump": 7,
        "modelFields": "fields",
        "date": "2024-02-29",
        "datetime": "2024-02-29T12:00:00Z",
        "type": "type",
        "validate": True,
        "async": False,
        "list": ["a"],
        "float": 1.5,
        "dict": {"any": ["json"]},
        "files": [{"fileId": "20202020-a305-41e7-8c72-ba44072a4c58", "label": "cv.pdf"}],
        "traits": ["FROM", "CLASS"],
        "species": "NONE",
    }
    pet = fragments.PetFields.model_validate(wire)
    assert (pet.from_, pet.json_, pet.schema_, pet.class_, pet.self) == (
        "from",
        "json",
        "schema",
        "class",
        "self",
    )
    assert (pet.model_config_, pet.model_dump_, pet.model_fields_) == ("model_config", 7, "fields")
    assert pet.date.isoformat() == "2024-02-29"
    dumped = pet.model_dump(by_alias=True, mode="json", exclude_unset=True)
    assert dumped == {**wire, "datetime": "2024-02-29T12:00:00Z"}
    assert fragments.PetFields.model_validate(dumped) == pet

    new_pet = inputs.PetCreateInput(from_="here", json_="j", schema_="s", model_config_="m")
    assert new_pet.model_dump(by_alias=True, exclude_unset=True) == {
        "from": "here",
        "json": "j",
        "schema": "s",
        "model_config": "m",
    }


def test_generated_golden_package_is_mypy_strict_clean(
    make_project: MakeProject, tmp_path: Path
) -> None:
    root = _golden_project(make_project, "golden_mypy")
    result = mypy_strict(root / "out", "golden_mypy", tmp_path / "mypy-cache")
    assert result.returncode == 0, result.stdout + result.stderr


def test_generate_replaces_the_package_and_removes_stale_modules(
    make_project: MakeProject,
) -> None:
    root = _golden_project(make_project, "golden_stale")
    package = root / "out" / "golden_stale"
    stale = package / "list_invoices.py"
    stale.write_text("raise ImportError('stale')\n", encoding="utf-8")
    (package / "client.py").write_text("# edited by hand\n", encoding="utf-8")
    (root / "queries" / "person.graphql").unlink()

    generate(root / "codegen.toml")

    assert not stale.exists()
    assert not (package / "list_people.py").exists()
    assert (package / "list_pets.py").exists()
    assert "edited by hand" not in (package / "client.py").read_text(encoding="utf-8")
    assert (root / "out" / "__init__.py").exists()
    assert [p.name for p in (root / "out").iterdir() if p.name.startswith(".")] == []


def test_check_lists_changed_missing_and_stale_files(make_project: MakeProject) -> None:
    root = _golden_project(make_project, "golden_check")
    config = root / "codegen.toml"
    assert check(config) == []
    package = root / "out" / "golden_check"
    (package / "client.py").write_text("# edited by hand\n", encoding="utf-8")
    (package / "get_pet.py").unlink()
    (package / "list_invoices.py").write_text("", encoding="utf-8")
    before = sorted(p.name for p in package.iterdir())

    assert check(config) == [
        "out/golden_check/client.py",
        "out/golden_check/get_pet.py",
        "out/golden_check/list_invoices.py",
    ]
    assert sorted(p.name for p in package.iterdir()) == before  # --check writes nothing


def test_cli_check_exits_1_with_the_differing_files(
    make_project: MakeProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _golden_project(make_project, "golden_cli")
    config = str(root / "codegen.toml")
    runner = CliRunner()
    assert runner.invoke(app, ["generate", "--config", config, "--check"]).exit_code == 0
    (root / "out" / "golden_cli" / "enums.py").write_text("", encoding="utf-8")
    result = runner.invoke(app, ["generate", "--config", config, "--check"])
    assert result.exit_code == 1
    assert "out/golden_cli/enums.py" in result.output
    result = runner.invoke(app, ["generate", "--config", config])
    assert result.exit_code == 0, result.output
    assert runner.invoke(app, ["generate", "--config", config, "--check"]).exit_code == 0


def test_generation_does_not_move_the_working_directory(make_project: MakeProject) -> None:
    before = os.getcwd()
    _golden_project(make_project, "golden_cwd")
    assert os.getcwd() == before


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[defaults]\n", "defines no [targets.<name>] section"),
        ("[tool.ariadne-codegen]\nschema_path = 'x'\n", "unknown section(s) tool"),
        ("[targets.core]\nqueries_path = 'q'\ntarget_package_name = 'c'\n", "'schema_path'"),
        ("[targets.core\n", "is not valid TOML"),
    ],
)
def test_bad_config_is_named(tmp_path: Path, text: str, message: str) -> None:
    config = tmp_path / "codegen.toml"
    config.write_text(text, encoding="utf-8")
    with pytest.raises(GenerateError, match=re.escape(message)):
        load_config(config)


def test_an_invalid_operation_names_the_target(make_project: MakeProject) -> None:
    root = make_project(SMALL / "schema.graphql", SMALL / "expected", "golden_bad")
    (root / "queries" / "bad.graphql").write_text(
        "query Bad { pets { edges { node { notAField } } } }\n", encoding="utf-8"
    )
    with pytest.raises(GenerateError, match=r"target 'golden_bad'.*notAField"):
        generate(root / "codegen.toml")
    assert not (root / "out" / "golden_bad").exists()


def test_argument_names_only_shadowing_builtins_stay_plain(
    make_project: MakeProject, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    root = make_project(SMALL / "schema.graphql", None, "golden_args")
    (root / "queries" / "odd.graphql").write_text(
        "query OddNames($filter: PetFilterInput, $object: PetFilterInput, $type: Int,"
        " $from: String) {\n"
        "  pets(filter: {and: [$filter, $object]}, first: $type, after: $from) { totalCount }\n"
        "}\n",
        encoding="utf-8",
    )
    generate(root / "codegen.toml")
    package = _import(root, "golden_args", monkeypatch)
    parameters = inspect.signature(package.Client.odd_names).parameters  # type: ignore[attr-defined]
    # `filter`/`type` only shadow builtins; `object` is used in the method body; `from` is a
    # keyword.
    assert list(parameters) == ["self", "filter", "object_", "type", "from_", "kwargs"]
    typed = mypy_strict(root / "out", "golden_args", tmp_path / "mypy-cache")
    assert typed.returncode == 0, typed.stdout + typed.stderr
