"""The house rules of DESIGN.md, enforced: arrows point one way.

- The runtime (config, errors, transport, budget, retry, events, base_client, pagination,
  page_sizes, connection_stream, scalars) imports nothing from cli, codegen, sandbox, batch,
  io, demo or generated.
- The sandbox is a server: it imports only the pure rule modules (naming, profiles,
  operation_rules, actor_nullability, ...) and its own modules, never the client.
- The pure rule modules import nothing of ours but each other.
- Generated code depends on the runtime; nothing of ours but the client facade imports it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "twenty_gql"

RUNTIME = {
    "config",
    "errors",
    "transport",
    "budget",
    "retry",
    "events",
    "base_client",
    "pagination",
    "page_sizes",
    "connection_stream",
    "scalars",
}
PURE = {
    "actor_nullability",
    "naming",
    "profiles",
    "operation_rules",
    "value_rules",
    "webhook_rules",
}
ABOVE_RUNTIME = {"cli", "codegen", "sandbox", "batch", "io", "demo", "generated", "client"}


def ours(path: Path) -> set[str]:
    """The twenty_gql modules a file imports, as their first component (``batch``, ``naming``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = path.relative_to(PACKAGE.parent).with_suffix("").parts[:-1]
    found: set[str] = set()
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                names = [".".join((*base, node.module or ""))]
            elif node.module:
                names = [node.module]
        for name in names:
            parts = name.split(".")
            if parts[0] == "twenty_gql" and len(parts) > 1:
                found.add(parts[1])
    return found


def modules(*names: str) -> list[Path]:
    paths: list[Path] = []
    for name in names:
        target = PACKAGE / name
        paths += sorted(target.rglob("*.py")) if target.is_dir() else [target.with_suffix(".py")]
    return paths


@pytest.mark.parametrize("path", modules(*sorted(RUNTIME)), ids=lambda p: p.stem)
def test_runtime_imports_nothing_above_it(path: Path) -> None:
    assert ours(path) & ABOVE_RUNTIME == set()


@pytest.mark.parametrize("path", modules("sandbox"), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_sandbox_imports_only_pure_rules_and_itself(path: Path) -> None:
    assert ours(path) - PURE - {"sandbox"} == set()


@pytest.mark.parametrize("path", modules(*sorted(PURE)), ids=lambda p: p.stem)
def test_pure_rule_modules_import_only_each_other(path: Path) -> None:
    assert ours(path) - PURE == set()


def test_only_the_facade_imports_generated_code() -> None:
    importers = {
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("*.py")
        if "generated" in ours(path) and "generated" not in path.parts
    }
    assert importers == {"client.py"}


def test_the_checker_sees_imports() -> None:
    # Guard against a checker that passes because it finds nothing.
    assert "naming" in ours(PACKAGE / "sandbox" / "schema_builder.py")
    assert {"config", "errors"} <= ours(PACKAGE / "transport.py") | ours(PACKAGE / "base_client.py")
