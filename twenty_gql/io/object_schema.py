"""What an object accepts, read from the workspace's GraphQL schema.

Everything comes from the ``/graphql`` schema (a committed SDL file or a live introspection), so
custom objects and fields work without codegen: the object's names from its ``createMany`` and
list root fields, its settable fields from ``<X>CreateInput``, its unique keys from
``<X>WhereUniqueInput``, and its relations from ``<Y>RelationInput`` fields (with ``<y>Id``).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    get_named_type,
)

from twenty_gql.batch.dedupe import ID_KEY, UniqueKey
from twenty_gql.naming import ObjectNames, capitalize, uncapitalize
from twenty_gql.schema.objects import find_objects

__all__ = [
    "Leaf",
    "ObjectSchema",
    "RelationPath",
    "UnknownFieldError",
    "UnknownObjectError",
    "find_object",
]


class UnknownObjectError(LookupError):
    """No object of that name in the schema; the message names it and suggests others."""


class UnknownFieldError(LookupError):
    """A path that names no settable field of the object; the message names both."""


@dataclass(frozen=True, slots=True)
class Leaf:
    """A settable value at ``path``: a scalar or enum, or a list of them."""

    path: str
    type_name: str
    is_list: bool = False
    enum_values: tuple[str, ...] | None = None


@dataclass(frozen=True, slots=True)
class RelationPath:
    """``company.domainName``: set ``companyId`` to the id of the company whose key matches."""

    path: str
    field: str
    id_field: str
    target: ObjectNames
    key: UniqueKey


def _unwrap(type_: GraphQLInputType | GraphQLOutputType) -> tuple[GraphQLNamedType, bool]:
    is_list = False
    current: Any = type_
    while isinstance(current, (GraphQLNonNull, GraphQLList)):
        if isinstance(current, GraphQLList):
            is_list = True
        current = current.of_type
    return get_named_type(type_), is_list


def _suggest(word: str, options: list[str]) -> str:
    close = difflib.get_close_matches(word, options, n=3, cutoff=0.6)
    return f" (did you mean {', '.join(close)}?)" if close else ""


def find_object(schema: GraphQLSchema, name: str) -> ObjectSchema:
    """The object called ``name`` (singular or plural, as in ``company`` or ``companies``)."""
    names = find_objects(schema)
    for candidate in names.values():
        if name in (candidate.singular, candidate.plural):
            return ObjectSchema(schema, candidate)
    known = sorted(names)
    raise UnknownObjectError(
        f"unknown object {name!r}: the schema has no such object"
        + _suggest(name, known + [n.plural for n in names.values()])
    )


class ObjectSchema:
    def __init__(self, schema: GraphQLSchema, names: ObjectNames) -> None:
        self.schema = schema
        self.names = names
        create = schema.type_map.get(names.types.create_input)
        if not isinstance(create, GraphQLInputObjectType):
            raise UnknownObjectError(f"the schema has no {names.types.create_input}")
        self.create_input = create
        self._by_path: dict[str, Leaf | RelationPath] = {}

    @property
    def singular(self) -> str:
        return self.names.singular

    def field_names(self) -> list[str]:
        return sorted(self.create_input.fields)

    def record_type(self) -> GraphQLObjectType:
        record = self.schema.type_map.get(self.names.types.record)
        if not isinstance(record, GraphQLObjectType):
            raise UnknownObjectError(f"the schema has no type {self.names.types.record}")
        return record

    def unique_keys(self) -> tuple[UniqueKey, ...]:
        """``id`` and every key of ``<X>WhereUniqueInput`` (standard and custom unique fields)."""
        keys: list[UniqueKey] = [ID_KEY]
        where = self.schema.type_map.get(f"{capitalize(self.singular)}WhereUniqueInput")
        if isinstance(where, GraphQLInputObjectType):
            for name, field in sorted(where.fields.items()):
                if name == "id":
                    continue
                named = get_named_type(field.type)
                if isinstance(named, GraphQLInputObjectType):
                    paths = tuple(f"{name}.{sub}" for sub in sorted(named.fields))
                else:
                    paths = (name,)
                keys.append(UniqueKey(name, paths, casefold=self._is_email(name)))
        return tuple(keys)

    def _is_email(self, field_name: str) -> bool:
        field = self.create_input.fields.get(field_name)
        if field is None:
            return "email" in field_name.lower()
        return bool(get_named_type(field.type).name == "EmailsCreateInput")

    def resolve(self, path: str) -> Leaf | RelationPath:
        """The leaf or relation a dotted path names; :class:`UnknownFieldError` if none."""
        cached = self._by_path.get(path)
        if cached is None:
            cached = self._by_path[path] = self._resolve(path)
        return cached

    def _resolve(self, path: str) -> Leaf | RelationPath:
        parts = path.split(".")
        head = parts[0]
        field = self.create_input.fields.get(head)
        if field is None:
            raise UnknownFieldError(
                f"{self.singular} has no field {head!r}" + _suggest(head, self.field_names())
            )
        named, is_list = _unwrap(field.type)
        if isinstance(named, GraphQLInputObjectType) and named.name.endswith("RelationInput"):
            return self._relation(path, head, named.name, parts[1:])
        current: GraphQLInputType = field.type
        walked = head
        for part in parts[1:]:
            named, _ = _unwrap(current)
            if not isinstance(named, GraphQLInputObjectType):
                raise UnknownFieldError(f"{self.singular}.{walked} has no sub-field {part!r}")
            sub = named.fields.get(part)
            if sub is None:
                raise UnknownFieldError(
                    f"{self.singular}.{walked} has no sub-field {part!r}"
                    + _suggest(part, sorted(named.fields))
                )
            current = sub.type
            walked = f"{walked}.{part}"
        named, is_list = _unwrap(current)
        if isinstance(named, GraphQLInputObjectType):
            subs = ", ".join(sorted(named.fields))
            raise UnknownFieldError(
                f"{self.singular}.{walked} is a composite field: name one of its sub-fields "
                f"({walked}.<{subs}>)"
            )
        enum_values = tuple(named.values) if isinstance(named, GraphQLEnumType) else None
        return Leaf(path=walked, type_name=named.name, is_list=is_list, enum_values=enum_values)

    def _relation(self, path: str, field: str, relation_type: str, rest: list[str]) -> RelationPath:
        target_record = relation_type[: -len("RelationInput")]
        target_names = find_objects(self.schema).get(uncapitalize(target_record))
        id_field = f"{field}Id"
        if target_names is None or id_field not in self.create_input.fields:
            raise UnknownFieldError(f"{self.singular}.{field} is a relation that cannot be set")
        target = ObjectSchema(self.schema, target_names)
        keys = {key.name: key for key in target.unique_keys()}
        if not rest:
            raise UnknownFieldError(
                f"{self.singular}.{field} is a relation: name the {target.singular} by one of "
                f"its unique fields ({', '.join(f'{field}.{k}' for k in keys)})"
            )
        key = keys.get(rest[0])
        if key is None or (len(rest) > 1 and ".".join(rest) not in key.paths):
            raise UnknownFieldError(
                f"{'.'.join(rest)!r} is not a unique field of {target.singular} "
                f"(unique: {', '.join(keys)})"
            )
        if len(key.paths) != 1:
            raise UnknownFieldError(
                f"{target.singular}.{key.name} spans several sub-fields; set {id_field} instead"
            )
        return RelationPath(path=path, field=field, id_field=id_field, target=target_names, key=key)
