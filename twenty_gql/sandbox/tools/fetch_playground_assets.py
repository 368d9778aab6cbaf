"""Rebuild the playground's vendored assets from the npm registry (run by hand, output committed).

The sandbox serves GraphiQL from ``twenty_gql/sandbox/playground_assets/`` so that the playground
works with the network unplugged. Those files are the prebuilt bundles that the pinned npm packages
ship, copied byte for byte with each package's licence; nothing is compiled here. To move to
another version, change ``PACKAGES`` and run (needs ``npm`` on PATH)::

    python -m twenty_gql.sandbox.tools.fetch_playground_assets

then reload a playground, run ``pytest tests/sandbox/test_playground*.py`` and commit the assets
together with ``VERSIONS.json`` (name, version, npm integrity and sha256 of every file copied).

GraphiQL stays on 3.x: it is the last line that ships a UMD bundle (``graphiql.min.js``) which runs
on React 18's UMD builds with no bundler; GraphiQL 4+ is ESM-only and React 19 has no UMD build.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ASSETS = Path(__file__).resolve().parents[1] / "playground_assets"

# package -> (version, {file inside the package tarball: name under playground_assets/})
PACKAGES: dict[str, tuple[str, dict[str, str]]] = {
    "graphiql": (
        "3.9.0",
        {
            "package/graphiql.min.js": "graphiql.min.js",
            "package/graphiql.min.css": "graphiql.min.css",
            "package/LICENSE": "LICENSE.graphiql",
        },
    ),
    # The query builder (a tree of the schema's fields to tick). It ships no LICENSE file: its
    # package.json says MIT, and it lives in graphiql's repository under LICENSE.graphiql's text.
    "@graphiql/plugin-explorer": (
        "3.2.6",
        {
            "package/dist/index.umd.js": "graphiql-plugin-explorer.umd.js",
            "package/dist/style.css": "graphiql-plugin-explorer.css",
        },
    ),
    "react": (
        "18.3.1",
        {
            "package/umd/react.production.min.js": "react.production.min.js",
            "package/LICENSE": "LICENSE.react",
        },
    ),
    "react-dom": (
        "18.3.1",
        {
            "package/umd/react-dom.production.min.js": "react-dom.production.min.js",
            "package/LICENSE": "LICENSE.react-dom",
        },
    ),
}


def npm_pack(spec: str, into: Path) -> tuple[Path, str]:
    """``npm pack`` one package into ``into``: the tarball and its registry integrity."""
    out = subprocess.run(
        ["npm", "pack", "--json", spec],
        cwd=into,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    info = json.loads(out)[0]
    return into / info["filename"], info["integrity"]


def main() -> int:
    versions: dict[str, dict[str, object]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, (version, files) in PACKAGES.items():
            tarball, integrity = npm_pack(f"{name}@{version}", Path(tmp))
            copied: dict[str, str] = {}
            with tarfile.open(tarball) as archive:
                manifest = archive.extractfile("package/package.json")
                assert manifest is not None
                licence = json.loads(manifest.read())["license"]
                for member, target in files.items():
                    extracted = archive.extractfile(member)
                    if extracted is None:
                        raise SystemExit(f"{name}@{version} has no file {member}")
                    data = extracted.read()
                    (ASSETS / target).write_bytes(data)
                    copied[target] = hashlib.sha256(data).hexdigest()
            versions[name] = {
                "version": version,
                "license": licence,
                "integrity": integrity,
                "files": copied,
            }
            print(f"{name}@{version}: {', '.join(copied)}")
    (ASSETS / "VERSIONS.json").write_text(json.dumps(versions, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
