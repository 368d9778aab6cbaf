"""operation_rules: what Twenty 2.21 refuses or mis-answers, found in a parsed document."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pytest
from graphql import GraphQLSchema, GraphQLSyntaxError, Source, build_schema, parse

from twenty_gql.operation_rules import (
    Violation,
    find_violations,
    fragment_definitions,
    operations,
    root_fields,
)
from twenty_gql.profiles import CLOUD, PROFILES, SELF_HOSTED

REFERENCE = Path(__file__).parent / "fixtures" / "reference"

SDL = """
type Query {
  companies(first: Int): CompanyConnection
  company(id: ID): Company
  people: PersonConnection
}
type Mutation { createCompany(name: String): Company }
type CompanyConnection { totalCount: Int edges: [CompanyEdge] }
type CompanyEdge { node: Company }
type Company { id: ID name: String people: PersonConnection }
type PersonConnection { totalCount: Int edges: [PersonEdge] }
type PersonEdge { node: Person }
type Person { id: ID company: Company notes: NoteConnection }
type NoteConnection { edges: [NoteEdge] }
type NoteEdge { node: Note }
type Note { id: ID }
"""

MAX = SELF_HOSTED.max_root_fields


@cache
def _schema() -> GraphQLSchema:
    return build_schema(SDL)


@cache
def _reference_schema() -> GraphQLSchema:
    return build_schema((REFERENCE / "core.graphql").read_text(encoding="utf-8"))


def _find(query: str, operation_name: str | None = None) -> list[Violation]:
    return find_violations(_schema(), parse(query), operation_name, max_root_fields=MAX)


def _rules(query: str) -> list[str]:
    return [violation.rule for violation in _find(query)]


# --- nested-one-to-many (transcript 65) ---------------------------------------------------------


def test_one_to_many_below_the_root_list_is_allowed() -> None:
    # 64: a company list selects each company's people.
    assert _rules("{ companies { edges { node { people { edges { node { id } } } } } } }") == []


def test_one_to_many_inside_one_to_many_is_found_at_the_inner_field() -> None:
    query = (
        "query Deep {\n"
        "  companies { edges { node { people { edges { node {\n"
        "    notes { edges { node { id } } } } } } } } }\n"
        "}"
    )
    [found] = _find(query)
    assert found.rule == "nested-one-to-many"
    assert found.message.startswith("Query complexity is too high.")
    assert found.root_field == "companies"
    assert found.operation == "Deep"
    assert [(loc.line, loc.column) for loc in found.locations] == [(3, 5)]


def test_many_to_one_does_not_count_as_a_level() -> None:
    # 65's shape: people -> company -> people -> company -> people.
    query = (
        "{ people { edges { node { company { people { edges { node {"
        " company { people { edges { node { id } } } } } } } } } } } }"
    )
    assert _rules(query) == ["nested-one-to-many"]
    assert _rules("{ people { edges { node { company { people { totalCount } } } } } }") == []


def test_nesting_is_followed_through_fragments_and_inline_fragments() -> None:
    query = """
      query Q { companies { edges { node { ...CompanyPeople } } } }
      fragment CompanyPeople on Company { people { edges { node { ... on Person { ...Notes } } } } }
      fragment Notes on Person { notes { edges { node { id } } } }
    """
    [found] = _find(query)
    assert found.rule == "nested-one-to-many"
    assert found.locations[0].line == 4  # the field at fault, inside fragment Notes


def test_a_fragment_spread_twice_is_one_finding() -> None:
    query = """
      { companies { edges { node { people { edges { node { ...Notes ...Notes } } } } } } }
      fragment Notes on Person { notes { edges { node { id } } } }
    """
    assert _rules(query) == ["nested-one-to-many"]


def test_nesting_under_a_single_record_root_counts_the_same() -> None:
    query = "{ company(id: 1) { people { edges { node { notes { edges { node { id } } } } } } } }"
    assert _rules(query) == ["nested-one-to-many"]
    assert _rules('mutation { createCompany(name: "x") { people { totalCount } } }') == []


# --- duplicate-root-field (93) and too-many-root-fields (94) ------------------------------------


def test_the_same_root_field_under_two_aliases_is_a_duplicate() -> None:
    query = (
        "query Twice {\n  a: companies { totalCount }\n  b: companies(first: 1) { totalCount }\n}"
    )
    [found] = _find(query)
    assert found.rule == "duplicate-root-field"
    assert found.message == 'Duplicate root resolver: "companies"'
    assert found.root_field == "companies"
    assert (found.locations[0].line, found.locations[0].column) == (3, 3)


def test_root_aliases_of_different_fields_are_allowed() -> None:
    assert _rules("{ a: companies { totalCount } b: people { totalCount } __typename }") == []


def test_root_fields_are_collected_through_fragments() -> None:
    query = """
      query Q { companies { totalCount } ... on Query { ...Roots } }
      fragment Roots on Query { people { totalCount } companies { totalCount } }
    """
    document = parse(query)
    [operation] = operations(document)
    names = [field.name.value for field in root_fields(operation, fragment_definitions(document))]
    assert names == ["companies", "people", "companies"]
    assert _rules(query) == ["duplicate-root-field"]


def test_root_field_count_is_the_profile_limit() -> None:
    many = find_violations(_schema(), parse(_many_distinct(MAX + 1)), max_root_fields=MAX)
    assert [v.rule for v in many] == ["too-many-root-fields"]
    assert many[0].message == (
        f"Query too complex - Too many root resolvers requested: {MAX + 1} - "
        f"Maximum allowed root resolvers: {MAX}"
    )
    assert many[0].root_field is None
    assert many[0].locations[0].column == _many_distinct(MAX + 1).index(f"f{MAX}") + 1
    assert find_violations(_schema(), parse(_many_distinct(MAX)), max_root_fields=MAX) == []
    # The limit is the one given, not a number fixed in the module.
    fewer = find_violations(_schema(), parse(_many_distinct(3)), max_root_fields=2)
    assert [v.rule for v in fewer] == ["too-many-root-fields"]


def _many_distinct(count: int) -> str:
    """``count`` distinct root field names (counted before validation, as Twenty does: 94)."""
    return "{ " + " ".join(f"f{i}" for i in range(count)) + " }"


def test_meta_fields_do_not_count_as_root_resolvers() -> None:
    query = "{ " + " ".join(f"t{i}: __typename" for i in range(MAX + 5)) + " }"
    assert _rules(query) == []


def test_the_profiles_agree_on_the_root_field_limit() -> None:
    assert {profile.max_root_fields for profile in PROFILES.values()} == {CLOUD.max_root_fields}


# --- nested-alias (99, 101) ---------------------------------------------------------------------


def test_alias_below_a_root_field_is_found() -> None:
    query = "query A {\n  companies { list: edges { node { id } } }\n}"
    [found] = _find(query)
    assert found.rule == "nested-alias"
    assert found.root_field == "companies"
    assert '"list: edges"' in found.message and 'answers with "edges"' in found.message
    assert (found.locations[0].line, found.locations[0].column) == (2, 15)


def test_same_name_alias_and_root_alias_are_allowed() -> None:
    assert _rules("{ list: companies { edges: edges { node: node { id } } } }") == []


def test_aliases_inside_fragments_and_inline_fragments_are_found() -> None:
    query = """
      { companies { edges { node { ... on Company { companyName: name } ...Ids } } } }
      fragment Ids on Company { key: id }
    """
    found = _find(query)
    assert [v.rule for v in found] == ["nested-alias", "nested-alias"]
    assert '"companyName: name"' in found[0].message
    assert '"key: id"' in found[1].message


def test_alias_on_a_mutation_sub_field_is_found() -> None:
    # 101: `made:` is honoured, `newId:` comes back as `id`.
    assert _rules('mutation { made: createCompany(name: "x") { newId: id } }') == ["nested-alias"]


# --- fragments, operations, sources ---------------------------------------------------------------


def test_fragment_cycles_end() -> None:
    query = """
      query Q { companies { edges { node { ...A } } } ...R }
      fragment A on Company { ...B id }
      fragment B on Company { ...A alias: name }
      fragment R on Query { ...R2 }
      fragment R2 on Query { ...R }
    """
    assert _rules(query) == ["nested-alias"]


def test_operation_name_selects_one_operation_and_none_checks_all() -> None:
    query = """
      query Good { companies { totalCount } }
      query Bad { companies { total: totalCount } }
    """
    assert [v.operation for v in _find(query)] == ["Bad"]
    assert _find(query, "Good") == []
    assert [v.operation for v in _find(query, "Bad")] == ["Bad"]


def test_unknown_fields_are_skipped_not_raised() -> None:
    assert _rules("{ nothing { edges { node { id } } } companies { edges { node { x } } } }") == []


def test_source_name_and_no_locations() -> None:
    document = parse(Source("{ companies { t: totalCount } }", "queries/a.graphql"))
    [found] = find_violations(_schema(), document, max_root_fields=MAX)
    assert found.source_name == "queries/a.graphql"
    bare = parse("{ companies { t: totalCount } }", no_location=True)
    [without] = find_violations(_schema(), bare, max_root_fields=MAX)
    assert without.locations == () and without.source_name is None


# --- the recorded transcripts -------------------------------------------------------------------

_REFUSALS = {
    "Duplicate root resolver": "duplicate-root-field",
    "Too many root resolvers": "too-many-root-fields",
    "One-to-Many relation cannot be nested": "nested-one-to-many",
}


def test_findings_match_what_twenty_answered_in_every_transcript() -> None:
    schema = _reference_schema()
    refused: dict[str, set[str]] = {}
    aliased: set[str] = set()
    checked = 0
    for path in sorted((REFERENCE / "transcripts").glob("*.json")):
        transcript = json.loads(path.read_text(encoding="utf-8"))
        request = transcript.get("request")
        if transcript.get("endpoint") != "/graphql" or not isinstance(request, dict):
            continue
        if not isinstance(request.get("query"), str):
            continue
        try:
            document = parse(request["query"])
        except GraphQLSyntaxError:
            continue
        checked += 1
        found = find_violations(schema, document, request.get("operationName"), max_root_fields=MAX)
        number = path.name.split("-")[0]
        expected = {
            rule
            for error in (transcript.get("response") or {}).get("errors") or []
            for text, rule in _REFUSALS.items()
            if text in str(error.get("message"))
        }
        got = {v.rule for v in found if v.rule != "nested-alias"}
        assert got == expected, path.name
        if expected:
            refused[number] = got
        if any(v.rule == "nested-alias" for v in found):
            aliased.add(number)
    assert checked > 50
    assert refused == {
        "65": {"nested-one-to-many"},
        "93": {"duplicate-root-field"},
        "94": {"too-many-root-fields"},
    }
    assert aliased == {"99", "101"}


@pytest.mark.parametrize("count", [MAX, MAX + 1])
def test_transcript_94_and_95_shapes(count: int) -> None:
    # Distinct root fields of the real schema, as 94 (21, refused) and 95 (20, answered).
    schema = _reference_schema()
    assert schema.query_type is not None
    names = [name for name in schema.query_type.fields if name.endswith("s")][:count]
    assert len(names) == count
    query = "{ " + " ".join(f"{name} {{ __typename }}" for name in names) + " }"
    rules = [v.rule for v in find_violations(schema, parse(query), max_root_fields=MAX)]
    assert rules == ([] if count == MAX else ["too-many-root-fields"])
