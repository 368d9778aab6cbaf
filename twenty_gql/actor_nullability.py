"""Twenty's one schema flip: the required sub-fields of the Actor composite.

Twenty 2.21 declares ``Actor.name``, ``Actor.source`` and ``ActorCreateInput.source`` non-null
in the first workspace schema a server process builds and nullable in every later one: its
update- and filter-input generators mark the shared Actor definition optional as a side effect,
and the printed schema is cached per metadata version, so a restart does not reset it
(reference NOTES (p), transcripts 105-112). Only Actor has required sub-fields, so only Actor
flips.

The one place this fact lives: ``pull`` writes the nullable form, drift never reports the flip,
generated models read both forms, and the sandbox serves the non-null form in its first build
only.
"""

from __future__ import annotations

from graphql import GraphQLInputObjectType, GraphQLNonNull, GraphQLObjectType, GraphQLSchema

__all__ = ["FLIPPING_FIELDS", "relax"]

# (type name, field name) of every field whose nullability flips between schema builds.
FLIPPING_FIELDS: tuple[tuple[str, str], ...] = (
    ("Actor", "name"),
    ("Actor", "source"),
    ("ActorCreateInput", "source"),
)


def relax(schema: GraphQLSchema) -> GraphQLSchema:
    """Make the flipping fields of ``schema`` nullable, in place (the form Twenty serves on
    every build but a process's first); a schema without them is returned unchanged."""
    for type_name, field_name in FLIPPING_FIELDS:
        named = schema.type_map.get(type_name)
        if not isinstance(named, GraphQLObjectType | GraphQLInputObjectType):
            continue
        found = named.fields.get(field_name)
        if found is not None and isinstance(found.type, GraphQLNonNull):
            found.type = found.type.of_type
    return schema
