"""``/graphql``: parse, validate and execute a records request the way Twenty answers it.

graphql-core does the parsing, validation and execution (``request_errors`` maps its errors to
Twenty's shapes); this module adds Twenty's own checks (root field count, duplicate root fields,
one-to-many inside one-to-many). Parsed and validated documents are cached per query text and
schema version.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    ExecutionResult,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    execute,
    get_named_type,
    parse,
    validate,
)
from graphql.execution.values import get_variable_values

from .errors import SandboxError, bad_input
from .request_errors import RequestError, map_validation_errors, map_variable_errors, plain

__all__ = ["PreparedRequest", "RequestError", "prepare_request", "run_prepared"]


@dataclass(slots=True)
class PreparedRequest:
    schema: GraphQLSchema
    document: DocumentNode
    operation: OperationDefinitionNode
    root_keys: list[str]
    variables: dict[str, Any] | None
    operation_name: str | None
    is_mutation: bool


class _Cache:
    def __init__(self, size: int = 512) -> None:
        self._data: OrderedDict[Any, Any] = OrderedDict()
        self._size = size

    def get(self, key: Any) -> Any:
        value = self._data.get(key)
        if value is not None:
            self._data.move_to_end(key)
        return value

    def put(self, key: Any, value: Any) -> None:
        self._data[key] = value
        if len(self._data) > self._size:
            self._data.popitem(last=False)


_parsed = _Cache()
_validated = _Cache()


def _parse(query: str) -> DocumentNode:
    cached = _parsed.get(query)
    if cached is None:
        try:
            cached = parse(query)
        except GraphQLError as error:
            cached = error
        _parsed.put(query, cached)
    if isinstance(cached, GraphQLError):
        raise RequestError({"errors": [plain(cached)]})
    assert isinstance(cached, DocumentNode)
    return cached


def _operation(document: DocumentNode, name: str | None) -> OperationDefinitionNode:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if name:
        for op in operations:
            if op.name and op.name.value == name:
                return op
        raise RequestError({"errors": [{"message": f"Unknown operation named '{name}'."}]})
    if len(operations) != 1:
        message = (
            "Must provide an operation."
            if not operations
            else "Must provide operation name if query contains multiple operations."
        )
        raise RequestError({"errors": [{"message": message}]})
    return operations[0]


def _fragments(document: DocumentNode) -> dict[str, FragmentDefinitionNode]:
    return {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}


def _root_fields(
    selection_set: SelectionSetNode, fragments: dict[str, FragmentDefinitionNode]
) -> list[FieldNode]:
    fields: list[FieldNode] = []
    for sel in selection_set.selections:
        if isinstance(sel, FieldNode):
            fields.append(sel)
        elif isinstance(sel, InlineFragmentNode):
            fields += _root_fields(sel.selection_set, fragments)
        elif isinstance(sel, FragmentSpreadNode) and sel.name.value in fragments:
            fields += _root_fields(fragments[sel.name.value].selection_set, fragments)
    return fields


def _nested_alias(
    selection_set: SelectionSetNode | None,
    fragments: dict[str, FragmentDefinitionNode],
    seen: frozenset[str] = frozenset(),
) -> FieldNode | None:
    """The first aliased field anywhere in this selection (fragments followed once each)."""
    if selection_set is None:
        return None
    for sel in selection_set.selections:
        if isinstance(sel, FieldNode):
            if sel.alias is not None and sel.alias.value != sel.name.value:
                return sel
            found = _nested_alias(sel.selection_set, fragments, seen)
        elif isinstance(sel, InlineFragmentNode):
            found = _nested_alias(sel.selection_set, fragments, seen)
        elif isinstance(sel, FragmentSpreadNode) and sel.name.value in fragments:
            if sel.name.value in seen:
                continue
            found = _nested_alias(
                fragments[sel.name.value].selection_set, fragments, seen | {sel.name.value}
            )
        else:
            found = None
        if found is not None:
            return found
    return None


def _refuse_nested_aliases(
    roots: list[FieldNode], fragments: dict[str, FragmentDefinitionNode]
) -> None:
    """Twenty answers ``n: node`` as ``node`` (transcripts 99, 101): a client that relies on a
    nested alias breaks against the real server. Refuse it here so it breaks in tests instead."""
    for root in roots:
        field = _nested_alias(root.selection_set, fragments)
        if field is None:
            continue
        assert field.alias is not None
        location = field.loc.source.get_location(field.loc.start) if field.loc else None
        error: dict[str, Any] = {
            "message": (
                f'Alias "{field.alias.value}: {field.name.value}" below the root field '
                f'"{root.name.value}": Twenty ignores aliases there and answers with '
                f'"{field.name.value}", so the sandbox refuses them. Use aliases on root '
                "fields only."
            ),
            "extensions": {"code": "GRAPHQL_VALIDATION_FAILED"},
        }
        if location is not None:
            error["locations"] = [{"line": location.line, "column": location.column}]
        raise RequestError({"errors": [error]})


def _check_nesting(
    schema: GraphQLSchema,
    selection_set: SelectionSetNode | None,
    parent: GraphQLObjectType,
    depth: int,
    fragments: dict[str, FragmentDefinitionNode],
    is_root: bool,
) -> bool:
    """True if a one-to-many relation sits inside another one-to-many relation."""
    if selection_set is None:
        return False
    for sel in selection_set.selections:
        if isinstance(sel, FieldNode):
            fdef = parent.fields.get(sel.name.value)
            if fdef is None:
                continue
            named = get_named_type(fdef.type)
            level = depth
            if not is_root and named.name.endswith("Connection"):
                level += 1
                if level > 1:
                    return True
            if isinstance(named, GraphQLObjectType) and _check_nesting(
                schema, sel.selection_set, named, level, fragments, False
            ):
                return True
        elif isinstance(sel, InlineFragmentNode):
            if _check_nesting(schema, sel.selection_set, parent, depth, fragments, is_root):
                return True
        elif isinstance(sel, FragmentSpreadNode) and sel.name.value in fragments:
            frag = fragments[sel.name.value]
            if _check_nesting(schema, frag.selection_set, parent, depth, fragments, is_root):
                return True
    return False


def prepare_request(
    schema: GraphQLSchema,
    schema_version: int,
    body: dict[str, Any],
    *,
    max_root_fields: int,
    twenty_checks: bool = True,
) -> PreparedRequest:
    """Everything that can reject a request before it runs (raises ``RequestError``)."""
    query = body.get("query")
    if not isinstance(query, str) or not query.strip():
        raise RequestError({"errors": [{"message": "Must provide query string."}]}, 400)
    variables = body.get("variables")
    if variables is not None and not isinstance(variables, dict):
        raise RequestError({"errors": [{"message": "Variables must be an object."}]}, 400)
    operation_name = body.get("operationName") or None
    document = _parse(query)
    operation = _operation(document, operation_name)
    fragments = _fragments(document)
    roots = _root_fields(operation.selection_set, fragments)
    root_keys = list(dict.fromkeys((f.alias or f.name).value for f in roots))
    is_mutation = operation.operation == OperationType.MUTATION
    if twenty_checks:
        # Twenty counts root resolvers before validating the document (94)
        names = [f.name.value for f in roots if not f.name.value.startswith("__")]
        seen: set[str] = set()
        for name in names:
            if name in seen:
                error = bad_input(f'Duplicate root resolver: "{name}"').payload
                error["extensions"].pop("userFriendlyMessage", None)
                raise RequestError({"data": {}, "errors": [error]})
            seen.add(name)
        if len(names) > max_root_fields:
            error = bad_input(
                "Query too complex - Too many root resolvers requested: "
                f"{len(names)} - Maximum allowed root resolvers: {max_root_fields}"
            ).payload
            raise RequestError({"data": {}, "errors": [error]})
    cache_key = (query, id(schema), schema_version)
    errors = _validated.get(cache_key)
    if errors is None:
        errors = validate(schema, document)
        _validated.put(cache_key, errors)
    if errors:
        raise map_validation_errors(errors, document, root_keys)
    if twenty_checks:
        _refuse_nested_aliases(roots, fragments)
        root_type = schema.mutation_type if is_mutation else schema.query_type
        assert root_type is not None
        if _check_nesting(schema, operation.selection_set, root_type, 0, fragments, True):
            error = bad_input(
                "Query complexity is too high. One-to-Many relation cannot be nested in "
                "another One-to-Many relation.",
                "TOO_COMPLEX_QUERY",
            ).payload
            raise RequestError({"data": dict.fromkeys(root_keys), "errors": [error]})
    coerced = get_variable_values(schema, operation.variable_definitions or (), variables or {})
    if isinstance(coerced, list):
        raise map_variable_errors(coerced, operation, root_keys)
    return PreparedRequest(
        schema, document, operation, root_keys, variables, operation_name, is_mutation
    )


def run_prepared(prepared: PreparedRequest, context: Any) -> dict[str, Any]:
    result = execute(
        prepared.schema,
        prepared.document,
        context_value=context,
        variable_values=prepared.variables,
        operation_name=prepared.operation_name,
    )
    assert isinstance(result, ExecutionResult)
    payload: dict[str, Any] = {"data": result.data}
    if result.errors:
        payload["errors"] = [_format(e) for e in result.errors]
    return payload


def _format(error: GraphQLError) -> dict[str, Any]:
    original = error.original_error
    if isinstance(original, SandboxError):
        out = original.payload
        out["path"] = error.path
        out["locations"] = [
            {"line": loc.line, "column": loc.column} for loc in error.locations or ()
        ]
        return out
    if original is not None and not isinstance(original, GraphQLError):
        return {
            "message": str(original) or type(original).__name__,
            "path": error.path,
            "extensions": {"code": "INTERNAL_SERVER_ERROR"},
        }
    return dict(error.formatted)
