"""Scaffold: write the GraphQL operations of every Twenty object a schema exposes.

Objects are those :func:`twenty_gql.schema.objects.find_objects` recognises by Twenty's naming
rules. For each object one document holds a ``<Record>Fields`` fragment and the operations Get,
List, Aggregate (every aggregate field of the connection, for a filter), Group (``<plural>GroupBy``:
groups with their dimension values, aggregates and first records, when the schema has it),
Find<Record>Duplicates and Merge<Plural> (with ``dryRun``; only objects with duplicate criteria
have them), Create (plural batch upsert), Update (one and many), Delete, Restore and Destroy
(many).

The fragment selects every scalar and enum field (the ``<relation>Id`` of each many-to-one
relation is such a scalar), and every composite field (an object type that is not a record, such
as Links, FullName, Emails, Phones, Address, Currency, Actor) with all its sub-fields. It skips
relations (many-to-one objects and one-to-many connections) and ``searchVector``, Twenty's
internal full-text index column (TSVector), which is of no use to a client.

Output is deterministic: objects, fields and variables are sorted by name, so the same schema
always gives the same bytes whatever order the SDL lists its types in.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from graphql import (
    GraphQLError,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    build_schema,
    get_named_type,
    is_leaf_type,
    is_non_null_type,
)

from twenty_gql.naming import ObjectNames
from twenty_gql.schema.objects import find_objects

__all__ = [
    "SKIPPED_SCALARS",
    "STANDARD_OBJECTS",
    "ScaffoldError",
    "python_attribute_name",
    "render_object",
    "scaffold",
    "write_scaffold",
]

STANDARD_OBJECTS: tuple[str, ...] = (
    "attachment",
    "company",
    "note",
    "noteTarget",
    "opportunity",
    "person",
    "task",
    "taskTarget",
    "workspaceMember",
)
"""Objects scaffolded when neither ``objects`` nor ``all_objects`` is given."""

SKIPPED_SCALARS: frozenset[str] = frozenset({"TSVector"})
"""Scalar types left out of fragments: ``searchVector`` is an index column, not data."""

_COMPOSITE_DEPTH = 3
_INDENT = "  "


class ScaffoldError(ValueError):
    """The schema or the requested objects cannot be scaffolded; the message says why."""


def scaffold(
    schema: GraphQLSchema,
    objects: Sequence[str] | None = None,
    *,
    all_objects: bool = False,
) -> dict[str, str]:
    """Documents to write, keyed by file name (``company.graphql``), sorted.

    ``objects`` names objects by ``nameSingular``; ``all_objects`` takes every object; with
    neither, the standard objects the schema has.
    """
    available = find_objects(schema)
    if not available:
        raise ScaffoldError(
            "the schema exposes no Twenty object (a query field '<plural>' returning "
            "'<Record>Connection', '<singular>(filter: <Record>FilterInput!)' and a mutation "
            "'create<Plural>')"
        )
    if all_objects and objects:
        raise ScaffoldError("give either a list of objects or 'all objects', not both")
    if all_objects:
        chosen = list(available)
    elif objects:
        unknown = sorted(set(objects) - set(available))
        if unknown:
            raise ScaffoldError(
                f"unknown object(s) {', '.join(unknown)}; the schema has: {', '.join(available)}"
            )
        chosen = sorted(set(objects))
    else:
        chosen = [name for name in STANDARD_OBJECTS if name in available]
    record_types = {names.types.record for names in available.values()}
    documents: dict[str, str] = {}
    for singular in chosen:
        documents[f"{singular}.graphql"] = render_object(schema, available[singular], record_types)
    return documents


def render_object(schema: GraphQLSchema, names: ObjectNames, record_types: set[str]) -> str:
    """The fragment and operations of one object, as GraphQL text.

    ``record_types`` names every record type of the schema: fields of those types are
    relations, left out of the fragment.
    """
    record = schema.type_map.get(names.types.record)
    if not isinstance(record, GraphQLObjectType):
        raise ScaffoldError(f"object {names.singular!r}: no type {names.types.record!r}")
    fragment = f"{record.name}Fields"
    roots = names.root_fields
    ops = names.operation_names
    query = schema.query_type
    mutation = schema.mutation_type
    assert query is not None and mutation is not None

    blocks = [_fragment(fragment, record, record_types)]
    id_type = _id_variable_type(schema, names.types.filter_input)
    blocks.append(
        _operation(
            "query",
            ops["get"],
            {"id": id_type},
            f"{roots.find_one}(filter: {{id: {{eq: $id}}}})",
            [f"...{fragment}"],
        )
    )
    list_args = ("filter", "orderBy", "first", "after")
    blocks.append(
        _operation(
            "query",
            ops["list"],
            _variables(query.fields[roots.find_many], list_args),
            _call(roots.find_many, list_args),
            [
                "totalCount",
                "pageInfo {",
                f"{_INDENT}hasNextPage",
                f"{_INDENT}endCursor",
                "}",
                "edges {",
                f"{_INDENT}cursor",
                f"{_INDENT}node {{",
                f"{_INDENT * 2}...{fragment}",
                f"{_INDENT}}}",
                "}",
            ],
        )
    )
    blocks.append(
        _aggregate_operation(query.fields[roots.find_many], ops["aggregate"], roots.find_many)
    )
    if roots.group_by in query.fields:
        group_by = query.fields[roots.group_by]
        blocks.append(_group_by_operation(group_by, ops["group_by"], roots.group_by, fragment))
    if roots.find_duplicates in query.fields:
        field = query.fields[roots.find_duplicates]
        dup_args = ("ids", "data")
        call = _call(roots.find_duplicates, dup_args)
        selection = ["totalCount", *_edges(fragment)]
        variables = _variables(field, dup_args)
        blocks.append(_operation("query", ops["find_duplicates"], variables, call, selection))
    mutations: list[tuple[str, str, tuple[str, ...]]] = [
        (ops["create_many"], roots.create_many, ("data", "upsert")),
        (ops["update_one"], roots.update_one, ("id", "data")),
        (ops["update_many"], roots.update_many, ("filter", "data")),
        (ops["delete_many"], roots.delete_many, ("filter",)),
        (ops["restore_many"], roots.restore_many, ("filter",)),
        (ops["destroy_many"], roots.destroy_many, ("filter",)),
    ]
    if roots.merge_many in mutation.fields:
        merge_args = ("ids", "conflictPriorityIndex", "dryRun")
        mutations.append((ops["merge_many"], roots.merge_many, merge_args))
    for op_name, root, args in mutations:
        field = mutation.fields.get(root)
        if field is None:
            raise ScaffoldError(f"object {names.singular!r}: the schema has no mutation {root!r}")
        blocks.append(
            _operation(
                "mutation", op_name, _variables(field, args), _call(root, args), [f"...{fragment}"]
            )
        )
    return "\n".join(blocks)


def _leaf_names(field: GraphQLField) -> list[str]:
    """The scalar fields of the type ``field`` returns (a connection's ``totalCount`` and
    aggregates such as ``countEmptyName`` or ``sumEmployees``), sorted."""
    named = get_named_type(field.type)
    assert isinstance(named, GraphQLObjectType)
    return sorted(n for n, f in named.fields.items() if is_leaf_type(get_named_type(f.type)))


def _aggregate_operation(field: GraphQLField, name: str, root: str) -> str:
    """The aggregates of the records a filter matches."""
    args = ("filter",)
    return _operation("query", name, _variables(field, args), _call(root, args), _leaf_names(field))


def _edges(fragment: str) -> list[str]:
    return ["edges {", f"{_INDENT}node {{", f"{_INDENT * 2}...{fragment}", f"{_INDENT}}}", "}"]


def _group_by_operation(field: GraphQLField, name: str, root: str, fragment: str) -> str:
    """Groups: their dimension values, aggregates and first records."""
    args = ("groupBy", "filter", "orderBy", "orderByForRecords", "limit", "offsetForRecords")
    selection = _leaf_names(field) + _edges(fragment)
    return _operation("query", name, _variables(field, args), _call(root, args), selection)


def _id_variable_type(schema: GraphQLSchema, filter_input: str) -> str:
    filter_type = schema.type_map.get(filter_input)
    if not isinstance(filter_type, GraphQLInputObjectType) or "id" not in filter_type.fields:
        raise ScaffoldError(f"{filter_input} has no 'id' filter")
    id_filter = get_named_type(filter_type.fields["id"].type)
    if not isinstance(id_filter, GraphQLInputObjectType) or "eq" not in id_filter.fields:
        raise ScaffoldError(f"{filter_input}.id has no 'eq' operator")
    return f"{get_named_type(id_filter.fields['eq'].type).name}!"


def _variables(field: GraphQLField, args: Iterable[str]) -> dict[str, str]:
    variables: dict[str, str] = {}
    for name in args:
        arg = field.args.get(name)
        if arg is None:
            raise ScaffoldError(f"root field has no argument {name!r}")
        variables[name] = str(arg.type)
    return variables


def _call(root: str, args: Iterable[str]) -> str:
    return f"{root}({', '.join(f'{name}: ${name}' for name in args)})"


def _operation(
    kind: str, name: str, variables: dict[str, str], call: str, selection: list[str]
) -> str:
    declared = ", ".join(f"${var}: {type_}" for var, type_ in variables.items())
    lines = [f"{kind} {name}({declared}) {{", f"{_INDENT}{call} {{"]
    lines += [f"{_INDENT * 2}{line}" for line in selection]
    lines += [f"{_INDENT}}}", "}", ""]
    return "\n".join(lines)


def _fragment(name: str, record: GraphQLObjectType, record_types: set[str]) -> str:
    lines = [f"fragment {name} on {record.name} {{"]
    lines += _selection(record, record_types, depth=1)
    lines += ["}", ""]
    return "\n".join(lines)


def _selection(type_: GraphQLObjectType, record_types: set[str], depth: int) -> list[str]:
    lines: list[str] = []
    indent = _INDENT * depth
    _check_python_names(type_)
    for field_name in sorted(type_.fields):
        field = type_.fields[field_name]
        if any(is_non_null_type(arg.type) for arg in field.args.values()):
            continue
        named: GraphQLNamedType = get_named_type(field.type)
        if is_leaf_type(named):
            if named.name not in SKIPPED_SCALARS:
                lines.append(f"{indent}{field_name}")
        elif _is_composite(named, record_types) and depth <= _COMPOSITE_DEPTH:
            assert isinstance(named, GraphQLObjectType)
            sub = _selection(named, record_types, depth + 1)
            if sub:
                lines += [f"{indent}{field_name} {{", *sub, f"{indent}}}"]
    return lines


def _check_python_names(type_: GraphQLObjectType) -> None:
    """Refuse two fields that generated code would give the same Python attribute.

    ariadne-codegen snake-cases names and appends ``_`` to keywords, builtins and pydantic
    attributes (``from`` -> ``from_``, ``modelDump`` -> ``model_dump_``), so ``modelDump`` and
    ``model_dump`` would collide. Aliases cannot separate them: Twenty ignores nested aliases.
    """
    seen: dict[str, str] = {}
    for field_name in sorted(type_.fields):
        python_name = python_attribute_name(field_name)
        other = seen.setdefault(python_name, field_name)
        if other != field_name:
            raise ScaffoldError(
                f"type {type_.name}: fields {other!r} and {field_name!r} would both become "
                f"the Python attribute {python_name!r}; rename one of them"
            )


def python_attribute_name(field_name: str) -> str:
    """The attribute ariadne-codegen gives a GraphQL field (``convert_to_snake_case``)."""
    from ariadne_codegen.utils import process_name  # dev-time tool: codegen only

    name: str = process_name(
        field_name, convert_to_snake_case=True, handle_pydantic_resrved_field_names=True
    )
    return name


def _is_composite(type_: GraphQLNamedType, record_types: set[str]) -> bool:
    """An object type that is a value of a record (Links, Currency...), not a relation."""
    if not isinstance(type_, GraphQLObjectType) or type_.name in record_types:
        return False
    if type_.name.endswith("Connection"):
        return False
    return all(not field.args for field in type_.fields.values())


def write_scaffold(
    schema_path: Path,
    out_dir: Path,
    objects: Sequence[str] | None = None,
    *,
    all_objects: bool = False,
) -> list[Path]:
    """Scaffold from the SDL at ``schema_path`` into ``out_dir``; the paths written."""
    try:
        sdl = schema_path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ScaffoldError(f"cannot read schema {schema_path}: {exc.strerror}") from exc
    try:
        schema = build_schema(sdl)
    except GraphQLError as exc:
        raise ScaffoldError(f"{schema_path} is not a valid GraphQL schema: {exc.message}") from exc
    documents = scaffold(schema, objects, all_objects=all_objects)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for file_name, text in documents.items():
        path = out_dir / file_name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
