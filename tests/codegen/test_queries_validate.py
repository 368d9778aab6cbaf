"""The committed operations in queries/ validate against the committed schema/ (graphql-core)."""

from __future__ import annotations

from pathlib import Path

import pytest
from graphql import (
    GraphQLSchema,
    OperationDefinitionNode,
    build_schema,
    parse,
    validate,
)
from graphql.validation import NoUnusedFragmentsRule, specified_rules

from twenty_gql.codegen.scaffold import STANDARD_OBJECTS
from twenty_gql.operation_rules import find_violations

from .conftest import GOLDEN, REPO

# ariadne-codegen skips NoUnusedFragments too: each file's fragments are shared by the directory.
RULES = [rule for rule in specified_rules if rule is not NoUnusedFragmentsRule]


def _schema(path: Path) -> GraphQLSchema:
    return build_schema(path.read_text(encoding="utf-8"))


def _directory_document(directory: Path) -> str:
    files = sorted(directory.glob("*.graphql"))
    assert files, f"no .graphql file in {directory}"
    return "\n".join(path.read_text(encoding="utf-8") for path in files)


@pytest.mark.parametrize(
    ("schema", "queries"),
    [
        ("schema/core.graphql", "queries/core"),
        ("schema/metadata.graphql", "queries/metadata"),
    ],
)
def test_committed_operations_validate(schema: str, queries: str) -> None:
    document = parse(_directory_document(REPO / queries))
    errors = validate(_schema(REPO / schema), document, RULES)
    assert errors == [], [error.message for error in errors]


def test_golden_operations_validate_against_their_schema() -> None:
    small = GOLDEN / "schema-small"
    document = parse(_directory_document(small / "expected"))
    assert validate(_schema(small / "schema.graphql"), document, RULES) == []


def test_core_covers_the_standard_objects_and_relations() -> None:
    names = {path.stem for path in (REPO / "queries/core").glob("*.graphql")}
    assert names == {*STANDARD_OBJECTS, "relations"}
    operations = {
        definition.name.value
        for definition in parse(_directory_document(REPO / "queries/core")).definitions
        if isinstance(definition, OperationDefinitionNode) and definition.name is not None
    }
    assert {"ListPeopleWithCompany", "GetCompanyWithPeopleAndOpportunities"} <= operations
    assert {"CreateCompanies", "ListNoteTargets", "GetWorkspaceMember"} <= operations


def _nested_one_to_many(schema: GraphQLSchema, text: str) -> list[str]:
    """Connections selected inside another connection (below the root field)."""
    violations = find_violations(schema, parse(text), max_root_fields=20)
    lines = text.splitlines()
    found = []
    for violation in violations:
        if violation.rule == "nested-one-to-many":
            where = violation.locations[0]
            found.append(lines[where.line - 1][where.column - 1 :].split()[0])
    return found


def test_relations_never_nest_one_to_many_inside_one_to_many() -> None:
    # Twenty refuses it ("One-to-Many relation cannot be nested in another One-to-Many").
    schema = _schema(REPO / "schema/core.graphql")
    assert _nested_one_to_many(schema, _directory_document(REPO / "queries/core")) == []
    # The root list does not count (64 lists a company's people); a connection below one does.
    allowed = "query { companies { edges { node { people { edges { node { id } } } } } } }"
    assert _nested_one_to_many(schema, allowed) == []
    nested = (
        "query { companies { edges { node { people { edges { node {"
        " noteTargets { edges { node { id } } } } } } } } } }"
    )
    assert _nested_one_to_many(schema, nested) == ["noteTargets"]
