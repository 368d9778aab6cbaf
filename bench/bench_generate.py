"""Benchmark codegen: generate time (committed config; full reference schema with scaffold --all)
and the import time of the generated standard core client against `import pydantic`.

Run from the repository root:  .venv/bin/python bench/bench_generate.py [--runs 5]
Targets: generate <= 30 s; importing the core client <= 0.3 s.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
REFERENCE = REPO / "tests" / "fixtures" / "reference" / "core.graphql"

MYPY = (sys.executable, "-m", "mypy", "--strict", "--config-file", str(REPO / "pyproject.toml"))

TIMED_IMPORT = """
import time
start = time.perf_counter()
{statement}
print(time.perf_counter() - start)
"""


def _python(code: str, cwd: Path = REPO) -> float:
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True, check=True
    )
    return float(result.stdout.strip().splitlines()[-1])


def _best(samples: list[float]) -> str:
    return f"best {min(samples):.3f} s, median {statistics.median(samples):.3f} s"


def _reference_project(root: Path) -> Path:
    """A project with the reference schema and the committed core target's own settings over
    the built-in ones (as in a user's project)."""
    with (REPO / "codegen.toml").open("rb") as handle:
        committed = tomllib.load(handle)
    (root / "schema.graphql").write_bytes(REFERENCE.read_bytes())
    core = committed["targets"]["core"]
    own = {
        key: value
        for key, value in core.items()
        if key not in ("schema_path", "queries_path", "target_package_name", "client_name")
    }
    lines = ["[targets.core]", 'schema_path = "schema.graphql"', 'queries_path = "queries"']
    lines += ['target_package_path = "out"']
    lines += ['target_package_name = "ref_core"', 'client_name = "CoreClient"']
    lines += [f"{key} = {_toml(value)}" for key, value in own.items()]
    config = root / "codegen.toml"
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return config


def _toml(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(_toml(item) for item in value) + "]"
    return '"' + str(value) + '"'


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--mypy", action="store_true", help="also time mypy --strict on it")
    args = parser.parse_args()

    from twenty_gql.codegen.generate import generate, generate_into, load_config
    from twenty_gql.codegen.scaffold import write_scaffold

    committed = load_config(REPO / "codegen.toml")
    with tempfile.TemporaryDirectory() as scratch:
        start = time.perf_counter()
        generate_into(committed, Path(scratch))
        committed_s = time.perf_counter() - start
    print(f"generate, committed codegen.toml (core + metadata): {committed_s:.2f} s (target 30 s)")

    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        config = _reference_project(root)
        start = time.perf_counter()
        written = write_scaffold(root / "schema.graphql", root / "queries", all_objects=True)
        scaffold_s = time.perf_counter() - start
        start = time.perf_counter()
        generate(config)
        generate_s = time.perf_counter() - start
        modules = len(list((root / "out" / "ref_core").glob("*.py")))
        print(
            f"reference schema: scaffold --all {scaffold_s:.2f} s ({len(written)} objects), "
            f"generate {generate_s:.2f} s ({modules} modules); total "
            f"{scaffold_s + generate_s:.2f} s (target 30 s)"
        )
        if args.mypy:
            start = time.perf_counter()
            subprocess.run(
                [*MYPY, "--cache-dir", str(root / ".mc"), "ref_core"],
                cwd=root / "out",
                check=True,
                capture_output=True,
            )
            print(f"mypy --strict on it (cold cache): {time.perf_counter() - start:.2f} s")
        shutil.rmtree(root / "out")

    statements = {
        "import pydantic (baseline)": "import pydantic; from pydantic import BaseModel",
        "import twenty_gql.base_client (the runtime it subclasses)": (
            "import twenty_gql.base_client"
        ),
        "import CoreClient": "from twenty_gql.generated.core import CoreClient",
        "import CoreClient + first ListCompanies parse": (
            "from twenty_gql.generated.core import CoreClient\n"
            "from twenty_gql.generated.core.list_companies import ListCompanies\n"
            "ListCompanies.model_validate({'companies': None})"
        ),
    }
    timings = {
        label: [_python(TIMED_IMPORT.format(statement=code)) for _ in range(args.runs)]
        for label, code in statements.items()
    }
    baseline = min(timings["import pydantic (baseline)"])
    for label, samples in timings.items():
        print(f"{label}: {_best(samples)}; {min(samples) / baseline:.1f}x baseline")
    print("target: import CoreClient <= 0.3 s")


if __name__ == "__main__":
    main()
