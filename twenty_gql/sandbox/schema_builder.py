"""Build the records (``/graphql``) schema from object metadata, by Twenty's rules.

Per object: the record type, ``<X>Connection``/``<X>Edge``, ``<X>CreateInput``,
``<X>UpdateInput``, ``<X>FilterInput``, ``<X>OrderByInput``, ``<X>RelationInput`` (with its
connect/where-unique inputs), one enum per SELECT/MULTI_SELECT/RATING field, and the root fields
``twenty_gql.naming`` gives. Shared scalars, composite types and scalar filters come from
``data/base.graphql``. The result is SDL text, turned into a graphql-core schema.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

from graphql import (
    GraphQLFloat,
    GraphQLInputObjectType,
    GraphQLInt,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    build_schema,
)

from twenty_gql.actor_nullability import relax
from twenty_gql.naming import capitalize

from .aggregates import aggregates_of
from .group_by import group_by_root_sdl, group_by_sdl
from .merge import has_criteria, merge_sdl
from .metadata import (
    COMPOSITE_TYPES,
    FIRST_VERSION,
    UNIQUE_SUBFIELDS,
    FieldMeta,
    ObjectMeta,
    WorkspaceMetadata,
)

__all__ = ["build_records_schema", "records_sdl"]

_SCALAR_OUTPUT = {
    "TEXT": "String",
    "NUMBER": "Float",
    "BOOLEAN": "Boolean",
    "DATE": "Date",
    "DATE_TIME": "DateTime",
    "UUID": "UUID",
    "RAW_JSON": "RawJSONScalar",
    "ARRAY": "[String]",
    "POSITION": "Position",
    "TS_VECTOR": "TSVector",
    "FILES": "[FileObject]",
}
_SCALAR_INPUT = {**_SCALAR_OUTPUT, "FILES": "[FileItemInput]"}
_SCALAR_FILTER = {
    "TEXT": "StringFilter",
    "NUMBER": "FloatFilter",
    "BOOLEAN": "BooleanFilter",
    "DATE": "DateFilter",
    "DATE_TIME": "DateTimeFilter",
    "UUID": "UUIDFilter",
    "RAW_JSON": "RawJsonFilter",
    "ARRAY": "ArrayFilter",
    "POSITION": "FloatFilter",
    "TS_VECTOR": "TSVectorFilter",
    "FILES": "RawJsonFilter",
}
_CONNECTION_ARGS = (
    "first: Int, last: Int, offset: Int, before: String, after: String, "
    "filter: {t}FilterInput, orderBy: [{t}OrderByInput]"
)
_EXTRA_SCALARS = ("RawJSONScalar",)


@cache
def _base_sdl() -> str:
    return resources.files("twenty_gql.sandbox").joinpath("data/base.graphql").read_text()


def _doc(text: str | None, indent: str = "  ") -> str:
    if not text:
        return ""
    escaped = text.replace("\\", "\\\\").replace('"""', '\\"""')
    return f'{indent}"""{escaped}"""\n'


def _target_type(f: FieldMeta) -> str:
    assert f.relation is not None
    return capitalize(f.relation.target)


def _value_type(
    obj: ObjectMeta, f: FieldMeta, composite_suffix: str, scalars: dict[str, str]
) -> str:
    """A non-relation field's type, nullable: enums, composites (``Links`` + suffix), scalars."""
    if f.type in ("SELECT", "RATING"):
        return obj.enum_name(f)
    if f.type == "MULTI_SELECT":
        return f"[{obj.enum_name(f)}]"
    if f.is_composite:
        return COMPOSITE_TYPES[f.type][0] + composite_suffix
    if f.is_int:
        return "Int"
    if f.is_bigint:
        return "BigInt"
    return scalars[f.type]


def _output_type(obj: ObjectMeta, f: FieldMeta) -> str:
    base = _value_type(obj, f, "", _SCALAR_OUTPUT)
    return base if f.isNullable else f"{base}!"


def _input_type(obj: ObjectMeta, f: FieldMeta, suffix: str) -> str:
    if f.name == "id":
        return "ID"
    base = _value_type(obj, f, suffix, _SCALAR_INPUT)
    return f"{base}!" if suffix == "CreateInput" and f.requiredOnCreate else base


def _filter_type(obj: ObjectMeta, f: FieldMeta) -> str:
    if f.type in ("SELECT", "RATING", "MULTI_SELECT"):
        return f"{obj.enum_name(f)}Filter"
    if f.is_composite:
        return COMPOSITE_TYPES[f.type][0] + "FilterInput"
    if f.is_int:
        return "IntFilter"
    if f.is_bigint:
        return "BigIntFilter"
    return _SCALAR_FILTER[f.type]


