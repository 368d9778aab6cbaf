"""The Twenty objects a ``/graphql`` schema exposes, recognised by Twenty's naming rules.

An object (``twenty_gql.naming.ObjectNames``) is a query field ``<plural>`` returning
``<Record>Connection``, a query field ``<singular>(filter: <Record>FilterInput!)`` returning
``<Record>`` and a mutation ``create<Plural>``: what Twenty generates for every standard and
custom object, and nothing else in its schema has.
"""

from __future__ import annotations

from graphql import GraphQLSchema, get_named_type, is_non_null_type, is_object_type

from twenty_gql.naming import ObjectNames, uncapitalize

__all__ = ["find_objects"]


def find_objects(schema: GraphQLSchema) -> dict[str, ObjectNames]:
    """Every Twenty object in ``schema``, keyed by ``nameSingular`` (sorted)."""
    query = schema.query_type
    if query is None or schema.mutation_type is None:
        return {}
    found: dict[str, ObjectNames] = {}
    for plural, field in query.fields.items():
        connection = get_named_type(field.type).name
        if not connection.endswith("Connection"):
            continue
        try:
            names = ObjectNames(uncapitalize(connection.removesuffix("Connection")), plural)
        except ValueError:
            continue
        if names.types.connection == connection and _is_object(schema, names):
            found[names.singular] = names
    return dict(sorted(found.items()))


def _is_object(schema: GraphQLSchema, names: ObjectNames) -> bool:
    """The find-one field and the batch create that Twenty generates for every object."""
    assert schema.query_type is not None and schema.mutation_type is not None
    record = schema.type_map.get(names.types.record)
    find_one = schema.query_type.fields.get(names.root_fields.find_one)
    if not is_object_type(record) or find_one is None:
        return False
    if get_named_type(find_one.type) is not record:
        return False
    filter_arg = find_one.args.get("filter")
    if filter_arg is None or not is_non_null_type(filter_arg.type):
        return False
    if get_named_type(filter_arg.type).name != names.types.filter_input:
        return False
    return names.root_fields.create_many in schema.mutation_type.fields
