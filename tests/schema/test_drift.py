"""diff_schemas: breaking, dangerous and safe changes, one line each naming type.field."""

from __future__ import annotations

import pytest

from twenty_gql.schema.drift import SchemaChange, diff_schemas
from twenty_gql.schema.sdl import SchemaFormatError, parse_sdl, print_sorted_sdl

BASE = """
type Query {
  companies(first: Int): CompanyConnection
}

type CompanyConnection {
  totalCount: Int!
}

"A company"
type Company {
  id: ID!
  name: String
  stage: Stage
}

enum Stage {
  LEAD
  WON
}

input CompanyFilter {
  name: String
}
"""


def sdl(text: str) -> str:
    return print_sorted_sdl(parse_sdl(text))


def test_identical_text_is_an_empty_diff() -> None:
    diff = diff_schemas(sdl(BASE), sdl(BASE))
    assert not diff
    assert diff.changes == []


def test_removed_field_is_breaking() -> None:
    diff = diff_schemas(sdl(BASE), sdl(BASE.replace("  name: String\n  stage", "  stage")))
    assert diff.breaking == [SchemaChange("breaking", "FIELD_REMOVED", "Company.name was removed.")]
    assert diff.dangerous == [] and diff.safe == []


def test_removed_type_and_changed_type_are_breaking() -> None:
    new = BASE.replace("input CompanyFilter {\n  name: String\n}", "").replace(
        "id: ID!", "id: String!"
    )
    kinds = {(c.kind, c.description) for c in diff_schemas(sdl(BASE), sdl(new)).breaking}
    assert ("TYPE_REMOVED", "CompanyFilter was removed.") in kinds
    assert ("FIELD_CHANGED_KIND", "Company.id changed type from ID! to String!.") in kinds


def test_added_field_and_type_are_safe() -> None:
    new = BASE.replace("  id: ID!", "  id: ID!\n  tagline: String") + "type Note { id: ID! }\n"
    diff = diff_schemas(sdl(BASE), sdl(new))
    assert diff.breaking == [] and diff.dangerous == []
    assert diff.safe == [
        SchemaChange("safe", "FIELD_ADDED", "Company.tagline was added."),
        SchemaChange("safe", "TYPE_ADDED", "Note was added."),
    ]


def test_added_enum_value_and_optional_arg_are_dangerous_not_repeated_as_safe() -> None:
    new = BASE.replace("  WON", "  WON\n  LOST").replace(
        "(first: Int)", "(first: Int, after: String)"
    )
    diff = diff_schemas(sdl(BASE), sdl(new))
    assert [(c.kind, c.description) for c in diff.dangerous] == [
        ("OPTIONAL_ARG_ADDED", "Query.companies arg after was added (optional arg)."),
        ("VALUE_ADDED_TO_ENUM", "Stage.LOST was added."),
    ]
    assert diff.safe == [] and diff.breaking == []


def test_required_arg_added_is_breaking() -> None:
    new = BASE.replace("(first: Int)", "(first: Int, filter: CompanyFilter!)")
    diff = diff_schemas(sdl(BASE), sdl(new))
    assert [(c.kind, c.description) for c in diff.breaking] == [
        ("REQUIRED_ARG_ADDED", "Query.companies arg filter was added (required arg)."),
    ]


def test_input_fields_and_enum_removal_name_the_type_first() -> None:
    new = BASE.replace("  name: String\n}", "  name: String\n  city: String\n  tier: Int!\n}")
    new = new.replace("  LEAD\n", "")
    diff = diff_schemas(sdl(BASE), sdl(new))
    assert [(c.kind, c.description) for c in diff.breaking] == [
        ("REQUIRED_INPUT_FIELD_ADDED", "CompanyFilter.tier was added (required input field)."),
        ("VALUE_REMOVED_FROM_ENUM", "Stage.LEAD was removed."),
    ]
    assert [(c.kind, c.description) for c in diff.dangerous] == [
        ("OPTIONAL_INPUT_FIELD_ADDED", "CompanyFilter.city was added (optional input field)."),
    ]


def test_description_and_deprecation_changes_are_safe() -> None:
    new = BASE.replace('"A company"', '"A business"').replace(
        "  name: String", '  name: String @deprecated(reason: "use displayName")'
    )
    diff = diff_schemas(sdl(BASE), sdl(new))
    assert [(c.kind, c.description) for c in diff.safe] == [
        ("DESCRIPTION_CHANGED", "Company description changed."),
        ("DEPRECATION_CHANGED", "Company.name was deprecated: use displayName"),
    ]


def test_layout_only_difference_is_reported() -> None:
    diff = diff_schemas(BASE, sdl(BASE))
    assert [c.kind for c in diff.changes] == ["LAYOUT_CHANGED"]


def test_built_schemas_are_accepted() -> None:
    new = BASE.replace("  name: String\n  stage", "  stage")
    diff = diff_schemas(parse_sdl(BASE), parse_sdl(new))
    assert [c.description for c in diff.breaking] == ["Company.name was removed."]


def test_invalid_old_sdl_names_the_file() -> None:
    with pytest.raises(SchemaFormatError, match=r"schema/core\.graphql"):
        diff_schemas("type {", sdl(BASE), old_name="schema/core.graphql")


def test_the_actor_nullability_flip_of_twenty_is_never_reported() -> None:
    """Twenty serves Actor.name/source (and ActorCreateInput.source) non-null in a server's
    first schema build and nullable after (reference NOTES (p)); pull writes the nullable form,
    so the flip is no change at all, in either direction. Any other change to those fields is
    still breaking."""
    actor = BASE + (
        "type Actor {\n  name: String!\n  source: Stage!\n}\n"
        "input ActorCreateInput {\n  source: Stage!\n}\n"
    )
    nullable = actor.replace("String!", "String").replace("Stage!", "Stage")
    assert nullable != actor
    assert not diff_schemas(sdl(actor), sdl(nullable))
    assert not diff_schemas(sdl(nullable), sdl(actor))
    built_old, built_new = parse_sdl(actor), parse_sdl(nullable)
    assert not diff_schemas(built_old, built_new)
    assert "String!" in str(built_old.type_map["Actor"].fields["name"].type)  # left untouched
    retyped = diff_schemas(sdl(actor), sdl(actor.replace("name: String!", "name: Int!")))
    assert [c.description for c in retyped.breaking] == [
        "Actor.name changed type from String to Int."
    ]
