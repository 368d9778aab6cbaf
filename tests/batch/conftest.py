from __future__ import annotations

import pytest
from graphql import GraphQLSchema

from tests.conftest import REFERENCE
from twenty_gql.schema.sdl import parse_sdl


@pytest.fixture(scope="session")
def core_schema() -> GraphQLSchema:
    """The reference workspace's /graphql schema (tests/fixtures copy)."""
    return parse_sdl((REFERENCE / "core.graphql").read_text(encoding="utf-8"))
