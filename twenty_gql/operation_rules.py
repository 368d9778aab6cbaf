"""Operations Twenty 2.21 refuses or mis-answers, found in a parsed GraphQL document.

A pure module (graphql-core nodes and a schema in, :class:`Violation` records out; no I/O, no
HTTP, no error payloads), like :mod:`twenty_gql.naming` and :mod:`twenty_gql.profiles`: the
sandbox imports it to answer like Twenty, and ``twenty-gql generate`` imports it to refuse, at
generate time, an operation that would fail against a real server. The rules (transcripts under
``tests/fixtures/reference/transcripts``):

* ``nested-one-to-many``: a one-to-many relation (a ``...Connection`` field below the root field)
  inside another one is refused, "Query complexity is too high" (65);
* ``duplicate-root-field``: the same root field twice, even under different aliases, is refused,
  ``Duplicate root resolver: "companies"`` (93);
* ``too-many-root-fields``: more root fields than the server profile's ``max_root_fields`` are
  refused (94);
* ``nested-alias``: an alias below a root field is ignored, the answer uses the field's name
  (99, 101), so a model expecting the alias fails to validate. Root aliases are honoured, and an
  alias equal to the field name (``edges: edges``) changes nothing.

The walks follow named and inline fragments, each fragment at most once along a path, so they
stay safe (and finite) on a document that has not been validated.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Literal

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    SourceLocation,
    get_named_type,
)

__all__ = [
    "RULES",
    "UNCHARGED_ROOT_FIELDS",
    "Rule",
    "Violation",
    "charged",
    "find_violations",
    "fragment_definitions",
    "nested_alias_violations",
    "nested_one_to_many_violations",
    "operations",
    "root_field_violations",
    "root_fields",
]

Rule = Literal["nested-one-to-many", "duplicate-root-field", "too-many-root-fields", "nested-alias"]
RULES: tuple[Rule, ...] = (
    "nested-one-to-many",
    "duplicate-root-field",
    "too-many-root-fields",
    "nested-alias",
)

Fragments = Mapping[str, FragmentDefinitionNode]

NESTED_ONE_TO_MANY_MESSAGE = (
    "Query complexity is too high. One-to-Many relation cannot be nested in another One-to-Many "
    "relation."
)


@dataclass(frozen=True, slots=True)
class Violation:
    """One thing in an operation that Twenty refuses or answers differently than asked."""

    rule: Rule
    message: str
    """For a refusal, Twenty's own message; for ``nested-alias``, what Twenty does instead."""
    locations: tuple[SourceLocation, ...]
    """Where the field at fault is (empty when the document was parsed without locations)."""
    root_field: str | None
    """The name of the root field the finding is under (``None`` for the root field count)."""
    source_name: str | None = None
    """The name of the source the field at fault was parsed from (a file path when the caller
    parsed each file with its own ``Source``)."""
    operation: str | None = None
    """The operation's name (``None`` for an anonymous operation)."""


UNCHARGED_ROOT_FIELDS = frozenset({"search"})
"""Root fields of ``/graphql`` that Twenty 2.21 does not charge to the workspace budget: they are
not served by the records query runner, where throttling happens (sequence 226, phase 3)."""


def charged(root_field_names: Iterable[str]) -> bool:
    """Whether a valid ``/graphql`` request with these root fields takes a token: one token if
    any field is a record field (several record fields still take one, sequences 83 and 226);
    none for ``search`` or ``__typename`` alone."""
    return any(
        not name.startswith("__") and name not in UNCHARGED_ROOT_FIELDS for name in root_field_names
    )


def fragment_definitions(document: DocumentNode) -> dict[str, FragmentDefinitionNode]:
    return {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}


def operations(
    document: DocumentNode, operation_name: str | None = None
) -> list[OperationDefinitionNode]:
    """The operations of ``document``: all of them, or those named ``operation_name``."""
    found = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name is None:
        return found
    return [d for d in found if d.name is not None and d.name.value == operation_name]


def root_fields(operation: OperationDefinitionNode, fragments: Fragments) -> list[FieldNode]:
    """The root fields the operation selects, in order, through fragments and inline fragments
    (``__typename`` and the other meta fields included)."""
    return [field for field, _ in _level(operation.selection_set, fragments, frozenset())]


def _level(
    selection_set: SelectionSetNode, fragments: Fragments, seen: frozenset[str]
) -> Iterator[tuple[FieldNode, frozenset[str]]]:
    """The fields of one selection level, through named and inline fragments. Each comes with
    the fragments followed to reach it, so a walk below it cuts a fragment cycle too."""
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            yield selection, seen
        elif isinstance(selection, InlineFragmentNode):
            yield from _level(selection.selection_set, fragments, seen)
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            if name in fragments and name not in seen:
                yield from _level(fragments[name].selection_set, fragments, seen | {name})


