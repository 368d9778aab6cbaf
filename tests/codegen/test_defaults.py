"""generate's built-in settings: what a user's codegen.toml gets, overrides and kinds."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from twenty_gql.cli import app
from twenty_gql.codegen.defaults import (
    BASE_CLIENT_TEMPLATE,
    BUILTIN_SETTINGS,
    MINIMAL_CONFIG,
    default_kind,
)
from twenty_gql.codegen.generate import (
    GENERATED_PACKAGE_INIT,
    GenerateError,
    MissingConfigError,
    check,
    generate,
    load_config,
)

from .conftest import GOLDEN, REPO, MakeProject

ID_AS_UUID = "twenty_gql.codegen.plugins.IdFieldsAsUuidPlugin"
CORE_PLUGINS = [
    ID_AS_UUID,
    "twenty_gql.codegen.plugins.NumberFieldsPlugin",
    "twenty_gql.codegen.plugins.ActorEitherNullabilityPlugin",
]


def _load(tmp_path: Path, text: str) -> dict[str, dict[str, object]]:
    path = tmp_path / "codegen.toml"
    path.write_text(text, encoding="utf-8")
    return {target.name: target.settings for target in load_config(path).targets}


def test_the_minimal_config_gets_every_built_in_and_the_core_plugins(tmp_path: Path) -> None:
    settings = _load(tmp_path, MINIMAL_CONFIG)["core"]
    for key, value in BUILTIN_SETTINGS.items():
        if key not in ("plugins", "target_package_path"):
            assert settings[key] == value, key
    assert settings["plugins"] == [*BUILTIN_SETTINGS["plugins"], *CORE_PLUGINS]
    assert settings["target_package_name"] == "my_twenty"
    assert settings["client_name"] == "CoreClient"
    assert "kind" not in settings  # not an ariadne-codegen setting
    # The base client template comes from the installed package, not the user's directory.
    template = Path(str(settings["base_client_file_path"]))
    assert template.is_absolute() and template == BASE_CLIENT_TEMPLATE
    assert "class GeneratedBaseClient(BaseClient)" in template.read_text(encoding="utf-8")


def test_defaults_then_target_keys_override_the_built_ins(tmp_path: Path) -> None:
    targets = _load(
        tmp_path,
        """
[defaults]
include_comments = "none"
lazy_imports = false

[targets.one]
schema_path = "s.graphql"
queries_path = "q"
target_package_name = "one"
lazy_imports = true

[targets.two]
schema_path = "s.graphql"
queries_path = "q"
target_package_name = "two"
""",
    )
    assert targets["one"]["include_comments"] == "none"
    assert targets["two"]["include_comments"] == "none"
    assert targets["one"]["lazy_imports"] is True
    assert targets["two"]["lazy_imports"] is False
    assert targets["two"]["defer_model_build"] is True  # untouched built-in


def test_scalars_merge_one_scalar_at_a_time(tmp_path: Path) -> None:
    scalars = _load(
        tmp_path,
        """
[defaults.scalars.UUID]
type = "str"

[defaults.scalars.Money]
type = "decimal.Decimal"

[targets.core]
schema_path = "s.graphql"
queries_path = "q"
target_package_name = "core"

[targets.core.scalars.Money]
type = "int"
""",
    )["core"]["scalars"]
    assert isinstance(scalars, dict)
    assert scalars["UUID"] == {"type": "str"}  # the whole entry: no built-in serialize left
    assert scalars["Money"] == {"type": "int"}  # the target's entry wins over [defaults]
    assert scalars["DateTime"] == BUILTIN_SETTINGS["scalars"]["DateTime"]
    assert set(scalars) == set(BUILTIN_SETTINGS["scalars"]) | {"Money"}


def test_a_plugins_list_replaces_the_built_ins_and_the_kind_adds_its_own(tmp_path: Path) -> None:
    targets = _load(
        tmp_path,
        """
[defaults]
plugins = ["my.plugins.First"]

[targets.core]
schema_path = "schema/core.graphql"
queries_path = "q"
target_package_name = "core"

