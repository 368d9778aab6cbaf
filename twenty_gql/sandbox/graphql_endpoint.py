"""``/graphql``: parse, validate and execute a records request the way Twenty answers it.

graphql-core does the parsing, validation and execution (``request_errors`` maps its errors to
Twenty's shapes); this module answers Twenty's own refusals (root field count, duplicate root
fields, one-to-many inside one-to-many, found by :mod:`twenty_gql.operation_rules`) in Twenty's
error shapes, and refuses the nested aliases Twenty would silently ignore. Like Twenty's direct
execution, a field a record or connection type does not have answers ``null`` instead of failing
validation (reference 49, 61): what a client generated before a field was renamed or removed
meets. What a query text
answers before its variables (the operation to run, or the rejection) is cached per schema: the
workspace builds a new schema object for each metadata version.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any
from weakref import WeakKeyDictionary

from graphql import (
    DocumentNode,
    ExecutionResult,
    FieldNode,
    FragmentDefinitionNode,
    GraphQLError,
    GraphQLObjectType,
    GraphQLSchema,
    OperationDefinitionNode,
    OperationType,
    VariablesInAllowedPositionRule,
    execute,
    parse,
    specified_rules,
    validate,
)
from graphql.execution import ExecutionContext
from graphql.execution.values import get_variable_values
from graphql.pyutils import Path

from twenty_gql.operation_rules import (
    fragment_definitions,
    nested_alias_violations,
    nested_one_to_many_violations,
    operations,
    root_field_violations,
    root_fields,
)

from .errors import SandboxError, bad_input
from .merge import unlisted_answer
from .metadata import COMPOSITE_TYPES
from .request_errors import RequestError, map_validation_errors, map_variable_errors, plain
from .resolvers import UNLISTED_OBJECTS
from .search import SEARCH_FIELD, search_schema

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


@dataclass(frozen=True, slots=True)
class _Checked:
    """A query text that passed every check that does not depend on its variables."""

    document: DocumentNode
    operation: OperationDefinitionNode
    root_keys: list[str]
    is_mutation: bool
    is_search: bool = False


_RULES = [rule for rule in specified_rules if rule is not VariablesInAllowedPositionRule]
"""Twenty does not check that a nullable variable feeds a non-null argument (181): it runs."""

_checked: WeakKeyDictionary[GraphQLSchema, _Cache] = WeakKeyDictionary()


def _parse(query: str) -> DocumentNode:
    try:
        return parse(query)
    except GraphQLError as error:
        raise RequestError({"errors": [plain(error)]}) from None


def _operation(document: DocumentNode, name: str | None) -> OperationDefinitionNode:
    if name:
        named = operations(document, name)
        if not named:
            raise RequestError({"errors": [{"message": f"Unknown operation named '{name}'."}]})
        return named[0]
    found = operations(document)
    if len(found) != 1:
        message = (
            "Must provide an operation."
            if not found
            else "Must provide operation name if query contains multiple operations."
        )
        raise RequestError({"errors": [{"message": message}]})
    return found[0]


def _refuse_nested_aliases(
    roots: list[FieldNode], fragments: dict[str, FragmentDefinitionNode]
) -> None:
    """Twenty answers ``n: node`` as ``node`` (transcripts 99, 101): a client that relies on a
    nested alias breaks against the real server. Refuse it here so it breaks in tests instead."""
    found = nested_alias_violations(roots, fragments)
    if not found:
        return
    first = found[0]
    error: dict[str, Any] = {
        "message": (
            f"{first.message}, so the sandbox refuses them. Use aliases on root fields only."
        ),
        "extensions": {"code": "GRAPHQL_VALIDATION_FAILED"},
    }
    if first.locations:
        error["locations"] = [
            {"line": location.line, "column": location.column} for location in first.locations
        ]
    raise RequestError({"errors": [error]})


def prepare_request(
    schema: GraphQLSchema,
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
    cache = _checked.get(schema)
    if cache is None:
        cache = _checked[schema] = _Cache()
    key = (query, operation_name, max_root_fields, twenty_checks)
    checked = cache.get(key)
    if checked is None:
        try:
            checked = _check(schema, query, operation_name, max_root_fields, twenty_checks)
        except RequestError as rejected:
            # A fresh, never raised copy: a traceback would keep the schema (the key) alive.
            checked = RequestError(rejected.payload, rejected.status)
        cache.put(key, checked)
    if isinstance(checked, RequestError):
        raise RequestError(checked.payload, checked.status)
    assert isinstance(checked, _Checked)
    operation = checked.operation
    if checked.is_search:
        schema = search_schema()
    coerced = get_variable_values(schema, operation.variable_definitions or (), variables or {})
    if isinstance(coerced, list):
        if checked.is_search:
            raise RequestError({"errors": [_js_quoted(e) for e in coerced]})
        raise map_variable_errors(coerced, operation, checked.root_keys)
    return PreparedRequest(
        schema,
        checked.document,
        operation,
        checked.root_keys,
        variables,
        operation_name,
        checked.is_mutation,
    )


def _check(
    schema: GraphQLSchema,
    query: str,
    operation_name: str | None,
    max_root_fields: int,
    twenty_checks: bool,
) -> _Checked:
    document = _parse(query)
    operation = _operation(document, operation_name)
    fragments = fragment_definitions(document)
    roots = root_fields(operation, fragments)
    root_keys = list(dict.fromkeys((f.alias or f.name).value for f in roots))
    if twenty_checks and any(f.name.value == SEARCH_FIELD for f in roots):
        return _check_search(document, operation, roots, root_keys)
    if twenty_checks:
        # Twenty counts root resolvers before validating the document (94)
        refused = root_field_violations(roots, max_root_fields=max_root_fields)
        if refused:
            # Each duplicate before the count, as Twenty checks them.
            first = min(refused, key=lambda v: v.rule != "duplicate-root-field")
            error = bad_input(first.message).payload
            if first.rule == "duplicate-root-field":
                error["extensions"].pop("userFriendlyMessage", None)
            raise RequestError({"data": {}, "errors": [error]})
    if twenty_checks:
        unlisted = unlisted_answer(
            schema.extensions.get(UNLISTED_OBJECTS) or [], [f.name.value for f in roots]
        )
        if unlisted is not None:
            raise RequestError(unlisted)
    # An unknown field of a record or connection (an aggregate name too, 139) answers null.
    errors = [e for e in validate(schema, document, _RULES) if not _answers_null(e, schema)]
    if errors:
        raise map_validation_errors(errors, document, root_keys)
    if twenty_checks:
        _refuse_nested_aliases(roots, fragments)
        nested = nested_one_to_many_violations(schema, operation, fragments)
        if nested:
            error = bad_input(nested[0].message, "TOO_COMPLEX_QUERY").payload
            raise RequestError({"data": dict.fromkeys(root_keys), "errors": [error]})
    is_mutation = operation.operation == OperationType.MUTATION
    return _Checked(document, operation, root_keys, is_mutation)


def _js_quoted(error: GraphQLError) -> dict[str, Any]:
    out = plain(error)
    out["message"] = out["message"].replace("'", '"')
    return out


def _check_search(
    document: DocumentNode,
    operation: OperationDefinitionNode,
    roots: list[FieldNode],
    root_keys: list[str],
) -> _Checked:
    """``search`` runs against its own schema (Twenty's core schema), alone (154); graphql-js
    validation errors come back plain."""
    if any(f.name.value != SEARCH_FIELD for f in roots):
        error = {
            "message": "This query cannot be executed as a single request. Please split it "
            "into separate queries.",
            "extensions": {"code": "BAD_USER_INPUT"},
        }
        raise RequestError({"errors": [error]})
    errors = validate(search_schema(), document)
    if errors:
        raise RequestError({"errors": [_js_quoted(e) for e in errors]})
    return _Checked(document, operation, root_keys, False, is_search=True)


def run_prepared(prepared: PreparedRequest, context: Any) -> dict[str, Any]:
    result = execute(
        prepared.schema,
        prepared.document,
        context_value=context,
        variable_values=prepared.variables,
        operation_name=prepared.operation_name,
        execution_context_class=_DirectExecution,
    )
    assert isinstance(result, ExecutionResult)
    payload: dict[str, Any] = {"data": result.data}
    if result.errors:
        payload["errors"] = [_format(e) for e in result.errors]
    return payload


def _format(error: GraphQLError) -> dict[str, Any]:
    original = error.original_error
    if isinstance(original, SandboxError):
        return original.payload  # Twenty's errors carry no path or locations (every transcript)
    if original is not None and not isinstance(original, GraphQLError):
        return {
            "message": str(original) or type(original).__name__,
            "path": error.path,
            "extensions": {"code": "INTERNAL_SERVER_ERROR"},
        }
    return dict(error.formatted)


_UNKNOWN_FIELD = re.compile(r"Cannot query field '(\w+)' on type '(\w+)'\.")
_COMPOSITES = frozenset(name for name, _ in COMPOSITE_TYPES.values())


def _answers_null(error: GraphQLError, schema: GraphQLSchema) -> bool:
    """An unknown field on a record or connection type: Twenty answers it ``null`` (49, 61).
    Unknown root fields and composite sub-fields are still refused (50, 59)."""
    found = _UNKNOWN_FIELD.match(error.message)
    if found is None:
        return False
    roots = {t.name for t in (schema.query_type, schema.mutation_type) if t is not None}
    type_name = found.group(2)
    return type_name not in roots and type_name not in _COMPOSITES


class _DirectExecution(ExecutionContext):
    """graphql-core's execution, with a field the type does not have answered ``null``."""

    def execute_field(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        field_nodes: list[FieldNode],
        path: Path,
    ) -> Any:
        name = field_nodes[0].name.value
        if name not in parent_type.fields and not name.startswith("__"):
            return None
        return super().execute_field(parent_type, source, field_nodes, path)