def _order_type(f: FieldMeta) -> str:
    if f.is_composite:
        return COMPOSITE_TYPES[f.type][0] + "OrderByInput"
    return "OrderByDirection"


def _object_sdl(obj: ObjectMeta, meta: WorkspaceMetadata) -> list[str]:
    t = obj.type_name
    fields = [
        f
        for f in obj.active_fields()
        if f.relation is None
        or (f.relation.target in meta.objects and meta.objects[f.relation.target].isActive)
    ]
    record: list[str] = []
    relations: list[str] = []
    create: list[str] = []
    update: list[str] = []
    filt: list[str] = []
    order: list[str] = []
    enums: list[str] = []
    for f in fields:
        doc = _doc(f.description)
        if f.is_one_to_many:
            target = _target_type(f)
            args = _CONNECTION_ARGS.format(t=target)
            relations.append(f"{doc}  {f.name}({args}): {target}Connection")
            continue
        if f.is_many_to_one:
            assert f.relation is not None and f.relation.joinColumn
            target = _target_type(f)
            join = f.relation.joinColumn
            record.append(f"{doc}  {join}: ID")
            relations.append(f"{doc}  {f.name}: {target}")
            relation_input = f"{doc}  {join}: ID\n{doc}  {f.name}: {target}RelationInput"
            create.append(relation_input)
            update.append(relation_input)
            filt.append(f"{doc}  {join}: UUIDFilter")
            filt.append(f'  """Filter on fields of the related {f.relation.target}"""')
            filt.append(f"  {f.name}: {target}FilterInput")
            order.append(f"{doc}  {join}: OrderByDirection")
            order.append(f'  """Order by fields of the related {f.relation.target}"""')
            order.append(f"  {f.name}: {target}OrderByInput")
            continue
        record.append(f"{doc}  {f.name}: {_output_type(obj, f)}")
        create.append(f"{doc}  {f.name}: {_input_type(obj, f, 'CreateInput')}")
        update.append(f"{doc}  {f.name}: {_input_type(obj, f, 'UpdateInput')}")
        filt.append(f"{doc}  {f.name}: {_filter_type(obj, f)}")
        order.append(f"{doc}  {f.name}: {_order_type(f)}")
        if f.type in ("SELECT", "MULTI_SELECT", "RATING"):
            enums.append(_enum_sdl(obj, f))
    filt += [f"  and: [{t}FilterInput]", f"  or: [{t}FilterInput]", f"  not: {t}FilterInput"]
    desc = _doc(obj.description, "")
    out = [
        f"{desc}type {t} {{\n" + "\n".join(record + relations) + "\n}",
        f"{desc}type {t}Connection {{\n"
        '  """Total number of records in the connection"""\n'
        f"  totalCount: Int\n{_aggregate_sdl(obj)}  pageInfo: PageInfo!\n  edges: [{t}Edge!]!\n}}",
        f"{desc}type {t}Edge {{\n  node: {t}!\n  cursor: Cursor!\n}}",
        f"{desc}input {t}CreateInput {{\n" + "\n".join(create) + "\n}",
        f"{desc}input {t}UpdateInput {{\n" + "\n".join(update) + "\n}",
        f"{desc}input {t}FilterInput {{\n" + "\n".join(filt) + "\n}",
        f"{desc}input {t}OrderByInput {{\n" + "\n".join(order) + "\n}",
        *enums,
        *_relation_inputs(obj),
        *group_by_sdl(obj, meta),
    ]
    return out


def _aggregate_sdl(obj: ObjectMeta) -> str:
    return "".join(
        f"{_doc(a.description)}  {a.name}: {a.graphql_type}\n" for a in aggregates_of(obj)
    )


def _enum_sdl(obj: ObjectMeta, f: FieldMeta) -> str:
    name = obj.enum_name(f)
    values = "\n".join(
        f"{_doc(str(o.get('label') or o['value']))}  {o['value']}" for o in f.options or []
    )
    enum = f"{_doc(f.description, '')}enum {name} {{\n{values}\n}}"
    filt = (
        f"input {name}Filter {{\n  eq: {name}\n  neq: {name}\n  in: [{name}]\n"
        f"  containsAny: [{name}]\n  is: FilterIs\n  isEmptyArray: Boolean\n}}"
    )
    return f"{enum}\n\n{filt}"


