"""Generate: run ariadne-codegen once per target of ``codegen.toml``.

``codegen.toml`` holds ``[defaults]`` (ariadne-codegen's own settings, shared by every target)
and one ``[targets.<name>]`` section per generated package. Each target is generated into a
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

__all__ = [
    "GENERATED_PACKAGE_INIT",
    "CodegenConfig",
    "GenerateError",
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


@dataclass(frozen=True, slots=True)
class Target:
    name: str
    settings: dict[str, Any] = field(repr=False)

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


def load_config(path: Path) -> CodegenConfig:
    """Read ``codegen.toml``: ``[defaults]`` merged under each ``[targets.<name>]``."""
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
        settings = {**defaults, **section}
        settings["scalars"] = {**defaults.get("scalars", {}), **section.get("scalars", {})}
        for key in ("schema_path", "queries_path", "target_package_name"):
            if key not in settings:
                raise GenerateError(f"{path}: target {name!r} has no {key!r}")
        targets.append(Target(name=name, settings=settings))
    return CodegenConfig(root=path.resolve().parent, targets=tuple(targets))


def generate_into(config: CodegenConfig, out_root: Path) -> dict[str, Path]:
    """Generate every target under ``out_root`` (mirroring the repository layout).

    Returns the package directory of each target, keyed by target name.
    """
    # A dev-time tool: imported only by this command.
    from ariadne_codegen import main as ariadne_main

    run_client = cast(Callable[[dict[str, Any]], None], ariadne_main.client)

    packages: dict[str, Path] = {}
    for target in config.targets:
        package_root = out_root / target.package_path
        package_root.mkdir(parents=True, exist_ok=True)
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
        for package_root in config.package_roots():
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
    expected = {"__init__.py"} | {
        config.output_dir(target).relative_to(config.root / relative).as_posix()
        for target in config.targets
    }
    fresh_files = _files(fresh)
    committed_files = {name for name in _files(committed) if name.split("/", 1)[0] in expected}
    differing = fresh_files ^ committed_files
    for name in fresh_files & committed_files:
        if not filecmp.cmp(fresh / name, committed / name, shallow=False):
            differing.add(name)
    return {(relative / name).as_posix() for name in differing}


def _files(root: Path) -> set[str]:
    if not root.is_dir():
        return set()
    return {
        path.relative_to(root).as_posix()
        for path in root.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
    }


@contextlib.contextmanager
def _scratch_dir(config: CodegenConfig) -> Iterator[Path]:
    # Beside the output, so the final renames stay on one file system.
    parent = config.package_roots()[0].parent
    parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".twenty-gql-generate-", dir=parent) as name:
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
