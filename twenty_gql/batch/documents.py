"""The GraphQL documents batch jobs send, built from Twenty's naming rules.

Built from :mod:`twenty_gql.naming` rather than generated code, so custom objects created after
codegen work too. Operation names start with ``Batch`` so a job's events can be told apart.
"""

from __future__ import annotations

from collections.abc import Sequence

from twenty_gql.naming import ObjectNames, capitalize

__all__ = [
    "bulk_field",
    "bulk_mutation",
    "count_query",
    "list_query",
    "selection",
    "upsert_mutation",
]


def selection(paths: Sequence[str]) -> str:
    """``["id", "emails.primaryEmail"]`` -> ``id emails { primaryEmail }``."""
    tree: dict[str, dict[str, object]] = {}
    for path in paths:
        node = tree
        for part in path.split("."):
            node = node.setdefault(part, {})  # type: ignore[assignment]
    return _render(tree)


def _render(tree: dict[str, dict[str, object]]) -> str:
    parts = []
    for name, sub in tree.items():
        parts.append(f"{name} {{ {_render(sub)} }}" if sub else name)  # type: ignore[arg-type]
    return " ".join(parts)


def upsert_mutation(names: ObjectNames) -> tuple[str, str]:
    """``(document, operation name)`` of createMany with ``upsert: true``."""
    op = f"BatchUpsert{capitalize(names.plural)}"
    field = names.root_fields.create_many
    doc = (
        f"mutation {op}($data: [{names.types.create_input}!]!) "
        f"{{ {field}(data: $data, upsert: true) {{ id createdAt updatedAt }} }}"
    )
    return doc, op


def list_query(
    names: ObjectNames, fields: Sequence[str], *, op_prefix: str = "Batch"
) -> tuple[str, str]:
    """A connection query taking ``$filter``, ``$orderBy``, ``$first`` and ``$after``."""
    op = f"{op_prefix}List{capitalize(names.plural)}"
    doc = (
        f"query {op}($filter: {names.types.filter_input}, "
        f"$orderBy: [{names.types.order_by_input}], $first: Int, $after: String) "
        f"{{ {names.root_fields.find_many}(filter: $filter, orderBy: $orderBy, first: $first, "
        f"after: $after) {{ pageInfo {{ hasNextPage endCursor }} "
        f"edges {{ node {{ {selection(fields)} }} }} }} }}"
    )
    return doc, op


def count_query(names: ObjectNames) -> tuple[str, str]:
    op = f"BatchCount{capitalize(names.plural)}"
    doc = (
        f"query {op}($filter: {names.types.filter_input}) "
        f"{{ {names.root_fields.find_many}(filter: $filter, first: 1) {{ totalCount }} }}"
    )
    return doc, op


def bulk_field(names: ObjectNames, action: str) -> str:
    """The root field of update/delete/restore/destroy by filter."""
    roots = names.root_fields
    return {
        "update": roots.update_many,
        "delete": roots.delete_many,
        "restore": roots.restore_many,
        "destroy": roots.destroy_many,
    }[action]


def bulk_mutation(names: ObjectNames, action: str) -> tuple[str, str]:
    """update/delete/restore/destroy by filter; update takes ``$data`` too."""
    field = bulk_field(names, action)
    op = f"Batch{capitalize(field)}"
    if action == "update":
        doc = (
            f"mutation {op}($filter: {names.types.filter_input}!, "
            f"$data: {names.types.update_input}!) "
            f"{{ {field}(filter: $filter, data: $data) {{ id }} }}"
        )
    else:
        doc = (
            f"mutation {op}($filter: {names.types.filter_input}!) "
            f"{{ {field}(filter: $filter) {{ id }} }}"
        )
    return doc, op