[targets.meta]
schema_path = "schema/metadata.graphql"
queries_path = "q"
target_package_name = "meta"

[targets.own]
schema_path = "schema/core.graphql"
queries_path = "q"
target_package_name = "own"
plugins = ["my.plugins.Second", "twenty_gql.codegen.plugins.IdFieldsAsUuidPlugin"]
""",
    )
    assert targets["core"]["plugins"] == ["my.plugins.First", *CORE_PLUGINS]
    assert targets["meta"]["plugins"] == ["my.plugins.First"]
    assert targets["own"]["plugins"] == ["my.plugins.Second", *CORE_PLUGINS]


def test_kind_defaults_from_the_schema_file_name_and_can_be_set(tmp_path: Path) -> None:
    assert default_kind("schema/metadata.graphql") == "metadata"
    assert default_kind("schema\\metadata.graphql") == "metadata"
    assert default_kind("schema/core.graphql") == "core"
    assert default_kind("workspace.graphql") == "core"
    path = tmp_path / "codegen.toml"
    path.write_text(
        """
[targets.a]
kind = "metadata"
schema_path = "schema/meta-2024.graphql"
queries_path = "q"
target_package_name = "a"

[targets.b]
schema_path = "schema/metadata.graphql"
queries_path = "q"
target_package_name = "b"
kind = "core"
""",
        encoding="utf-8",
    )
    kinds = {target.name: target.kind for target in load_config(path).targets}
    assert kinds == {"a": "metadata", "b": "core"}
    committed = {target.name: target.kind for target in load_config(REPO / "codegen.toml").targets}
    assert committed == {"core": "core", "metadata": "metadata"}


def test_an_unknown_kind_names_the_target_and_the_value(tmp_path: Path) -> None:
    path = tmp_path / "codegen.toml"
    path.write_text(MINIMAL_CONFIG + 'kind = "records"\n', encoding="utf-8")
    with pytest.raises(GenerateError, match=r"target 'core': kind must be one of .*'records'"):
        load_config(path)


def test_a_missing_config_is_one_clear_line_and_the_minimal_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(MissingConfigError, match=r"no .*codegen\.toml"):
        load_config(tmp_path / "codegen.toml")
    monkeypatch.chdir(tmp_path)
    for args in (["generate"], ["generate", "--check"]):
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 2, result.output
        first, rest = result.stderr.split("\n", 1)
        assert first == (
            f"generate: no codegen.toml (in {tmp_path.resolve()}); "
            "write a minimal one and run again:"
        )
        assert rest == MINIMAL_CONFIG
        assert "Traceback" not in result.output
    assert list(tmp_path.iterdir()) == []


def test_the_readme_shows_the_minimal_config() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert f"```toml\n{MINIMAL_CONFIG}```" in readme


def test_generating_into_the_projects_own_directory_leaves_its_other_files_alone(
    make_project: MakeProject,
) -> None:
    root = make_project(GOLDEN / "schema-small" / "schema.graphql", None, "here_pkg")
    queries = GOLDEN / "schema-small" / "expected"
    for document in sorted(queries.glob("*.graphql")):
        (root / "queries" / document.name).write_text(document.read_text(), encoding="utf-8")
    config = root / "codegen.toml"
    config.write_text(
        config.read_text(encoding="utf-8").replace(
            'target_package_path = "out"', 'target_package_path = "."'
        ),
        encoding="utf-8",
    )
    (root / "app.py").write_text("import here_pkg\n", encoding="utf-8")
    (root / "__init__.py").write_text("# the user's own\n", encoding="utf-8")

    generate(config)

    assert (root / "here_pkg" / "client.py").is_file()
    assert (root / "__init__.py").read_text(encoding="utf-8") == "# the user's own\n"
    assert GENERATED_PACKAGE_INIT not in (root / "app.py").read_text(encoding="utf-8")
    assert [p.name for p in root.iterdir() if p.name.startswith(".")] == []
    assert check(config) == []
    (root / "here_pkg" / "client.py").write_text("# edited\n", encoding="utf-8")
    assert check(config) == ["here_pkg/client.py"]
