"""ariadne-codegen plugins applied to every target (listed in ``codegen.toml``).

Imported by ariadne-codegen from its ``plugins`` setting, only while generating.
"""

from __future__ import annotations

import ast
import keyword

from ariadne_codegen.plugins.base import Plugin
from ariadne_codegen.utils import str_to_snake_case
from graphql import (
    GraphQLEnumType,
    GraphQLID,
    GraphQLInputField,
    GraphQLInputObjectType,
    GraphQLInt,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLType,
    Node,
    OperationDefinitionNode,
    VariableDefinitionNode,
    get_named_type,
)

from twenty_gql import open_enums
from twenty_gql.actor_nullability import relax
from twenty_gql.codegen.defaults import NUMBER_SCALAR
from twenty_gql.transport import EXACT_JSON_MARKER, exact_json

__all__ = [
    "ActorEitherNullabilityPlugin",
    "ExactJsonInputsPlugin",
    "IdFieldsAsUuidPlugin",
    "NumberFieldsPlugin",
    "OpenEnumsPlugin",
    "PlainArgumentNamesPlugin",
    "TypedLazyInitPlugin",
    "ValidateFromBytesPlugin",
]

# Names the generated method bodies use (``variables: dict[str, object]``): an argument of
# that name would shadow them, so it keeps ariadne-codegen's trailing ``_``.
_USED_IN_METHOD_BODIES = frozenset({"dict", "object", "str"})

_UNTYPED_TO_TYPED = {
    "def __getattr__(name):": "def __getattr__(name: str) -> object:",
    "def __dir__():": "def __dir__() -> list[str]:",
}


class TypedLazyInitPlugin(Plugin):
    """Annotate the module ``__getattr__``/``__dir__`` that ``lazy_imports`` writes into
    ``__init__.py``, which ariadne-codegen leaves untyped (``mypy --strict`` rejects them)."""

    def generate_init_code(self, generated_code: str) -> str:
        for untyped, typed in _UNTYPED_TO_TYPED.items():
            generated_code = generated_code.replace(untyped, typed)
        return generated_code


class PlainArgumentNamesPlugin(Plugin):
    """Keep an operation's variable names as method arguments when they only shadow a builtin.

    ariadne-codegen appends ``_`` to every name that is a builtin type (``filter``, ``object``)
    because a model field of that name would shadow the type in later annotations. A method
    argument cannot: annotations are evaluated outside the method. So ``list_companies(filter=...)``
    matches the GraphQL variable. Keywords keep their ``_``, and so do the builtins the generated
    method bodies use (``object``, ``dict``, ``str``).
    """

    def process_name(self, name: str, node: Node | None = None) -> str:
        if not isinstance(node, VariableDefinitionNode):
            return name
        plain = str_to_snake_case(node.variable.name.value)
        if name != f"{plain}_" or keyword.iskeyword(plain) or plain in _USED_IN_METHOD_BODIES:
            return name
        return plain


class IdFieldsAsUuidPlugin(Plugin):
    """Type the fields Twenty declares ``ID`` (``companyId``, a create input's ``id``) as ``UUID``.

    They hold record ids, which are UUIDs everywhere else (``id: UUID!``), so that
    ``person.company_id == company.id`` compares like with like. Arguments are left alone.
    Only for the records API (core): the metadata API uses ``ID`` for other things too.
    """

    def process_schema(self, schema: GraphQLSchema) -> GraphQLSchema:
        uuid_type = schema.type_map.get("UUID")
        if not isinstance(uuid_type, GraphQLScalarType):
            return schema
        for named in schema.type_map.values():
            if named.name.startswith("__"):
                continue
            if isinstance(named, GraphQLObjectType | GraphQLInterfaceType):
                for field in named.fields.values():
                    field.type = _id_as(field.type, uuid_type)
            elif isinstance(named, GraphQLInputObjectType):
                for input_field in named.fields.values():
                    input_field.type = _id_as(input_field.type, uuid_type)
        return schema


def _id_as(type_: GraphQLType, uuid_type: GraphQLScalarType) -> GraphQLType:
    return _swap_scalar(type_, GraphQLID, uuid_type)


