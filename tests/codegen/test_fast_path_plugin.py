"""ValidateFromBytesPlugin: generated methods hand their result type to ``execute_model``."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest
from graphql import OperationDefinitionNode, parse

from twenty_gql.codegen.plugins import ExactJsonInputsPlugin, ValidateFromBytesPlugin

GENERATED = Path(__file__).resolve().parents[2] / "twenty_gql" / "generated"

ARIADNE_METHOD = """
async def create_companies(self, data, **kwargs):
    query = gql("mutation CreateCompanies { createCompanies(data: []) { id } }")
    variables: dict[str, object] = {"data": data}
    response = await self.execute(
        query=query, operation_name="CreateCompanies", variables=variables, **kwargs
    )
    _data = self.get_data(response)
    return CreateCompanies.model_validate(_data)
"""


def _operation() -> OperationDefinitionNode:
    (definition,) = parse(
        "mutation CreateCompanies { createCompanies(data: []) { id } }"
    ).definitions
    assert isinstance(definition, OperationDefinitionNode)
    return definition


def _plugin() -> ValidateFromBytesPlugin:
    return ValidateFromBytesPlugin(schema=None, config_dict={})  # type: ignore[arg-type]


def _method(source: str) -> ast.AsyncFunctionDef:
    (method,) = ast.parse(source).body
    assert isinstance(method, ast.AsyncFunctionDef)
    return method


def test_the_ariadne_method_tail_becomes_one_execute_model_call() -> None:
    rewritten = _plugin().generate_client_method(_method(ARIADNE_METHOD), _operation())
    text = ast.unparse(ast.fix_missing_locations(rewritten))
    assert "get_data" not in text and "model_validate" not in text
    assert text.splitlines()[1].strip() == "from .create_companies import CreateCompanies"
    assert text.splitlines()[-1].strip() == (
        "return await self.execute_model(CreateCompanies, query=query, "
        "operation_name='CreateCompanies', variables=variables, **kwargs)"
    )
    assert 'variables: dict[str, object] = {"data": data}' in ARIADNE_METHOD
    assert "variables: dict[str, object] = {'data': data}" in text  # untouched


def test_an_unknown_method_shape_is_refused_by_name() -> None:
    changed = ARIADNE_METHOD.replace("return CreateCompanies.model_validate(_data)", "return _data")
    with pytest.raises(ValueError, match="create_companies: the generated method does not end"):
        _plugin().generate_client_method(_method(changed), _operation())


def test_a_sync_method_is_left_alone() -> None:
    sync = ast.parse(ARIADNE_METHOD.replace("async def", "def").replace("await ", "")).body[0]
    assert isinstance(sync, ast.FunctionDef)
    before = ast.dump(sync)
    assert ast.dump(_plugin().generate_client_method(sync, _operation())) == before


@pytest.mark.parametrize("package", ["core", "metadata"])
def test_every_generated_method_returns_its_type_through_execute_model(package: str) -> None:
    module = ast.parse((GENERATED / package / "client.py").read_text(encoding="utf-8"))
    (client,) = [node for node in module.body if isinstance(node, ast.ClassDef)]
    methods = [node for node in client.body if isinstance(node, ast.AsyncFunctionDef)]
    assert len(methods) > 5
    for method in methods:
        assert isinstance(method.returns, ast.Constant), method.name
        result_type = method.returns.value
        last = method.body[-1]
        assert isinstance(last, ast.Return) and isinstance(last.value, ast.Await), method.name
        call = last.value.value
        assert isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)
        assert call.func.attr == "execute_model", method.name
        assert [ast.unparse(arg) for arg in call.args] == [result_type], method.name
        first = method.body[0]
        assert isinstance(first, ast.ImportFrom) and first.module == method.name, method.name
        assert [alias.name for alias in first.names] == [result_type]
        assert "get_data" not in ast.unparse(method), method.name


def _field(annotation: str) -> ast.AnnAssign:
    (statement,) = ast.parse(f"x: {annotation} = None").body
    assert isinstance(statement, ast.AnnAssign)
    return statement


@pytest.mark.parametrize(
    ("annotation", "expected"),
    [
        (
            "Optional[Any]",
            'Optional[Annotated[Any, PlainSerializer(exact_json, when_used="json")]]',
        ),
        ("float", "float"),  # written by pydantic-core (ser_json_inf_nan="constants")
        ("Optional[list[Optional[float]]]", "Optional[list[Optional[float]]]"),
        (
            "Optional[list[Any]]",
            'Optional[list[Annotated[Any, PlainSerializer(exact_json, when_used="json")]]]',
        ),
        ("Optional[str]", "Optional[str]"),
        ('Optional["CompanyFilter"]', 'Optional["CompanyFilter"]'),
        (
            "Optional[Annotated[Decimal, PlainSerializer(serialize_big_float)]]",
            "Optional[Annotated[Decimal, PlainSerializer(serialize_big_float)]]",
        ),
    ],
)
def test_inexact_leaves_get_the_exact_json_serializer(annotation: str, expected: str) -> None:
    plugin = ExactJsonInputsPlugin(schema=None, config_dict={})  # type: ignore[arg-type]
    field = plugin.generate_input_field(_field(annotation), None, "x")  # type: ignore[arg-type]
    assert ast.unparse(field.annotation) == ast.unparse(ast.parse(expected).body[0])


def test_input_classes_are_marked_and_the_imports_added() -> None:
    plugin = ExactJsonInputsPlugin(schema=None, config_dict={})  # type: ignore[arg-type]
    module = ast.parse(
        'from typing import Any\n\nclass A(BaseModel):\n    """Doc."""\n    x: int\n'
    )
    (class_def,) = [n for n in module.body if isinstance(n, ast.ClassDef)]
    plugin.generate_input_class(class_def, None)  # type: ignore[arg-type]
    text = ast.unparse(plugin.generate_inputs_module(module))
    assert "from typing import Annotated" in text
    assert "from pydantic import ConfigDict" in text
    assert "from pydantic import PlainSerializer" in text
    assert "from twenty_gql.transport import exact_json" in text
    assert (
        text.index('"""Doc."""')
        < text.index("__twenty_exact_json__ = True")
        < text.index("model_config = ConfigDict(ser_json_inf_nan='constants')")
        < text.index("x: int")
    )


@pytest.mark.parametrize("package", ["core", "metadata"])
def test_every_generated_input_class_is_marked(package: str) -> None:
    module = importlib.import_module(f"twenty_gql.generated.{package}.input_types")
    classes = [
        c for c in vars(module).values() if isinstance(c, type) and c.__module__ == module.__name__
    ]
    assert len(classes) > 3
    for cls in classes:
        assert cls.__dict__.get("__twenty_exact_json__") is True, cls.__name__
        assert cls.model_config.get("ser_json_inf_nan") == "constants", cls.__name__
        assert cls.model_config.get("populate_by_name") is True, cls.__name__  # merged, not lost
    text = (GENERATED / package / "input_types.py").read_text(encoding="utf-8")
    assert ": Optional[Any]" not in text and "PlainSerializer(exact_json" in text
