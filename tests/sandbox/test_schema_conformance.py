"""The sandbox's standard object types match the reference schema field by field.

Introspects a running sandbox over HTTP and compares, for every standard object, the record
type, create/update/filter/orderBy inputs, relation/where-unique inputs, the enums of its select
fields and every composite/filter type they use, with ``tests/fixtures/reference/core.graphql``.
Relations to objects the sandbox does not seed (pets, timelineActivities, ...) are the only
fields left out; the test checks that this is the reason for every missing field.
"""

from __future__ import annotations

from pathlib import Path

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    build_client_schema,
    build_schema,
    get_introspection_query,
    get_named_type,
)

from .conftest import Client

STANDARD = ("Company", "Person", "Opportunity", "Note", "Task", "NoteTarget", "TaskTarget")
STANDARD += ("WorkspaceMember", "Attachment")
SUFFIXES = ("", "CreateInput", "UpdateInput", "FilterInput", "OrderByInput", "RelationInput")
SUFFIXES += ("ConnectInput", "WhereUniqueInput", "Edge")


def _fields(t: GraphQLNamedType) -> dict[str, str]:
    assert isinstance(t, GraphQLObjectType | GraphQLInputObjectType)
    return {name: str(f.type) for name, f in t.fields.items()}


def _unseeded(ours: GraphQLSchema, ref_type: GraphQLNamedType, name: str) -> bool:
    """A reference field the sandbox leaves out: a relation to an object it does not seed."""
    assert isinstance(ref_type, GraphQLObjectType | GraphQLInputObjectType)
    field = ref_type.fields[name]
    target = get_named_type(field.type).name
    for suffix in ("Connection", "FilterInput", "OrderByInput", "RelationInput"):
        target = target.removesuffix(suffix)
    if name.endswith("Id") and name[:-2] in ref_type.fields:
        return _unseeded(ours, ref_type, name[:-2])
    return target not in ours.type_map and target not in ("ID", "UUIDFilter", "OrderByDirection")


async def test_standard_types_match_reference(client: Client, reference_dir: Path) -> None:
    data = await client.ok(get_introspection_query(descriptions=True))
    ours = build_client_schema(data)
    ref = build_schema((reference_dir / "core.graphql").read_text())
    compared: set[str] = set()
    todo = [t + s for t in STANDARD for s in SUFFIXES]
    mismatches: list[str] = []
    while todo:
        name = todo.pop()
        if name in compared:
            continue
        compared.add(name)
        a, b = ours.type_map.get(name), ref.type_map.get(name)
        if a is None or b is None:
            mismatches.append(f"{name}: ours={a is not None} reference={b is not None}")
            continue
        if isinstance(a, GraphQLEnumType):
            assert isinstance(b, GraphQLEnumType)
            if list(a.values) != list(b.values):
                mismatches.append(f"enum {name}: {list(a.values)} != {list(b.values)}")
            continue
        if not isinstance(a, GraphQLObjectType | GraphQLInputObjectType):
            continue
        mine, theirs = _fields(a), _fields(b)
        for field, typ in theirs.items():
            if name.endswith("Connection"):
                break
            if field not in mine:
                if not _unseeded(ours, b, field):
                    mismatches.append(f"{name}.{field}: missing (reference {typ})")
            elif mine[field] != typ:
                mismatches.append(f"{name}.{field}: {mine[field]} != reference {typ}")
        for field in mine:
            if field not in theirs:
                mismatches.append(f"{name}.{field}: not in reference")
            named = get_named_type(a.fields[field].type)
            if not named.name.startswith("__") and named.name not in ("String", "Int", "Float"):
                todo.append(named.name)
    assert mismatches == []
    # composites, scalar filters and enums were followed through the fields
    for expected in ("Links", "LinksCreateInput", "EmailsFilterInput", "CompanyWorkPolicyEnum"):
        assert expected in compared
    assert len(compared) > 120


async def test_root_fields_of_every_standard_object(client: Client, reference_dir: Path) -> None:
    data = await client.ok(get_introspection_query())
    ours = build_client_schema(data)
    ref = build_schema((reference_dir / "core.graphql").read_text())
    for root in ("query_type", "mutation_type"):
        mine, theirs = getattr(ours, root), getattr(ref, root)
        for name, field in mine.fields.items():
            assert name in theirs.fields, name
            ref_field = theirs.fields[name]
            assert str(field.type) == str(ref_field.type), name
            assert {a: str(t.type) for a, t in field.args.items()} == {
                a: str(t.type) for a, t in ref_field.args.items()
            }, name
    assert "createCompanies" in ours.mutation_type.fields
    assert "workspaceMembers" in ours.query_type.fields
