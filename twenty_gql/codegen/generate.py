"""Generate: run ariadne-codegen once per target of ``codegen.toml``.

``codegen.toml`` holds one ``[targets.<name>]`` section per generated package and, optionally,
``[defaults]`` (ariadne-codegen's own settings, shared by every target) over the built-in
settings of :mod:`twenty_gql.codegen.defaults`. Each target is generated into a
fresh temporary directory which then replaces ``<target_package_path>/<target_package_name>``
whole: ariadne-codegen writes into an existing package without deleting modules that are no
longer produced, so generating in place would leave stale modules behind.

ariadne-codegen runs in this process with the config file's directory as the working directory,
so the relative paths it writes into file headers are the same on every machine. That makes
``generate`` not thread-safe; it is a command-line step.
"""

from __future__ import annotations

import contextlib
import filecmp
import io
import os
import shutil
import tempfile
import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from twenty_gql.codegen.defaults import MINIMAL_CONFIG, Kind, resolve_settings
from twenty_gql.codegen.operation_check import refused_operations

__all__ = [
    "GENERATED_PACKAGE_INIT",
    "CodegenConfig",
    "GenerateError",
    "MissingConfigError",
    "Target",
    "check",
    "generate",
    "generate_into",
    "load_config",
]

GENERATED_PACKAGE_INIT = (
    '"""Typed clients produced by `twenty-gql generate`. Never edit by hand."""\n'
)
"""The ``__init__.py`` written beside the targets in ``target_package_path``."""


class GenerateError(RuntimeError):
    """Generation failed; the message names the config file or the target at fault."""


class MissingConfigError(GenerateError):
    """There is no ``codegen.toml``; the message says so, :attr:`example` is a minimal one."""

    example = MINIMAL_CONFIG


@dataclass(frozen=True, slots=True)
class Target:
    name: str
    settings: dict[str, Any] = field(repr=False)
    kind: Kind = "core"

    @property
    def package_name(self) -> str:
        return str(self.settings["target_package_name"])

    @property
    def package_path(self) -> str:
        return str(self.settings.get("target_package_path", "."))


@dataclass(frozen=True, slots=True)
class CodegenConfig:
    root: Path
    targets: tuple[Target, ...]

    def output_dir(self, target: Target) -> Path:
        return self.root / target.package_path / target.package_name

    def package_roots(self) -> list[Path]:
        return sorted({self.root / target.package_path for target in self.targets})

    def init_roots(self) -> list[Path]:
        """The package roots that get our ``__init__.py``: never the config's own directory
        (a user's project root with ``target_package_path = "."``)."""
        return [root for root in self.package_roots() if root.resolve() != self.root]


