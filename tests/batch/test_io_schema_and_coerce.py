from __future__ import annotations

import pytest
from graphql import GraphQLSchema

from twenty_gql.batch.dedupe import UniqueKey
from twenty_gql.io.coerce import CoercionError, coerce_value
from twenty_gql.io.object_schema import (
    Leaf,
    RelationPath,
    UnknownFieldError,
    UnknownObjectError,
    find_object,
)


def test_objects_are_found_by_singular_or_plural_with_their_names(
    core_schema: GraphQLSchema,
) -> None:
    person = find_object(core_schema, "people")
    assert (person.names.singular, person.names.plural) == ("person", "people")
    assert find_object(core_schema, "company").names.plural == "companies"
    with pytest.raises(UnknownObjectError, match=r"'compny'.*did you mean company"):
        find_object(core_schema, "compny")


def test_unique_keys_come_from_where_unique_input(core_schema: GraphQLSchema) -> None:
    assert find_object(core_schema, "person").unique_keys()[1:] == (
        UniqueKey("emails", ("emails.primaryEmail",), casefold=True),
    )
    assert find_object(core_schema, "company").unique_keys()[1:] == (
        UniqueKey("domainName", ("domainName.primaryLinkUrl",)),
    )


def test_paths_resolve_to_leaves_relations_or_a_named_error(core_schema: GraphQLSchema) -> None:
    company = find_object(core_schema, "company")
    assert company.resolve("annualRevenue.amountMicros") == Leaf(
        "annualRevenue.amountMicros", "BigFloat"
    )
    policy = company.resolve("workPolicy")
    assert isinstance(policy, Leaf) and policy.is_list
    assert set(policy.enum_values or ()) == {"HYBRID", "ON_SITE", "REMOTE_WORK"}
    person = find_object(core_schema, "person")
    relation = person.resolve("company.domainName")
    assert isinstance(relation, RelationPath)
    assert (relation.id_field, relation.target.plural) == ("companyId", "companies")
    assert relation.key.paths == ("domainName.primaryLinkUrl",)
    with pytest.raises(
        UnknownFieldError, match=r"person has no field 'emial' \(did you mean emails"
    ):
        person.resolve("emial")
    with pytest.raises(UnknownFieldError, match="composite field"):
        person.resolve("name")
    with pytest.raises(UnknownFieldError, match="'name' is not a unique field of company"):
        person.resolve("company.name")


UUID_TEXT = "440e6340-4001-4b5d-8653-035d5936c640"


@pytest.mark.parametrize(
    ("leaf", "raw", "value"),
    [
        (Leaf("employees", "Float"), "120", 120),
        (Leaf("employees", "Float"), " 1.5 ", 1.5),
        (Leaf("a.amountMicros", "BigFloat"), "98765432109876543", 98765432109876543),
        (Leaf("n", "Int"), "7.0", 7),
        (Leaf("n", "Int"), "1.5", 1.5),  # Twenty keeps 1.5 for an int NUMBER field (122)
        (Leaf("startDate", "Date"), "2026-12-02T10:30:00Z", "2026-12-02"),  # 124
        (Leaf("emails.primaryEmail", "String"), "ada@example.com", "ada@example.com"),
        (Leaf("domainName.primaryLinkUrl", "String"), "refco.example", "refco.example"),
        (Leaf("visa", "Boolean"), "Yes", True),
        (Leaf("visa", "Boolean"), "false", False),
        (Leaf("visa", "Boolean"), False, False),
        (Leaf("birthday", "Date"), "2024-02-29", "2024-02-29"),
        (Leaf("at", "DateTime"), "2026-11-28T03:56:41.636Z", "2026-11-28T03:56:41.636Z"),
        (Leaf("p", "E", enum_values=("ON_SITE", "HYBRID")), "on-site", "ON_SITE"),
        (Leaf("p", "E", True, ("ON_SITE", "HYBRID")), "HYBRID, ON_SITE", ["HYBRID", "ON_SITE"]),
        (Leaf("p", "E", True, ("ON_SITE", "HYBRID")), '["HYBRID"]', ["HYBRID"]),
        (Leaf("facts", "String", True), "a,b", ["a", "b"]),
        (Leaf("extra", "JSON"), '{"k": [1, 2]}', {"k": [1, 2]}),
        (
            Leaf("id", "ID"),
            "440e6340-4001-4b5d-8653-035d5936c640",
            "440e6340-4001-4b5d-8653-035d5936c640",
        ),
        (Leaf("name", "String"), 12, "12"),
    ],
)
def test_values_are_coerced_by_their_graphql_type(leaf: Leaf, raw: object, value: object) -> None:
    assert coerce_value(leaf, raw) == value
    assert type(coerce_value(leaf, raw)) is type(value)


@pytest.mark.parametrize(
    ("leaf", "raw", "message"),
    [
        (Leaf("employees", "Float"), "many", "Invalid number value 'many' for field \"employees\""),
        (Leaf("employees", "Float"), True, 'Invalid number value true for field "employees"'),
        # JSONL may carry NaN/Infinity (Python's json reads them): refused like the CSV text
        (Leaf("employees", "Float"), "inf", "Invalid number value Infinity for field"),
        (Leaf("employees", "Float"), float("nan"), "Invalid number value NaN for field"),
        (Leaf("employees", "Float"), float("-inf"), "Invalid number value -Infinity for field"),
        (Leaf("visa", "Boolean"), "maybe", "'maybe' is not a boolean"),
        (
            Leaf("birthday", "Date"),
            "2023-02-29",
            "Invalid value '2023-02-29' for date field \"birthday\". Expected format: 'YYYY-MM-DD'",
        ),
        (Leaf("birthday", "Date"), "28/11/2026", "Invalid value '28/11/2026' for date field"),
        (
            Leaf("at", "DateTime"),
            "yesterday",
            "Invalid value 'yesterday' for date-time field \"at\". "
            "Expected format: 'YYYY-MM-DDTHH:mm:ssZ'",
        ),
        (
            Leaf("stage", "E", enum_values=("NEW", "WON_NOT")),
            "WON",
            'Invalid value "WON" for field "stage". Valid values are: NEW, WON_NOT',
        ),
        (
            Leaf("workPolicy", "E", True, ("ON_SITE",)),
            "NOT_A_POLICY",
            "Invalid value [ 'NOT_A_POLICY' ] for multi select field \"workPolicy\"",
        ),
        (
            Leaf("emails.primaryEmail", "String"),
            "not-an-email",
            "Invalid string value 'not-an-email' for email field \"emails.primaryEmail\"",
        ),
        (
            Leaf("domainName.primaryLinkUrl", "String"),
            "not a url",
            "The URL of the link is not valid",
        ),
        (Leaf("domainName.primaryLinkUrl", "String"), "ftp://x.example", "The URL of the link"),
        (Leaf("extra", "JSON"), "{nope", "'{nope' is not valid JSON"),
        (Leaf("companyId", "ID"), "42", "Invalid UUID value '42' for field \"companyId\""),
    ],
)
def test_values_are_refused_as_twenty_refuses_them(leaf: Leaf, raw: object, message: str) -> None:
    """Twenty's words, from the value rules the sandbox answers with (NOTES (q))."""
    with pytest.raises(CoercionError) as refused:
        coerce_value(leaf, raw)
    assert str(refused.value).startswith(message)
