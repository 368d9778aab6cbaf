"""generate refuses core operations Twenty refuses or mis-answers, before ariadne-codegen runs."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from twenty_gql.cli import app
from twenty_gql.codegen.generate import GenerateError, generate

from .conftest import GOLDEN, REPO, MakeProject

SMALL = GOLDEN / "schema-small"

# Line numbers below are those of the operation at fault in each file.
NESTED_ALIAS = """\
query ListCompanyNames {
  companies {
    list: edges {
      node { id }
    }
  }
}
"""
NESTED_ONE_TO_MANY = """\
query DeepPeople {
  people {
    edges { node { company { people { edges { node {
      company { people { totalCount } }
    } } } } } }
  }
}
"""
DUPLICATE_ROOT = """\
query TwoCompanyPages {
  first: companies(first: 1) { totalCount }
  second: companies(first: 2) { totalCount }
}
"""


def _snapshot(directory: Path) -> dict[str, bytes]:
    return {
        path.relative_to(directory).as_posix(): path.read_bytes()
        for path in sorted(directory.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    }


@pytest.fixture
def generated(make_project: MakeProject) -> Path:
    """A project whose package was generated from good operations."""
    root = make_project(SMALL / "schema.graphql", SMALL / "expected", "refusing", "Client")
    generate(root / "codegen.toml")
    return root


@pytest.mark.parametrize(
    ("file_text", "where", "operation", "rule"),
    [
        (NESTED_ALIAS, "3:5", "ListCompanyNames", "nested-alias"),
        (NESTED_ONE_TO_MANY, "4:17", "DeepPeople", "nested-one-to-many"),
        (DUPLICATE_ROOT, "3:3", "TwoCompanyPages", "duplicate-root-field"),
    ],
)
def test_cli_exits_2_naming_file_line_operation_and_rule(
    generated: Path, file_text: str, where: str, operation: str, rule: str
) -> None:
    package = generated / "out" / "refusing"
    before = _snapshot(package)
    (generated / "queries" / "zz_bad.graphql").write_text(file_text, encoding="utf-8")
    config = str(generated / "codegen.toml")
    runner = CliRunner()
    for args in (["generate", "--config", config], ["generate", "--config", config, "--check"]):
        result = runner.invoke(app, args)
        assert result.exit_code == 2, result.output
        lines = result.output.splitlines()
        assert lines[0].startswith("generate: target 'refusing': 1 finding(s)"), result.output
        assert lines[1].startswith(
            f"queries/zz_bad.graphql:{where}: operation {operation}: {rule}:"
        )
        assert len(lines) == 2, result.output
    assert _snapshot(package) == before
    assert not any(p.name.startswith(".twenty-gql") for p in generated.iterdir())


def test_every_finding_of_every_file_is_listed_in_file_order(generated: Path) -> None:
    queries = generated / "queries"
    (queries / "a_alias.graphql").write_text(NESTED_ALIAS, encoding="utf-8")
    (queries / "b_dup.graphql").write_text(DUPLICATE_ROOT + NESTED_ONE_TO_MANY, encoding="utf-8")
    with pytest.raises(GenerateError) as caught:
        generate(generated / "codegen.toml")
    lines = str(caught.value).splitlines()
    assert lines[0] == (
        "target 'refusing': 3 finding(s) in operations Twenty would refuse or mis-answer; "
        "nothing generated:"
    )
    assert [line.split(": ")[0] for line in lines[1:]] == [
        "queries/a_alias.graphql:3:5",
        "queries/b_dup.graphql:3:3",
        "queries/b_dup.graphql:8:17",
    ]


def test_a_fragment_in_another_file_is_followed_to_its_own_file(generated: Path) -> None:
    queries = generated / "queries"
    (queries / "frag.graphql").write_text(
        "fragment Names on Company {\n  label: name\n}\n", encoding="utf-8"
    )
    (queries / "use.graphql").write_text(
        "query Names { companies { edges { node { ...Names } } } }\n", encoding="utf-8"
    )
    with pytest.raises(GenerateError, match=r"queries/frag\.graphql:2:3: operation Names: "):
        generate(generated / "codegen.toml")


def test_root_aliases_and_same_name_aliases_generate(generated: Path) -> None:
    (generated / "queries" / "fine.graphql").write_text(
        "query TwoLists {\n  list: companies { edges: edges { node { id } } }\n"
        "  persons: people { totalCount }\n}\n",
        encoding="utf-8",
    )
    generate(generated / "codegen.toml")
    assert (generated / "out" / "refusing" / "two_lists.py").is_file()


def test_metadata_targets_are_not_checked(make_project: MakeProject) -> None:
    # The rules are those of the records API (/graphql); /metadata answers aliases normally.
    root = make_project(SMALL / "schema.graphql", None, "meta_kind", like="metadata")
    (root / "queries" / "alias.graphql").write_text(NESTED_ALIAS, encoding="utf-8")
    generate(root / "codegen.toml")
    assert (root / "out" / "meta_kind" / "list_company_names.py").is_file()


def test_committed_core_operations_pass() -> None:
    from twenty_gql.codegen.generate import load_config
    from twenty_gql.codegen.operation_check import refused_operations

    assert refused_operations(load_config(REPO / "codegen.toml")) == []
