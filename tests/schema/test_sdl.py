"""The SDL printer: sorted, descriptions kept, independent of the server's order."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest
from graphql import build_schema, introspection_from_schema

from tests.schema.conftest import COMMITTED_SCHEMA_DIR, load_introspection
from twenty_gql.schema.sdl import (
    SchemaFormatError,
    parse_sdl,
    print_pulled_sdl,
    print_sorted_sdl,
    schema_from_introspection,
)

UNSORTED_SDL = """
"Zebra things"
type Zebra {
  "the stripes"
  stripes(zLast: Int, aFirst: String): Int
  alpha: String
}

enum Colour {
  RED
  BLUE
  "greenish"
  GREEN
}

input Filter {
  z: String
  a: Int
}

type Query {
  zebra: Zebra
  colour: Colour
  apple(filter: Filter): String
}
"""

SORTED_SDL = '''enum Colour {
  BLUE

  """greenish"""
  GREEN
  RED
}

input Filter {
  a: Int
  z: String
}

type Query {
  apple(filter: Filter): String
  colour: Colour
  zebra: Zebra
}

"""Zebra things"""
type Zebra {
  alpha: String

  """the stripes"""
  stripes(aFirst: String, zLast: Int): Int
}
'''


def shuffled(introspection: dict[str, Any], seed: int) -> dict[str, Any]:
    """The same schema with types, fields, args, enum values and input fields reordered."""
    rng = random.Random(seed)
    schema = introspection["data"]["__schema"] if "data" in introspection else introspection
    rng.shuffle(schema["types"])
    for type_ in schema["types"]:
        for key in ("fields", "inputFields", "enumValues", "interfaces", "possibleTypes"):
            if type_.get(key):
                rng.shuffle(type_[key])
        for field in type_.get("fields") or ():
            rng.shuffle(field["args"])
    rng.shuffle(schema["directives"])
    return introspection


def test_everything_is_sorted_and_descriptions_kept() -> None:
    sdl = print_sorted_sdl(build_schema(UNSORTED_SDL))
    assert sdl == SORTED_SDL


@pytest.mark.parametrize("name", ["core", "metadata"])
def test_committed_files_are_the_printer_output_for_the_reference(
    reference_dir: Path, name: str
) -> None:
    sdl = print_pulled_sdl(schema_from_introspection(load_introspection(reference_dir, name)))
    committed = (COMMITTED_SCHEMA_DIR / f"{name}.graphql").read_bytes()
    assert sdl.encode("utf-8") == committed


@pytest.mark.parametrize("name", ["core", "metadata"])
def test_server_order_does_not_change_the_output(reference_dir: Path, name: str) -> None:
    first = print_sorted_sdl(schema_from_introspection(load_introspection(reference_dir, name)))
    reordered = shuffled(load_introspection(reference_dir, name), seed=7)
    assert reordered != load_introspection(reference_dir, name)
    assert print_sorted_sdl(schema_from_introspection(reordered)) == first


def test_printed_sdl_round_trips() -> None:
    sdl = print_sorted_sdl(build_schema(UNSORTED_SDL))
    assert print_sorted_sdl(parse_sdl(sdl)) == sdl


def test_bare_schema_object_is_accepted() -> None:
    bare = introspection_from_schema(build_schema(UNSORTED_SDL))
    assert print_sorted_sdl(schema_from_introspection(bare)) == SORTED_SDL


@pytest.mark.parametrize(
    "answer",
    [
        {"data": None},
        {"data": {"__schema": "nope"}},
        {"data": {"__schema": {"queryType": {"name": "Query"}, "types": []}}},
    ],
)
def test_not_an_introspection_result(answer: dict[str, Any]) -> None:
    with pytest.raises(SchemaFormatError):
        schema_from_introspection(answer)


def test_invalid_sdl_names_its_source() -> None:
    with pytest.raises(SchemaFormatError, match=r"^schema/core\.graphql is not valid SDL"):
        parse_sdl("type Query {", source_name="schema/core.graphql")
