"""Attach resolvers to a records schema built by ``schema_builder``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from graphql import (
    GraphQLObjectType,
    GraphQLResolveInfo,
    GraphQLScalarType,
    GraphQLSchema,
    ValueNode,
    value_from_ast_untyped,
)

from .metadata import FieldMeta, ObjectMeta, WorkspaceMetadata
from .records import Records
from .values import is_uuid, parse_date, parse_datetime

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


def _check_uuid(value: Any) -> str:
    if not is_uuid(value):
        raise ValueError(f"Invalid UUID: {value!r}")
    return str(value)


def _check_datetime(value: Any) -> str:
    try:
        return parse_datetime(value)
    except (ValueError, TypeError):
        raise ValueError(
            f"Invalid value '{value}' for a date-time. Expected format: 'YYYY-MM-DDTHH:mm:ssZ'"
        ) from None


def _check_date(value: Any) -> str:
    try:
        return parse_date(value)
    except (ValueError, TypeError):
        raise ValueError(
            f"Invalid value '{value}' for a date. Expected format: 'YYYY-MM-DD'"
        ) from None


def _literal(check: Callable[[Any], Any]) -> Callable[..., Any]:
    def parse_literal(node: ValueNode, variables: dict[str, Any] | None = None) -> Any:
        return check(value_from_ast_untyped(node, variables))

    return parse_literal


def _wire_scalars(schema: GraphQLSchema) -> None:
    for name, check in (
        ("UUID", _check_uuid),
        ("DateTime", _check_datetime),
        ("Date", _check_date),
    ):
        scalar = schema.type_map.get(name)
        if isinstance(scalar, GraphQLScalarType):
            scalar.parse_value = check  # type: ignore[method-assign]
            scalar.parse_literal = _literal(check)  # type: ignore[method-assign]


def wire_schema(schema: GraphQLSchema, meta: WorkspaceMetadata) -> GraphQLSchema:
    _wire_scalars(schema)
    roots = (schema.query_type, schema.mutation_type)
    for obj in meta.active_objects():
        for name, resolver in _root_resolvers(obj).items():
            for root in roots:
                assert root is not None
                if name in root.fields:
                    root.fields[name].resolve = resolver
    for obj in meta.active_objects():
        gtype = schema.type_map.get(obj.type_name)
        assert isinstance(gtype, GraphQLObjectType)
        for f in obj.active_fields():
            if f.relation is not None and f.name in gtype.fields:
                gtype.fields[f.name].resolve = _relation_resolver(meta, f)
    return schema