def root_field_violations(roots: list[FieldNode], *, max_root_fields: int) -> list[Violation]:
    """Duplicate root fields (each repeat) and too many root fields (Twenty counts every root
    field but the ``__`` meta fields, before it validates the document: 93, 94)."""
    counted = [field for field in roots if not field.name.value.startswith("__")]
    found: list[Violation] = []
    seen: set[str] = set()
    for field in counted:
        name = field.name.value
        if name in seen:
            found.append(
                _violation(
                    "duplicate-root-field", f'Duplicate root resolver: "{name}"', field, name
                )
            )
        seen.add(name)
    if len(counted) > max_root_fields:
        extra = counted[max_root_fields]
        message = (
            "Query too complex - Too many root resolvers requested: "
            f"{len(counted)} - Maximum allowed root resolvers: {max_root_fields}"
        )
        found.append(_violation("too-many-root-fields", message, extra, None))
    return found


def nested_alias_violations(roots: list[FieldNode], fragments: Fragments) -> list[Violation]:
    """Every field below a root field whose alias differs from its name, in document order."""
    found: list[Violation] = []
    for root in roots:
        if root.selection_set is None:
            continue
        for field in _descendants(root.selection_set, fragments, frozenset()):
            if field.alias is None or field.alias.value == field.name.value:
                continue
            message = (
                f'Alias "{field.alias.value}: {field.name.value}" below the root field '
                f'"{root.name.value}": Twenty ignores aliases there and answers with '
                f'"{field.name.value}"'
            )
            found.append(_violation("nested-alias", message, field, root.name.value))
    return found


def _descendants(
    selection_set: SelectionSetNode, fragments: Fragments, seen: frozenset[str]
) -> Iterator[FieldNode]:
    for field, path in _level(selection_set, fragments, seen):
        yield field
        if field.selection_set is not None:
            yield from _descendants(field.selection_set, fragments, path)


def nested_one_to_many_violations(
    schema: GraphQLSchema, operation: OperationDefinitionNode, fragments: Fragments
) -> list[Violation]:
    """Each one-to-many relation selected inside another one below the root field (65). The root
    field itself does not count: a company list may select each company's people (64).

    Fields the schema does not know are skipped (validation reports them).
    """
    root_type = schema.get_root_type(operation.operation)
    if root_type is None:
        return []
    found: list[Violation] = []
    for root in root_fields(operation, fragments):
        definition = root_type.fields.get(root.name.value)
        if definition is None or root.selection_set is None:
            continue
        named = get_named_type(definition.type)
        if not isinstance(named, GraphQLObjectType):
            continue
        at_fault = _nested(root.selection_set, named, 0, fragments, frozenset())
        # A fragment spread in two places is one field in the text: one finding.
        unique = {id(field): field for field in at_fault}
        found += [
            _violation("nested-one-to-many", NESTED_ONE_TO_MANY_MESSAGE, field, root.name.value)
            for field in unique.values()
        ]
    return found


def _nested(
    selection_set: SelectionSetNode,
    parent: GraphQLObjectType,
    depth: int,
    fragments: Fragments,
    seen: frozenset[str],
) -> list[FieldNode]:
    """The connection fields at least two one-to-many levels deep (not below one another).

    A field inside an inline fragment is looked up on ``parent``: record types here have no
    interfaces or unions to narrow to."""
    found: list[FieldNode] = []
    for selection, path in _level(selection_set, fragments, seen):
        definition = parent.fields.get(selection.name.value)
        if definition is None:
            continue
        named = get_named_type(definition.type)
        level = depth + 1 if named.name.endswith("Connection") else depth
        if level > 1:
            found.append(selection)
            continue
        if isinstance(named, GraphQLObjectType) and selection.selection_set is not None:
            found += _nested(selection.selection_set, named, level, fragments, path)
    return found


def find_violations(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None = None,
    *,
    max_root_fields: int,
) -> list[Violation]:
    """Everything in ``document`` Twenty refuses or mis-answers, per operation (each operation
    of the document, or the one named ``operation_name``), in document order per rule.

    ``max_root_fields`` comes from a :class:`twenty_gql.profiles.ServerProfile`.
    """
    fragments = fragment_definitions(document)
    found: list[Violation] = []
    for operation in operations(document, operation_name):
        name = operation.name.value if operation.name is not None else None
        roots = root_fields(operation, fragments)
        per_operation = (
            root_field_violations(roots, max_root_fields=max_root_fields)
            + nested_one_to_many_violations(schema, operation, fragments)
            + nested_alias_violations(roots, fragments)
        )
        found += [_with_operation(v, name) for v in per_operation]
    return found


def _violation(rule: Rule, message: str, field: FieldNode, root_field: str | None) -> Violation:
    loc = field.loc
    if loc is None:
        return Violation(rule, message, (), root_field)
    return Violation(
        rule, message, (loc.source.get_location(loc.start),), root_field, loc.source.name
    )


def _with_operation(violation: Violation, operation: str | None) -> Violation:
    return replace(violation, operation=operation)
