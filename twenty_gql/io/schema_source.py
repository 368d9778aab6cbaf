"""Where the import/export commands read the workspace's schema: live, or from an SDL file.

Live introspection sees custom objects and fields added since the SDL was pulled, so it is the
default; ``schema_path`` (a pulled ``schema/core.graphql``) works offline.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from graphql import GraphQLSchema

from twenty_gql.config import Settings
from twenty_gql.schema.introspection import fetch_introspection
from twenty_gql.schema.sdl import parse_sdl, schema_from_introspection

__all__ = ["load_schema"]


async def load_schema(settings: Settings | None, schema_path: Path | None) -> GraphQLSchema:
    """The ``/graphql`` schema from ``schema_path`` if given, else introspected live.

    Raises ``OSError`` (unreadable file), ``SchemaFormatError`` or an ``IntrospectionError``.
    """
    if schema_path is not None:
        text = await asyncio.to_thread(schema_path.read_text, encoding="utf-8")
        return await asyncio.to_thread(parse_sdl, text, source_name=str(schema_path))
    if settings is None:
        raise ValueError("no schema: pass a schema file or the workspace's URL and API key")
    result = await fetch_introspection(settings.graphql_url, settings.api_key)
    return await asyncio.to_thread(schema_from_introspection, result)
