"""Attach resolvers to a records schema built by ``schema_builder``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from graphql import (
    EnumValueNode,
    FloatValueNode,
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLResolveInfo,
    GraphQLScalarType,
    GraphQLSchema,
    IntValueNode,
    StringValueNode,
    ValueNode,
    value_from_ast_untyped,
)

from .aggregates import AGGREGATOR_KEY, Aggregate, Aggregator, aggregates_of
from .group_by import group_by
from .merge import duplicates, has_criteria, merge
from .metadata import FieldMeta, ObjectMeta, WorkspaceMetadata
from .records import Records
from .values import is_uuid

__all__ = ["RequestContext", "wire_schema"]

Resolver = Callable[..., Any]


@dataclass(slots=True)
class RequestContext:
    records: Records
    actor: dict[str, Any]


def _records(info: GraphQLResolveInfo) -> Records:
    context: RequestContext = info.context
    return context.records


def _actor(info: GraphQLResolveInfo) -> dict[str, Any]:
    context: RequestContext = info.context
    return context.actor


def _root_resolvers(obj: ObjectMeta) -> dict[str, Resolver]:
    r = obj.names.root_fields

    def find_many(_: Any, info: GraphQLResolveInfo, **args: Any) -> Any:
        return _records(info).find_many(obj, args)

    def find_one(_: Any, info: GraphQLResolveInfo, filter: dict[str, Any]) -> Any:
        return _records(info).find_one(obj, filter)

    def grouped(_: Any, info: GraphQLResolveInfo, **args: Any) -> Any:
        recs = _records(info)
        return group_by(recs.store, recs.meta, obj, args)

    def find_duplicates(
        _: Any,
        info: GraphQLResolveInfo,
        ids: list[str] | None = None,
        data: list[dict[str, Any]] | None = None,
    ) -> Any:
        recs = _records(info)
        prepared = [recs.prepare_for_match(obj, item) for item in data or []]
        return duplicates(recs, obj, ids, prepared)

    def merge_many(
        _: Any,
        info: GraphQLResolveInfo,
        ids: list[str],
        conflictPriorityIndex: int,
        dryRun: bool | None = None,
    ) -> Any:
        return merge(_records(info), obj, ids, conflictPriorityIndex, dryRun)

    def create_many(
        _: Any, info: GraphQLResolveInfo, data: list[dict[str, Any]], upsert: bool = False
    ) -> Any:
        return _records(info).create_many(obj, data, bool(upsert), _actor(info))

    def create_one(
        _: Any, info: GraphQLResolveInfo, data: dict[str, Any], upsert: bool = False
    ) -> Any:
        return _records(info).create_many(obj, [data], bool(upsert), _actor(info))[0]

    def update_one(_: Any, info: GraphQLResolveInfo, id: str, data: dict[str, Any]) -> Any:
        return _records(info).update_one(obj, id, data, _actor(info))

    def update_many(
        _: Any,
        info: GraphQLResolveInfo,
        filter: dict[str, Any],
        data: dict[str, Any],
    ) -> Any:
        return _records(info).update_many(obj, filter, data, _actor(info))

    def delete_one(_: Any, info: GraphQLResolveInfo, id: str) -> Any:
        return _records(info).delete_one(obj, id)

    def delete_many(_: Any, info: GraphQLResolveInfo, filter: dict[str, Any]) -> Any:
        recs = _records(info)
        return recs.soft_delete(obj, recs.matching(obj, filter, scope="live"))

    def restore_one(_: Any, info: GraphQLResolveInfo, id: str) -> Any:
        return _records(info).restore_one(obj, id)

    def restore_many(_: Any, info: GraphQLResolveInfo, filter: dict[str, Any]) -> Any:
        recs = _records(info)
        return recs.restore(obj, recs.matching(obj, filter, scope="deleted"))

    def destroy_one(_: Any, info: GraphQLResolveInfo, id: str) -> Any:
        return _records(info).destroy_one(obj, id)

    def destroy_many(_: Any, info: GraphQLResolveInfo, filter: dict[str, Any]) -> Any:
        recs = _records(info)
        return recs.destroy(obj, recs.matching(obj, filter, scope="all"))

    return {
        r.find_many: find_many,
        r.find_one: find_one,
        r.group_by: grouped,
        r.find_duplicates: find_duplicates,
        r.merge_many: merge_many,
        r.create_many: create_many,
        r.create_one: create_one,
        r.update_one: update_one,
        r.update_many: update_many,
        r.delete_one: delete_one,
        r.delete_many: delete_many,
        r.restore_one: restore_one,
        r.restore_many: restore_many,
        r.destroy_one: destroy_one,
        r.destroy_many: destroy_many,
    }


def _relation_resolver(meta: WorkspaceMetadata, f: FieldMeta) -> Resolver:
    assert f.relation is not None
    target = meta.objects[f.relation.target]
    if f.relation.kind == "MANY_TO_ONE":
        join = f.relation.joinColumn or f"{f.name}Id"

        def many_to_one(parent: dict[str, Any], info: GraphQLResolveInfo) -> Any:
            return _records(info).get(target, parent.get(join))

        return many_to_one
    inverse = target.field(f.relation.inverse or "")
    assert inverse is not None and inverse.relation is not None
    join_column = inverse.relation.joinColumn

    def one_to_many(parent: dict[str, Any], info: GraphQLResolveInfo, **args: Any) -> Any:
        recs = _records(info)
        extra = (f"json_extract(data, '$.{join_column}') = ?", [parent["id"]])
        return recs.find_many(
            target, args, extra=extra, default_page=recs.profile.relation_page_size
        )

    return one_to_many


def _aggregate_resolver(aggregate: Aggregate) -> Resolver:
    def resolve(parent: dict[str, Any], _: GraphQLResolveInfo) -> Any:
        aggregator: Aggregator = parent[AGGREGATOR_KEY]
        return aggregator.value(aggregate)

    return resolve


def _check_uuid(value: Any) -> str:
    if not is_uuid(value):
        raise ValueError(f"Invalid UUID: {value!r}")
    return str(value)


def _literal(check: Callable[[Any], Any]) -> Callable[..., Any]:
    def parse_literal(node: ValueNode, variables: dict[str, Any] | None = None) -> Any:
        return check(value_from_ast_untyped(node, variables))

    return parse_literal


def _wire_scalars(schema: GraphQLSchema) -> None:
    scalar = schema.type_map.get("UUID")
    if isinstance(scalar, GraphQLScalarType):
        scalar.parse_value = _check_uuid  # type: ignore[method-assign]
        scalar.parse_literal = _literal(_check_uuid)  # type: ignore[method-assign]


def _as_sent(value: Any, *_: Any) -> Any:
    return value


def _lenient_number(original: GraphQLScalarType) -> GraphQLScalarType:
    """A copy of a number scalar that lets a string (and, for Int, a float) through to
    Twenty's value check (119, 122, 127): Twenty executes without validating argument values,
    and answers 1.5 for a NUMBER field of ``dataType: "int"`` (122). A copy, because
    graphql-core shares ``Int``/``Float`` between every schema. ``first: "ten"`` stays a
    validation error (51, 60)."""
    base_literal = original.parse_literal
    base_value = original.parse_value
    base_serialize = original.serialize
    is_int = original.name == "Int"

    def parse_literal(node: ValueNode, variables: dict[str, Any] | None = None) -> Any:
        if isinstance(node, StringValueNode) and not is_int:
            return node.value
        if isinstance(node, FloatValueNode) and is_int:
            return float(node.value)
        return base_literal(node, variables)

    def parse_value(value: Any) -> Any:
        if isinstance(value, float if is_int else str):
            return value
        return base_value(value)

    def serialize(value: Any) -> Any:
        if is_int and isinstance(value, float) and not value.is_integer():
            return value
        return base_serialize(value)

    lenient = GraphQLScalarType(
        f"Lenient{original.name}",  # graphql-core refuses a new type named Int or Float
        serialize=serialize,
        parse_value=parse_value,
        parse_literal=parse_literal,
        description=original.description,
        specified_by_url=original.specified_by_url,
    )
    lenient.name = original.name
    return lenient


def _retype(type_: Any, swaps: dict[str, GraphQLScalarType]) -> Any:
    if isinstance(type_, GraphQLNonNull):
        return GraphQLNonNull(_retype(type_.of_type, swaps))
    if isinstance(type_, GraphQLList):
        return GraphQLList(_retype(type_.of_type, swaps))
    if isinstance(type_, GraphQLScalarType):
        return swaps.get(type_.name, type_)
    return type_


def _swap_scalars(schema: GraphQLSchema, swaps: dict[str, GraphQLScalarType]) -> None:
    """Use ``swaps`` for every field and argument of the schema."""
    for named in schema.type_map.values():
        if isinstance(named, GraphQLInputObjectType):
            for field in named.fields.values():
                field.type = _retype(field.type, swaps)
        elif isinstance(named, GraphQLObjectType) and not named.name.startswith("__"):
            for out_field in named.fields.values():
                out_field.type = _retype(out_field.type, swaps)
                for arg in out_field.args.values():
                    arg.type = _retype(arg.type, swaps)
    for name, scalar in swaps.items():
        if name in schema.type_map:
            schema.type_map[name] = scalar


def _enum_literal(node: ValueNode, variables: dict[str, Any] | None = None, *_: Any) -> Any:
    if isinstance(node, EnumValueNode | StringValueNode):
        return node.value
    if isinstance(node, IntValueNode | FloatValueNode):
        return value_from_ast_untyped(node, variables)
    raise ValueError("not an enum value")


def _wire_lenient_values(schema: GraphQLSchema, meta: WorkspaceMetadata) -> None:
    """Twenty checks field values itself, after GraphQL: an unknown enum value, a string for a
    number and a bad date reach the value rules, which answer in Twenty's words (NOTES (q))."""
    swaps: dict[str, GraphQLScalarType] = {}
    for name in ("Float", "BigFloat", "Int"):
        scalar = schema.type_map.get(name)
        if isinstance(scalar, GraphQLScalarType):
            swaps[name] = _lenient_number(scalar)
    _swap_scalars(schema, swaps)
    for name in ("DateTime", "Date"):
        scalar = schema.type_map.get(name)
        if isinstance(scalar, GraphQLScalarType):
            scalar.parse_value = _as_sent  # type: ignore[method-assign]
            scalar.parse_literal = value_from_ast_untyped  # type: ignore[method-assign,assignment]
    for obj in meta.active_objects():
        for f in obj.active_fields():
            if f.type not in ("SELECT", "MULTI_SELECT", "RATING"):
                continue
            enum = schema.type_map.get(obj.enum_name(f))
            if isinstance(enum, GraphQLEnumType):
                enum.parse_value = _as_sent  # type: ignore[method-assign,assignment]
                enum.parse_literal = _enum_literal  # type: ignore[method-assign,assignment]