def _relation_inputs(obj: ObjectMeta) -> list[str]:
    t = obj.type_name
    where = ["  id: ID"]
    extra: list[str] = []
    for f in obj.unique_fields():
        if f.is_composite:
            sub = UNIQUE_SUBFIELDS.get(f.type, ())
            wname = f"{t}{capitalize(f.name)}WhereInput"
            extra.append(f"input {wname} {{\n" + "\n".join(f"  {s}: String" for s in sub) + "\n}")
            where.append(f"  {f.name}: {wname}")
        else:
            where.append(f"  {f.name}: {_input_type(obj, f, 'UpdateInput').rstrip('!')}")
    return [
        f"input {t}RelationInput {{\n"
        f'  """Connect to a {obj.nameSingular} record"""\n  connect: {t}ConnectInput\n\n'
        f'  """Disconnect from a {obj.nameSingular} record"""\n  disconnect: Boolean\n}}',
        f"input {t}ConnectInput {{\n  where: {t}WhereUniqueInput\n}}",
        f"input {t}WhereUniqueInput {{\n" + "\n".join(where) + "\n}",
        *extra,
    ]


def _root_sdl(meta: WorkspaceMetadata) -> tuple[list[str], list[str]]:
    queries: list[str] = []
    mutations: list[str] = []
    for obj in meta.active_objects():
        t = obj.type_name
        r = obj.names.root_fields
        queries.append(f"  {r.find_many}({_CONNECTION_ARGS.format(t=t)}): {t}Connection")
        queries.append(f"  {r.find_one}(filter: {t}FilterInput!): {t}")
        queries.append(group_by_root_sdl(obj))
        mutations += [
            f"  {r.create_many}(data: [{t}CreateInput!]!, upsert: Boolean): [{t}!]",
            f"  {r.create_one}(data: {t}CreateInput!, upsert: Boolean): {t}",
            f"  {r.update_one}(id: UUID!, data: {t}UpdateInput!): {t}",
            f"  {r.delete_one}(id: UUID!): {t}",
            f"  {r.update_many}(data: {t}UpdateInput!, filter: {t}FilterInput!): [{t}!]",
            f"  {r.delete_many}(filter: {t}FilterInput!): [{t}!]",
            f"  {r.destroy_one}(id: UUID!): {t}",
            f"  {r.destroy_many}(filter: {t}FilterInput!): [{t}!]",
            f"  {r.restore_one}(id: UUID!): {t}",
            f"  {r.restore_many}(filter: {t}FilterInput!): [{t}!]",
        ]
        if has_criteria(obj):
            find_duplicates, merge_many = merge_sdl(obj)
            queries.append(find_duplicates)
            mutations.append(merge_many)
    return queries, mutations


def records_sdl(meta: WorkspaceMetadata) -> str:
    """The records SDL of ``meta``, as Twenty prints it on a process's first schema build."""
    parts = [_base_sdl()]
    parts += [f"scalar {s}" for s in _EXTRA_SCALARS if f"scalar {s}\n" not in _base_sdl()]
    for obj in meta.active_objects():
        parts += _object_sdl(obj, meta)
    queries, mutations = _root_sdl(meta)
    parts.append("type Query {\n" + "\n".join(queries) + "\n}")
    parts.append("type Mutation {\n" + "\n".join(mutations) + "\n}")
    return "\n\n".join(parts) + "\n"


def build_records_schema(meta: WorkspaceMetadata, version: int | None = None) -> GraphQLSchema:
    """The records schema of ``meta`` as of metadata ``version`` (default: ``meta.version``):
    like Twenty, the first build has Actor's sub-fields non-null, every later one nullable."""
    schema = build_schema(records_sdl(meta))
    if (meta.version if version is None else version) > FIRST_VERSION:
        relax(schema)
    for obj in meta.active_objects():
        ints = [f.name for f in obj.active_fields() if f.is_int]
        for type_name in (
            obj.type_name,
            f"{obj.type_name}CreateInput",
            f"{obj.type_name}UpdateInput",
        ):
            named = schema.type_map.get(type_name)
            if not isinstance(named, GraphQLObjectType | GraphQLInputObjectType):
                continue
            for name in ints:
                if name in named.fields:
                    named.fields[name].type = _as_number_int(named.fields[name].type)
    return schema


def _serialize_number(value: Any) -> int | float:
    number = GraphQLFloat.serialize(value)
    return int(number) if float(number).is_integer() else number


# Twenty takes ``1.5`` for a NUMBER field declared ``dataType: int``, keeps it in the double
# precision column and answers ``1.5`` (reference 122): its direct execution coerces neither
# way. The printed type stays ``Int``; values of such fields are read and written as numbers.
_NUMBER_INT = GraphQLScalarType(
    "NumberInt",
    description=GraphQLInt.description,
    serialize=_serialize_number,
    parse_value=GraphQLFloat.parse_value,
    parse_literal=GraphQLFloat.parse_literal,
)
_NUMBER_INT.name = GraphQLInt.name  # graphql-core refuses to create a second "Int"


def _as_number_int(type_: Any) -> Any:
    if isinstance(type_, GraphQLNonNull):
        return GraphQLNonNull(_as_number_int(type_.of_type))
    return _NUMBER_INT if type_ is GraphQLInt else type_