def load_config(path: Path) -> CodegenConfig:
    """Read ``codegen.toml``: the built-ins, then ``[defaults]``, under each
    ``[targets.<name>]`` (see :mod:`twenty_gql.codegen.defaults`)."""
    if not path.exists():
        raise MissingConfigError(
            f"no {path} (in {path.resolve().parent}); write a minimal one and run again:"
        )
    try:
        with path.open("rb") as handle:
            raw = tomllib.load(handle)
    except OSError as exc:
        raise GenerateError(f"cannot read {path}: {exc.strerror}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise GenerateError(f"{path} is not valid TOML: {exc}") from exc
    unknown = sorted(set(raw) - {"defaults", "targets"})
    if unknown:
        raise GenerateError(
            f"{path}: unknown section(s) {', '.join(unknown)}; expected [defaults] and "
            "[targets.<name>]"
        )
    defaults = raw.get("defaults", {})
    sections = raw.get("targets", {})
    if not sections:
        raise GenerateError(f"{path} defines no [targets.<name>] section")
    targets = []
    for name, section in sorted(sections.items()):
        try:
            settings, kind = resolve_settings(defaults, section)
        except ValueError as exc:
            raise GenerateError(f"{path}: target {name!r}: {exc}") from exc
        for key in ("schema_path", "queries_path", "target_package_name"):
            if key not in settings:
                raise GenerateError(f"{path}: target {name!r} has no {key!r}")
        targets.append(Target(name=name, settings=settings, kind=kind))
    return CodegenConfig(root=path.resolve().parent, targets=tuple(targets))


def generate_into(config: CodegenConfig, out_root: Path) -> dict[str, Path]:
    """Generate every target under ``out_root`` (mirroring the repository layout).

    Returns the package directory of each target, keyed by target name.
    """
    # A dev-time tool: imported only by this command.
    from ariadne_codegen import main as ariadne_main

    run_client = cast(Callable[[dict[str, Any]], None], ariadne_main.client)

    refused = refused_operations(config)
    if refused:
        raise GenerateError("\n".join(refused))
    init_roots = set(config.init_roots())
    packages: dict[str, Path] = {}
    for target in config.targets:
        package_root = out_root / target.package_path
        package_root.mkdir(parents=True, exist_ok=True)
        if config.root / target.package_path in init_roots:
            (package_root / "__init__.py").write_text(GENERATED_PACKAGE_INIT, encoding="utf-8")
        settings = {**target.settings, "target_package_path": str(package_root)}
        output = io.StringIO()
        try:
            with contextlib.chdir(config.root), contextlib.redirect_stdout(output):
                run_client({"tool": {"ariadne-codegen": settings}})
        except Exception as exc:
            raise GenerateError(f"target {target.name!r}: {type(exc).__name__}: {exc}") from exc
        packages[target.name] = package_root / target.package_name
    return packages


def generate(config_path: Path) -> list[Path]:
    """Regenerate every target in place; returns the package directories replaced."""
    config = load_config(config_path)
    with _scratch_dir(config) as scratch:
        fresh = generate_into(config, scratch)
        written = []
        for package_root in config.init_roots():
            package_root.mkdir(parents=True, exist_ok=True)
            (package_root / "__init__.py").write_text(GENERATED_PACKAGE_INIT, encoding="utf-8")
        for target in config.targets:
            destination = config.output_dir(target)
            _replace_dir(fresh[target.name], destination)
            written.append(destination)
    return written


def check(config_path: Path) -> list[str]:
    """Regenerate into a scratch directory; the files (relative to the config's directory)
    whose committed content differs, is missing or is stale. Empty when up to date."""
    config = load_config(config_path)
    with tempfile.TemporaryDirectory(prefix="twenty-gql-check-") as scratch_name:
        scratch = Path(scratch_name)
        generate_into(config, scratch)
        differing: set[str] = set()
        for package_root in config.package_roots():
            relative = package_root.relative_to(config.root)
            differing |= _diff_trees(scratch / relative, package_root, relative, config)
    return sorted(differing)


def _diff_trees(fresh: Path, committed: Path, relative: Path, config: CodegenConfig) -> set[str]:
    # Only what generate writes: the root may be a user's whole project directory.
    expected = {
        config.output_dir(target).relative_to(config.root / relative).as_posix()
        for target in config.targets
    }
    if committed in config.init_roots():
        expected.add("__init__.py")
    fresh_files: set[str] = set()
    committed_files: set[str] = set()
    for name in expected:
        fresh_files |= _files(fresh, name)
        committed_files |= _files(committed, name)
    differing = fresh_files ^ committed_files
    for name in fresh_files & committed_files:
        if not filecmp.cmp(fresh / name, committed / name, shallow=False):
            differing.add(name)
    return {(relative / name).as_posix() for name in differing}


def _files(root: Path, name: str) -> set[str]:
    """``name`` (a file) or the files under it (a directory), relative to ``root``."""
    top = root / name
    if top.is_file():
        return {name}
    if not top.is_dir():
        return set()
    return {
        path.relative_to(root).as_posix()
        for path in top.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
    }


@contextlib.contextmanager
def _scratch_dir(config: CodegenConfig) -> Iterator[Path]:
    # In the config's directory, so the final renames stay on one file system (and nothing is
    # written outside the project).
    with tempfile.TemporaryDirectory(prefix=".twenty-gql-generate-", dir=config.root) as name:
        yield Path(name)


def _replace_dir(source: Path, destination: Path) -> None:
    shutil.rmtree(source / "__pycache__", ignore_errors=True)
    if destination.exists():
        retired = destination.with_name(f".{destination.name}.old")
        shutil.rmtree(retired, ignore_errors=True)
        os.replace(destination, retired)
        os.replace(source, destination)
        shutil.rmtree(retired)
    else:
        os.replace(source, destination)
