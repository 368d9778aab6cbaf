"""Helpers for codegen tests: throwaway projects generated with the built-in settings."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).parent / "golden"
MYPY = (sys.executable, "-m", "mypy", "--strict", "--config-file", str(REPO / "pyproject.toml"))


def mypy_strict(out: Path, package: str, cache: Path) -> subprocess.CompletedProcess[str]:
    """``mypy --strict`` (the repository's settings) on ``package`` under ``out``."""
    return subprocess.run(
        [*MYPY, "--cache-dir", str(cache), package],
        cwd=out,
        capture_output=True,
        text=True,
        check=False,
    )


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(item) for item in value) + "]"
    raise TypeError(f"unsupported TOML value {value!r}")


def project_config(package: str, client_name: str = "Client", like: str | None = None) -> str:
    """A codegen.toml with one target ``package``, generated into ``out/`` with the built-in
    settings (as a user's project would be).

    ``like`` names a committed target whose own settings (its ``kind``) the target takes.
    """
    with (REPO / "codegen.toml").open("rb") as handle:
        committed = tomllib.load(handle)
    own = {}
    if like is not None:
        own = {
            key: value
            for key, value in committed["targets"][like].items()
            if key not in ("schema_path", "queries_path", "target_package_name", "client_name")
        }
    lines = [
        f"[targets.{package}]",
        'target_package_path = "out"',
        'schema_path = "schema.graphql"',
        'queries_path = "queries"',
        f'target_package_name = "{package}"',
        f'client_name = "{client_name}"',
    ]
    lines += [f"{key} = {_toml_value(value)}" for key, value in own.items()]
    return "\n".join(lines) + "\n"


MakeProject = Callable[..., Path]


@pytest.fixture
def make_project(tmp_path: Path) -> MakeProject:
    """Lay out schema.graphql, queries/ and codegen.toml in a temporary project."""

    def make(
        schema: Path,
        queries: Path | None,
        package: str,
        client_name: str = "Client",
        like: str | None = None,
    ) -> Path:
        root = tmp_path / package
        (root / "queries").mkdir(parents=True)
        shutil.copyfile(schema, root / "schema.graphql")
        if queries is not None:
            for document in sorted(queries.glob("*.graphql")):
                shutil.copyfile(document, root / "queries" / document.name)
        (root / "codegen.toml").write_text(
            project_config(package, client_name, like), encoding="utf-8"
        )
        return root

    return make
