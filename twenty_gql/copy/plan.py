"""What a copy writes, object by object, in an order that keeps relations valid.

Everything is read from the two workspaces' ``/graphql`` schemas: the fields of each object are
the ones writable (:mod:`twenty_gql.io.writable`) in the source *and* the target; a many-to-one
relation is a ``<field>: <Target>RelationInput`` of ``<Object>CreateInput`` with its
``<field>Id``. Objects come targets first (a topological order); a relation that closes a cycle
(a self-relation included) is *deferred*: left out of the first pass and set by a second pass,
once every record exists.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from graphql import GraphQLInputObjectType, GraphQLSchema, get_named_type

from twenty_gql.io.exporter import export_fields
from twenty_gql.io.object_schema import UnknownObjectError, find_object
from twenty_gql.io.writable import is_writable
from twenty_gql.naming import ObjectNames, uncapitalize
from twenty_gql.schema.objects import find_objects

__all__ = ["CopyPlanError", "ObjectPlan", "default_objects", "many_to_one", "plan_copy"]

_RELATION_INPUT = "RelationInput"


class CopyPlanError(ValueError):
    """The copy cannot start: an unknown object, an object the target lacks. Names it."""


@dataclass(frozen=True, slots=True)
class ObjectPlan:
    names: ObjectNames
    fields: tuple[str, ...]
    """Dotted paths written by the first pass (``id`` first)."""
    deferred: tuple[str, ...] = ()
    """Relation id fields (``parentId``) set by the second pass: they close a cycle."""
    left_out: tuple[str, ...] = ()
    """Relation id fields not written: their target is a system object that is not copied
    (a relation to an ordinary object outside ``--objects`` is kept: it may exist already)."""

    @property
    def singular(self) -> str:
        return self.names.singular


def many_to_one(schema: GraphQLSchema, singular: str) -> dict[str, str]:
    """``{"companyId": "company", ...}``: each relation id field and its target object."""
    create = schema.type_map.get(find_object(schema, singular).names.types.create_input)
    assert isinstance(create, GraphQLInputObjectType)
    relations: dict[str, str] = {}
    for name, field in create.fields.items():
        type_name = get_named_type(field.type).name
        if type_name.endswith(_RELATION_INPUT) and f"{name}Id" in create.fields:
            relations[f"{name}Id"] = uncapitalize(type_name[: -len(_RELATION_INPUT)])
    return dict(sorted(relations.items()))


def default_objects(schema: GraphQLSchema, system: Iterable[str]) -> list[str]:
    """Every object that is not a system object, plus the system objects that only link
    copied ones (note and task targets, attachments). Workspace members (the workspace's own
    users) are not copied: relations to them are left out."""
    system = set(system)
    chosen = [name for name in find_objects(schema) if name not in system]
    for name in sorted(system & set(find_objects(schema))):
        targets = set(many_to_one(schema, name).values())
        if targets and targets <= set(chosen):
            chosen.append(name)
    return chosen


def _order(
    objects: Sequence[str], edges: dict[str, dict[str, str]]
) -> tuple[list[str], set[tuple[str, str]]]:
    """Targets before the objects pointing at them; ``(object, id_field)`` pairs deferred to
    break cycles (the object with the fewest unmet targets gives way first)."""
    remaining = list(objects)
    done: list[str] = []
    deferred: set[tuple[str, str]] = set()
    while remaining:

        def unmet(name: str) -> list[str]:
            return [
                f
                for f, target in edges[name].items()
                if target in remaining and (name, f) not in deferred
            ]

        ready = [name for name in remaining if not unmet(name)]
        if not ready:
            stuck = min(remaining, key=lambda name: (len(unmet(name)), name))
            deferred.update((stuck, f) for f in unmet(stuck))
            continue
        for name in ready:
            remaining.remove(name)
            done.append(name)
    return done, deferred


def plan_copy(
    source: GraphQLSchema,
    target: GraphQLSchema,
    objects: Sequence[str],
    system: Iterable[str] = (),
) -> list[ObjectPlan]:
    """The plan for ``objects`` (names as the source spells them), in write order."""
    system = set(system)
    singulars: list[str] = []
    for name in objects:
        try:
            singular = find_object(source, name).singular
        except UnknownObjectError as exc:
            raise CopyPlanError(f"--objects: {exc}") from None
        try:
            find_object(target, singular)
        except UnknownObjectError:
            raise CopyPlanError(f"the target workspace has no object {singular!r}") from None
        if singular not in singulars:
            singulars.append(singular)
    edges = {name: many_to_one(source, name) for name in singulars}
    self_edges = {(n, f) for n, rel in edges.items() for f, t in rel.items() if t == n}
    order, deferred = _order(
        singulars, {n: {f: t for f, t in rel.items() if t != n} for n, rel in edges.items()}
    )
    deferred |= self_edges
    plans: list[ObjectPlan] = []
    for name in order:
        src, dst = find_object(source, name), find_object(target, name)
        paths = [p for p in export_fields(src, None) if is_writable(dst, p)]
        left_out = tuple(f for f, t in edges[name].items() if t not in singulars and t in system)
        later = tuple(f for f in edges[name] if (name, f) in deferred)
        first = tuple(p for p in paths if p not in left_out and p not in later)
        plans.append(ObjectPlan(src.names, first, later, left_out))
    return plans