def _swap_scalar(type_: GraphQLType, old: GraphQLScalarType, new: GraphQLScalarType) -> GraphQLType:
    """``type_`` with ``old`` replaced by ``new`` inside its non-null and list wrappers."""
    if isinstance(type_, GraphQLNonNull):
        return GraphQLNonNull(_swap_scalar(type_.of_type, old, new))  # type: ignore[type-var]
    if isinstance(type_, GraphQLList):
        return GraphQLList(_swap_scalar(type_.of_type, old, new))
    return new if type_ is old else type_


class ValidateFromBytesPlugin(Plugin):
    """Make each generated method return ``await self.execute_model(Result, query=..., ...)``.

    ariadne-codegen ends a method with ``response = await self.execute(...)``,
    ``_data = self.get_data(response)`` and ``return Result.model_validate(_data)``: the runtime
    decodes the body with ``json`` and pydantic then walks the Python dicts again. The runtime's
    ``execute_model`` validates a successful answer straight from its bytes instead, and
    classifies errors as ``execute`` + ``get_data`` do.
    """

    def generate_client_method(
        self,
        method_def: ast.FunctionDef | ast.AsyncFunctionDef,
        operation_definition: OperationDefinitionNode,
    ) -> ast.FunctionDef | ast.AsyncFunctionDef:
        if not isinstance(method_def, ast.AsyncFunctionDef):
            return method_def
        body = method_def.body
        if len(body) < 3:
            return method_def
        send, get_data, validate = body[-3:]
        execute_call = _execute_call(send)
        result_type = _validated_type(validate, get_data)
        if execute_call is None or result_type is None:
            raise ValueError(
                f"{method_def.name}: the generated method does not end with execute/get_data/"
                "model_validate as ValidateFromBytesPlugin expects (ariadne-codegen changed?)"
            )
        execute_model = ast.Call(
            func=ast.Attribute(value=ast.Name(id="self"), attr="execute_model"),
            args=[ast.Name(id=result_type)],
            keywords=execute_call.keywords,
        )
        # ariadne-codegen names a result's module after the method; with ``lazy_imports`` its
        # forward-refs plugin would import the result type here, but it only recognises a
        # ``return Result.model_validate(...)``, so the import is written here instead.
        import_result = ast.ImportFrom(
            module=method_def.name, names=[ast.alias(name=result_type)], level=1
        )
        method_def.body = [
            import_result,
            *body[:-3],
            ast.Return(value=ast.Await(value=execute_model)),
        ]
        return method_def


def _execute_call(statement: ast.stmt) -> ast.Call | None:
    """The ``self.execute(...)`` call of ``response = await self.execute(...)``."""
    if not (isinstance(statement, ast.Assign) and isinstance(statement.value, ast.Await)):
        return None
    call = statement.value.value
    if isinstance(call, ast.Call) and _is_self_method(call.func, "execute"):
        return call
    return None


def _validated_type(statement: ast.stmt, get_data: ast.stmt) -> str | None:
    """``Result`` in ``return Result.model_validate(_data)`` after ``self.get_data(...)``."""
    if not (
        isinstance(get_data, ast.Assign)
        and isinstance(get_data.value, ast.Call)
        and _is_self_method(get_data.value.func, "get_data")
        and isinstance(statement, ast.Return)
        and isinstance(statement.value, ast.Call)
    ):
        return None
    func = statement.value.func
    if (
        isinstance(func, ast.Attribute)
        and func.attr == "model_validate"
        and isinstance(func.value, ast.Name)
    ):
        return func.value.id
    return None


def _is_self_method(func: ast.expr, name: str) -> bool:
    return (
        isinstance(func, ast.Attribute)
        and func.attr == name
        and isinstance(func.value, ast.Name)
        and func.value.id == "self"
    )


# Values whose JSON form pydantic-core would write differently from the runtime's ``json`` path:
# ``Any`` (JSON scalars: a Decimal inside would become a string). A ``float`` is written by
# pydantic-core itself (a serializer hook per float cost ~15 µs per 60 records): the input classes
# set ``ser_json_inf_nan="constants"`` so that inf/NaN come out as ``json`` writes them.
_INEXACT_IN_JSON_MODE = frozenset({"Any"})
_EXACT_JSON = exact_json.__name__
_EXACT_JSON_MODULE = exact_json.__module__
INPUT_CONFIG = {"ser_json_inf_nan": "constants"}
"""The ``model_config`` each generated input class adds to the generated ``BaseModel``'s."""


