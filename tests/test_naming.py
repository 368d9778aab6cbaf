from __future__ import annotations

import pytest
from graphql import build_schema

from tests.conftest import REFERENCE
from twenty_gql.naming import ObjectNames, enum_type_name, snake_case


@pytest.fixture(scope="module")
def reference_schema():  # type: ignore[no-untyped-def]
    return build_schema((REFERENCE / "core.graphql").read_text())


@pytest.mark.parametrize(
    ("singular", "plural"),
    [
        ("company", "companies"),
        ("person", "people"),
        ("noteTarget", "noteTargets"),
        ("opportunity", "opportunities"),
    ],
)
def test_every_derived_name_exists_in_the_reference_schema(reference_schema, singular, plural):  # type: ignore[no-untyped-def]
    names = ObjectNames(singular, plural)
    types = names.types
    for type_name in (
        types.record,
        types.connection,
        types.edge,
        types.create_input,
        types.update_input,
        types.filter_input,
        types.order_by_input,
    ):
        assert type_name in reference_schema.type_map, type_name
    query = reference_schema.query_type.fields
    mutation = reference_schema.mutation_type.fields
    for field in names.root_fields.queries():
        assert field in query, field
    for field in names.root_fields.mutations():
        assert field in mutation, field


def test_enum_type_name_matches_reference(reference_schema):  # type: ignore[no-untyped-def]
    assert enum_type_name("company", "workPolicy") in reference_schema.type_map


def test_bad_names_are_refused_with_the_name_at_fault():
    with pytest.raises(ValueError, match="Bad-Name"):
        ObjectNames("Bad-Name", "badNames")
    with pytest.raises(ValueError, match="must differ"):
        ObjectNames("sheep", "sheep")


def test_snake_case_matches_ariadne_method_names():
    assert snake_case("ListNoteTargets") == "list_note_targets"
    assert snake_case("GetCompany") == "get_company"
