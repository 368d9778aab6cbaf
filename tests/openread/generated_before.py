"""A typed client generated from a live sandbox's schema, as a user's project would have it
before the workspace changes: pull, scaffold, generate into a temporary package, import."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

from graphql import build_schema

from twenty_gql.codegen.generate import generate
from twenty_gql.codegen.scaffold import scaffold
from twenty_gql.config import Settings
from twenty_gql.sandbox import Sandbox
from twenty_gql.schema.pull import pull_schemas

from ..codegen.conftest import project_config


async def generate_client(
    sandbox: Sandbox, root: Path, package: str, objects: list[str]
) -> ModuleType:
    """The package ``package`` generated under ``root`` for ``objects`` (importable)."""
    pulled = await pull_schemas(Settings.create(sandbox.url, sandbox.api_key))
    (root / "queries").mkdir(parents=True)
    (root / "schema.graphql").write_text(pulled.core.sdl, encoding="utf-8")
    for name, text in scaffold(build_schema(pulled.core.sdl), objects).items():
        (root / "queries" / name).write_text(text, encoding="utf-8")
    config = root / "codegen.toml"
    config.write_text(project_config(package, "Client", like="core"), encoding="utf-8")
    generate(config)
    sys.path.insert(0, str(root / "out"))
    return importlib.import_module(package)


def forget(package: str, root: Path) -> Iterator[Path]:
    """Yield ``root``, then undo :func:`generate_client`'s import (``yield from`` it in a
    fixture)."""
    try:
        yield root
    finally:
        for name in [m for m in sys.modules if m == package or m.startswith(package + ".")]:
            del sys.modules[name]
        if str(root / "out") in sys.path:
            sys.path.remove(str(root / "out"))