class ExactJsonInputsPlugin(Plugin):
    """Let the runtime write generated inputs to JSON with pydantic-core, exactly as ``json`` would.

    Each ``Any`` in an input field's type gets
    ``Annotated[Any, PlainSerializer(exact_json, when_used="json")]``: when the runtime encodes a
    request it hands over a context that makes ``exact_json`` write such values exactly (an exact
    Decimal number); any other JSON dump is left as pydantic makes it. Floats are left to
    pydantic-core, with ``model_config = ConfigDict(ser_json_inf_nan="constants")`` on each input
    class (``Infinity``/``NaN``, as ``json`` writes them). Each input class is marked with
    ``__twenty_exact_json__ = True``, which the runtime reads (on the class itself only: a
    subclass may add fields of any type).
    """

    def generate_input_field(
        self,
        field_implementation: ast.AnnAssign,
        input_field: GraphQLInputField,
        field_name: str,
    ) -> ast.AnnAssign:
        field_implementation.annotation = _ExactLeaves().visit(field_implementation.annotation)
        return field_implementation

    def generate_input_class(
        self, class_def: ast.ClassDef, input_type: GraphQLInputObjectType
    ) -> ast.ClassDef:
        marker = ast.Assign(targets=[ast.Name(id=EXACT_JSON_MARKER)], value=ast.Constant(True))
        config = ast.Assign(
            targets=[ast.Name(id="model_config")],
            value=ast.Call(
                func=ast.Name(id="ConfigDict"),
                args=[],
                keywords=[
                    ast.keyword(arg=key, value=ast.Constant(value))
                    for key, value in INPUT_CONFIG.items()
                ],
            ),
        )
        body = class_def.body
        at = 1 if body and _is_docstring(body[0]) else 0
        for statement in (marker, config):
            ast.copy_location(statement, body[at] if len(body) > at else class_def)
        class_def.body = [*body[:at], marker, config, *body[at:]]
        return class_def

    def generate_inputs_module(self, module: ast.Module) -> ast.Module:
        wanted = [
            ("typing", "Annotated"),
            ("pydantic", "ConfigDict"),
            ("pydantic", "PlainSerializer"),
        ]
        wanted.append((_EXACT_JSON_MODULE, _EXACT_JSON))
        present = {
            (node.module, alias.name)
            for node in module.body
            if isinstance(node, ast.ImportFrom)
            for alias in node.names
        }
        missing = [
            ast.ImportFrom(module=mod, names=[ast.alias(name=name)], level=0)
            for mod, name in wanted
            if (mod, name) not in present
        ]
        module.body = [*missing, *module.body]
        return module


class _ExactLeaves(ast.NodeTransformer):
    def visit_Subscript(self, node: ast.Subscript) -> ast.AST:
        if isinstance(node.value, ast.Name) and node.value.id == "Annotated":
            return node  # already has its own serializer (the generated scalars)
        return self.generic_visit(node)

    def visit_Name(self, node: ast.Name) -> ast.AST:
        if node.id not in _INEXACT_IN_JSON_MODE:
            return node
        serializer = ast.Call(
            func=ast.Name(id="PlainSerializer"),
            args=[ast.Name(id=_EXACT_JSON)],
            keywords=[ast.keyword(arg="when_used", value=ast.Constant("json"))],
        )
        return ast.Subscript(
            value=ast.Name(id="Annotated"), slice=ast.Tuple(elts=[node, serializer])
        )


def _is_docstring(statement: ast.stmt) -> bool:
    return (
        isinstance(statement, ast.Expr)
        and isinstance(statement.value, ast.Constant)
        and isinstance(statement.value.value, str)
    )


_OPEN_ENUM = "OpenEnum"


class OpenEnumsPlugin(Plugin):
    """Annotate every enum a generated model reads or writes as ``OpenEnum[TheEnum]``.

    A SELECT option added in the workspace after codegen then reads as an ``UnknownEnumValue``
    (the raw string) instead of failing the whole page, and goes back unchanged in a mutation;
    MULTI_SELECT lists get the same per item. See :mod:`twenty_gql.open_enums` for the contract
    and for why a union rather than an ``Enum._missing_`` hook. The enum classes themselves are
    left as ariadne-codegen writes them: ``Stage("TYPO")`` still raises in user code.
    """

    def generate_result_types_module(
        self, module: ast.Module, operation_definition: object = None
    ) -> ast.Module:
        return _open_enums(module, self._readable())

    def generate_fragments_module(
        self, module: ast.Module, fragments_definitions: object = None
    ) -> ast.Module:
        return _open_enums(module, self._readable())

    def generate_inputs_module(self, module: ast.Module) -> ast.Module:
        return _open_enums(module, self._readable())

    def _readable(self) -> frozenset[str]:
        """Enums some answer can hold; input-only ones (``OrderByDirection``) stay closed."""
        return frozenset(
            get_named_type(field.type).name
            for named in self.schema.type_map.values()
            if isinstance(named, GraphQLObjectType | GraphQLInterfaceType)
            for field in named.fields.values()
            if isinstance(get_named_type(field.type), GraphQLEnumType)
        )


