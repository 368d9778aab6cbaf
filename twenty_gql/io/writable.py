"""Which record fields a client may write: the one rule export and import share.

A field (or composite sub-field) is **writable** iff it is a leaf of the object's
``<Object>CreateInput``. Everything else a record shows is **read-only**: sub-fields the server
fills in (``createdBy.name``, ``createdBy.workspaceMemberId``), files (``avatarFile.*``) and
whatever a later server adds. Deriving this from the workspace's schema, not a hand list, keeps
custom objects and new server versions right: ``export`` writes only writable fields by default,
and ``import`` ignores read-only columns (an older export, a hand-made file) instead of refusing
them.
"""

from __future__ import annotations

from graphql import GraphQLObjectType, get_named_type

from twenty_gql.io.object_schema import Leaf, ObjectSchema, UnknownFieldError

__all__ = ["is_read_only", "is_writable"]


def is_writable(obj: ObjectSchema, path: str) -> bool:
    """``path`` (dotted, e.g. ``emails.primaryEmail``) is a leaf of ``<Object>CreateInput``."""
    try:
        return isinstance(obj.resolve(path), Leaf)
    except UnknownFieldError:
        return False


def is_read_only(obj: ObjectSchema, path: str) -> bool:
    """``path`` is a field the record shows but a create does not take."""
    current: GraphQLObjectType = obj.record_type()
    parts = path.split(".")
    for depth, part in enumerate(parts):
        field = current.fields.get(part)
        if field is None:
            return False
        named = get_named_type(field.type)
        if depth < len(parts) - 1:
            if not isinstance(named, GraphQLObjectType) or "id" in named.fields:
                return False  # not a composite value (a relation is named by its key instead)
            current = named
    try:
        obj.resolve(path)
    except UnknownFieldError:
        return True
    return False
