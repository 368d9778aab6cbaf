"""Twenty's answers to requests it rejects before running them: graphql-core's validation and
variable errors mapped to ``BAD_USER_INPUT`` with ``INVALID_QUERY_INPUT`` / ``INVALID_ARGS_DATA`` /
``INVALID_ARGS_FILTER``, and graphql-js's wording for the errors Twenty passes through."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from graphql import (
    ArgumentNode,
    DocumentNode,
    GraphQLError,
    ObjectFieldNode,
    OperationDefinitionNode,
    ValueNode,
    value_from_ast_untyped,
)
from graphql.language import Visitor, visit

from twenty_gql.naming import uncapitalize
from twenty_gql.value_rules import ValueRuleError, check_object

from .errors import bad_input
from .metadata import COMPOSITE_TYPES

__all__ = ["RequestError", "map_validation_errors", "map_variable_errors", "plain"]


@dataclass(slots=True)
class RequestError(Exception):
    """A request answered without executing anything."""

    payload: dict[str, Any]
    status: int = 200


def plain(error: GraphQLError) -> dict[str, Any]:
    out: dict[str, Any] = {"message": error.message}
    if error.locations:
        out["locations"] = [{"line": loc.line, "column": loc.column} for loc in error.locations]
    return out


def _argument_names(document: DocumentNode) -> dict[int, str]:
    """id(value node) -> argument or input field name, to name what a literal error is about
    (an argument's name is prefixed with ``$``)."""
    names: dict[int, str] = {}

    class _Args(Visitor):
        def enter_argument(self, node: ArgumentNode, *_: Any) -> None:
            names[id(node.value)] = "$" + node.name.value

        def enter_object_field(self, node: ObjectFieldNode, *_: Any) -> None:
            names[id(node.value)] = node.name.value

    visit(document, _Args())
    return names


_EXPECTED_COMPOSITE = re.compile(r"Expected value of type '(\w+)(Create|Update)Input', found .*")


def _unknown_group_by(name: str) -> dict[str, Any]:
    """Twenty checks groupBy keys itself (146)."""
    message = f"Unidentified field in groupBy: {name}"
    return bad_input(message, "INVALID_QUERY_INPUT", "An error occurred.").payload


def _object_value_error(field: str, value: Any) -> dict[str, Any]:
    """A string where a composite object is expected: Twenty's value check answers (130)."""
    try:
        check_object(field, value)
    except ValueRuleError as refused:
        return bad_input(refused.message, refused.sub_code, refused.user_message).payload
    raise AssertionError("a string is never an object")  # pragma: no cover


def _js_quotes(error: dict[str, Any]) -> dict[str, Any]:
    """graphql-core quotes names with ' where graphql-js (Twenty) uses "."""
    error["message"] = error["message"].replace("'", '"')
    return error


_UNKNOWN_ARG = re.compile(r"Unknown argument '(\w+)' on field '[\w.]+'\.")
_UNKNOWN_INPUT_FIELD = re.compile(r"Field '(\w+)' is not defined by type '(\w+)'\.")
_ROOT_FIELD = re.compile(r"Cannot query field '\w+' on type '(Query|Mutation)'\.")


_COMPOSITE_NAMES = frozenset(name for name, _ in COMPOSITE_TYPES.values())


def _input_kind(type_name: str) -> tuple[str, str | None]:
    """``(subCode, object)`` for an input type: data inputs, filter inputs, or plain args."""
    for suffix, code in (
        ("CreateInput", "INVALID_ARGS_DATA"),
        ("UpdateInput", "INVALID_ARGS_DATA"),
        ("FilterInput", "INVALID_ARGS_FILTER"),
    ):
        if type_name.endswith(suffix):
            base = type_name[: -len(suffix)]
            if base in _COMPOSITE_NAMES:
                return code, None
            return code, uncapitalize(base)
    return "INVALID_QUERY_INPUT", None


def map_validation_errors(
    errors: list[GraphQLError], document: DocumentNode, root_keys: list[str]
) -> RequestError:
    arg_names: dict[int, str] | None = None
    mapped: list[dict[str, Any]] = []
    business = False
    for error in errors:
        message = error.message.replace('"', "'")
        if _ROOT_FIELD.fullmatch(message):
            mapped.append(_js_quotes(plain(error)))
            continue
        if m := _UNKNOWN_ARG.fullmatch(message):
            business = True
            mapped.append(
                bad_input(f"Argument not allowed: {m.group(1)}", "INVALID_QUERY_INPUT").payload
            )
            continue
        if m := _UNKNOWN_INPUT_FIELD.fullmatch(message):
            business = True
            if m.group(2).endswith("GroupByInput"):
                mapped.append(_unknown_group_by(m.group(1)))
                continue
            code, obj = _input_kind(m.group(2))
            text = (
                f'Object {obj} doesn\'t have any "{m.group(1)}" field.'
                if obj
                else f'Field "{m.group(1)}" is not defined by type "{m.group(2)}".'
            )
            mapped.append(bad_input(text, code).payload)
            continue
        if message.startswith("Expected value of type") or "cannot represent" in message:
            business = True
            if arg_names is None:
                arg_names = _argument_names(document)
            named = [(arg_names[id(n)], n) for n in error.nodes or () if id(n) in arg_names]
            composite = _EXPECTED_COMPOSITE.fullmatch(message)
            if composite and composite.group(1) in _COMPOSITE_NAMES and named:
                name, node = named[0]
                assert isinstance(node, ValueNode)
                mapped.append(_object_value_error(name.lstrip("$"), value_from_ast_untyped(node)))
                continue
            arg = next((name[1:] for name, _ in named if name.startswith("$")), None)
            reason = error.message.split("; ", 1)[-1]
            if arg and ("Int cannot" in reason or "Float cannot" in reason):
                text = f'Invalid argument: "{arg}" must be a number'
            elif arg:
                text = f'Invalid argument: "{arg}": {reason}'
            else:
                text = reason
            mapped.append(bad_input(text, "INVALID_QUERY_INPUT").payload)
            continue
        if "used in position expecting" in message or "is never used" in message:
            business = True
            mapped.append(bad_input(error.message, "INVALID_QUERY_INPUT").payload)
            continue
        other = _js_quotes(plain(error))
        other["extensions"] = {"code": "GRAPHQL_VALIDATION_FAILED"}
        mapped.append(other)
    payload: dict[str, Any] = {"errors": mapped}
    if business:
        payload = {"data": dict.fromkeys(root_keys), "errors": mapped}
    return RequestError(payload)


_OPERATORS = frozenset(
    [
        "eq",
        "neq",
        "in",
        "gt",
        "gte",
        "lt",
        "lte",
        "like",
        "ilike",
        "is",
        "startsWith",
        "endsWith",
        "containsAny",
        "containsIlike",
        "isEmptyArray",
        "regex",
        "iregex",
        "search",
        "and",
        "or",
        "not",
    ]
)
_VAR_NOT_OBJECT = re.compile(
    r"Variable '\$\w+' got invalid value '.*' at '.*'; "
    r"Expected type '(\w+?)(?:Create|Update)Input' to be an object\.",
    re.S,
)
_VAR_ERROR = re.compile(
    r"Variable '\$(\w+)' got invalid value (?:.*?)(?: at '([^']*)')?; (.*)", re.S
)


def map_variable_errors(
    errors: list[GraphQLError],
    operation: OperationDefinitionNode,
    root_keys: list[str],
) -> RequestError:
    var_types: dict[str, str] = {}
    for definition in operation.variable_definitions or ():
        type_node: Any = definition.type
        while hasattr(type_node, "type"):
            type_node = type_node.type
        var_types[definition.variable.name.value] = type_node.name.value
    mapped = []
    for error in errors:
        m = _VAR_ERROR.fullmatch(error.message)
        if not m:
            mapped.append(bad_input(error.message, "INVALID_QUERY_INPUT").payload)
            continue
        var, path, reason = m.group(1), m.group(2), m.group(3)
        code, obj = _input_kind(var_types.get(var, ""))
        segments = [
            s for s in re.sub(r"\[\d+\]", "", path or "").split(".")[1:] if s not in _OPERATORS
        ]
        label = ".".join(segments)
        if (object_value := _VAR_NOT_OBJECT.fullmatch(error.message)) and object_value.group(
            1
        ) in _COMPOSITE_NAMES:
            field = segments[-1] if segments else var
            mapped.append(_object_value_error(field, error.message.split("'")[1]))
            continue
        if (u := _UNKNOWN_INPUT_FIELD.fullmatch(reason.replace('"', "'"))) and u.group(2).endswith(
            "GroupByInput"
        ):
            mapped.append(_unknown_group_by(u.group(1)))
            continue
        if u := _UNKNOWN_INPUT_FIELD.fullmatch(reason.replace('"', "'")):
            text = (
                f'Object {obj} doesn\'t have any "{u.group(1)}" field.'
                if obj and not label
                else f'Field "{u.group(1)}" is not defined by type "{u.group(2)}".'
            )
        elif code == "INVALID_QUERY_INPUT":
            text = (
                f'Invalid argument: "{var}" must be a number'
                if "Int cannot" in reason or "Float cannot" in reason
                else f'Invalid argument: "{var}": {reason}'
            )
        elif "date-time" in reason:
            value = reason.split("'")[1] if "'" in reason else ""
            text = (
                f"Invalid value '{value}' for date-time field \"{label}\". "
                "Expected format: 'YYYY-MM-DDTHH:mm:ssZ'"
            )
        else:
            text = f'Invalid value for field "{label}": {reason}'
        mapped.append(bad_input(text, code).payload)
    return RequestError({"data": dict.fromkeys(root_keys), "errors": mapped})