def _open_enums(module: ast.Module, readable: frozenset[str]) -> ast.Module:
    enums = {
        alias.asname or alias.name
        for node in module.body
        if isinstance(node, ast.ImportFrom) and node.module == "enums" and node.level == 1
        for alias in node.names
        if alias.name in readable
    }
    if not enums:
        return module
    opener = _OpenLeaves(enums)
    for node in module.body:
        if not isinstance(node, ast.ClassDef):
            continue
        for statement in node.body:
            if isinstance(statement, ast.AnnAssign):
                statement.annotation = opener.visit(statement.annotation)
    if opener.opened:
        module.body.insert(
            0,
            ast.ImportFrom(module=open_enums.__name__, names=[ast.alias(name=_OPEN_ENUM)], level=0),
        )
    return module


class _OpenLeaves(ast.NodeTransformer):
    def __init__(self, enums: set[str]) -> None:
        self.enums = enums
        self.opened = False

    def _open(self, name: str) -> ast.AST:
        self.opened = True
        return ast.Subscript(value=ast.Name(id=_OPEN_ENUM), slice=ast.Name(id=name))

    def visit_Name(self, node: ast.Name) -> ast.AST:
        return self._open(node.id) if node.id in self.enums else node

    def visit_Constant(self, node: ast.Constant) -> ast.AST:
        # a forward reference written as a string: ``Optional["Stage"]``
        if isinstance(node.value, str) and node.value in self.enums:
            return self._open(node.value)
        return node


_RECORD_INPUT_SUFFIXES = ("CreateInput", "UpdateInput")


class NumberFieldsPlugin(Plugin):
    """Type the ``Int`` fields of records (NUMBER fields with ``dataType: int``) as numbers.

    Twenty stores every NUMBER field as double precision whatever its GraphQL type, and accepts
    ``1.5`` for a field declared ``int`` and answers ``1.5`` back (reference transcript 122). An
    ``int`` would refuse that record; ``twenty_gql.scalars.Number`` (``int | float``) reads it
    without loss. Counts (``totalCount``, aggregates) and arguments stay ``int``: only fields of
    record types (those with ``id: UUID!``) and of their create/update inputs change.
    """

    def process_schema(self, schema: GraphQLSchema) -> GraphQLSchema:
        records = {
            name
            for name, named in schema.type_map.items()
            if isinstance(named, GraphQLObjectType) and _is_record(named)
        }
        if not records:
            return schema
        number = GraphQLScalarType(NUMBER_SCALAR, description="A Twenty NUMBER value")
        schema.type_map[NUMBER_SCALAR] = number
        for name, named in schema.type_map.items():
            if isinstance(named, GraphQLObjectType) and name in records:
                for field in named.fields.values():
                    field.type = _swap_scalar(field.type, GraphQLInt, number)
            elif isinstance(named, GraphQLInputObjectType) and any(
                name.endswith(suffix) and name[: -len(suffix)] in records
                for suffix in _RECORD_INPUT_SUFFIXES
            ):
                for input_field in named.fields.values():
                    input_field.type = _swap_scalar(input_field.type, GraphQLInt, number)
        return schema


def _is_record(named: GraphQLObjectType) -> bool:
    id_field = named.fields.get("id")
    if id_field is None or not isinstance(id_field.type, GraphQLNonNull):
        return False
    return getattr(id_field.type.of_type, "name", None) == "UUID"


class ActorEitherNullabilityPlugin(Plugin):
    """Generate ``Actor`` (``createdBy``/``updatedBy``) and ``ActorCreateInput`` from the
    nullable form of Twenty's flipping fields (:mod:`twenty_gql.actor_nullability`), so a client
    generated from an SDL file holding either form reads both."""

    def process_schema(self, schema: GraphQLSchema) -> GraphQLSchema:
        return relax(schema)