UNLISTED_OBJECTS = "twenty_gql.objects_without_duplicate_criteria"
"""Key of ``schema.extensions``: the objects whose merge/duplicates fields Twenty answers
although its schema does not list them (see :func:`merge.unlisted_answer`)."""


def wire_schema(schema: GraphQLSchema, meta: WorkspaceMetadata) -> GraphQLSchema:
    without = [o for o in meta.active_objects() if not has_criteria(o)]
    schema.extensions = {**(schema.extensions or {}), UNLISTED_OBJECTS: without}
    _wire_scalars(schema)
    _wire_lenient_values(schema, meta)
    roots = (schema.query_type, schema.mutation_type)
    for obj in meta.active_objects():
        for name, resolver in _root_resolvers(obj).items():
            for root in roots:
                assert root is not None
                if name in root.fields:
                    root.fields[name].resolve = resolver
    for obj in meta.active_objects():
        for suffix in ("Connection", "GroupByConnection"):
            connection = schema.type_map.get(f"{obj.type_name}{suffix}")
            assert isinstance(connection, GraphQLObjectType)
            for aggregate in aggregates_of(obj):
                connection.fields[aggregate.name].resolve = _aggregate_resolver(aggregate)
    for obj in meta.active_objects():
        gtype = schema.type_map.get(obj.type_name)
        assert isinstance(gtype, GraphQLObjectType)
        for f in obj.active_fields():
            if f.relation is not None and f.name in gtype.fields:
                gtype.fields[f.name].resolve = _relation_resolver(meta, f)
    return schema
