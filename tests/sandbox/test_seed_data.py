"""The committed seed metadata is what the extraction script makes of the reference."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

from twenty_gql.sandbox.tools.extract_reference import extract, extract_metadata_sdl


def _data(name: str) -> str:
    return resources.files("twenty_gql.sandbox").joinpath(f"data/{name}").read_text()


def test_committed_seed_data_is_regenerated_output(reference_dir: Path) -> None:
    metadata, sdl = extract(reference_dir)
    assert json.loads(_data("standard_objects.json")) == metadata
    assert _data("base.graphql") == sdl
    assert _data("metadata.graphql") == extract_metadata_sdl(reference_dir)
    names = [o["nameSingular"] for o in metadata["objects"]]
    assert names == [
        "company",
        "person",
        "opportunity",
        "note",
        "task",
        "noteTarget",
        "taskTarget",
        "workspaceMember",
        "attachment",
    ]
    company = next(o for o in metadata["objects"] if o["nameSingular"] == "company")
    unique = [f["name"] for f in company["fields"] if f["isUnique"]]
    assert unique == ["domainName"]
