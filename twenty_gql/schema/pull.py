"""Pull a workspace's two schemas (``/graphql`` and ``/metadata``), write them as SDL, and
check committed SDL files against the live schemas.

A request whose key the server ignores (missing header, stripped by a proxy) is not answered
with an error: Twenty then serves an unauthenticated schema without any record fields. That
schema is recognised (its ``Query`` type returns no ``...Connection``) and reported as a
rejected key, so it can never be written over a real schema.

The written SDL is :func:`~twenty_gql.schema.sdl.print_pulled_sdl`'s: sorted, with Actor's
flipping fields nullable, so pulling a workspace gives the same bytes whichever schema build
the server happened to serve.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from graphql import GraphQLSchema, get_named_type
from yarl import URL

from twenty_gql.config import ConfigError, Settings
from twenty_gql.schema.drift import SchemaDiff, diff_schemas
from twenty_gql.schema.introspection import (
    ApiKeyRejectedError,
    display_url,
    fetch_introspection,
)
from twenty_gql.schema.sdl import SchemaFormatError, print_pulled_sdl, schema_from_introspection
from twenty_gql.transport import AiohttpTransport, Transport

__all__ = [
    "SCHEMA_NAMES",
    "CommittedSchemaError",
    "PulledSchema",
    "PulledSchemas",
    "SchemaName",
    "WriteResult",
    "check_schemas",
    "pull_schemas",
    "write_schemas",
]

SchemaName = Literal["core", "metadata"]
SCHEMA_NAMES: tuple[SchemaName, ...] = ("core", "metadata")


class CommittedSchemaError(Exception):
    """A committed SDL file is missing, unreadable or not valid SDL; the message names it."""


@dataclass(frozen=True, slots=True)
class PulledSchema:
    name: SchemaName
    url: str
    schema: GraphQLSchema
    sdl: str

    @property
    def filename(self) -> str:
        return f"{self.name}.graphql"


@dataclass(frozen=True, slots=True)
class PulledSchemas:
    core: PulledSchema
    metadata: PulledSchema

    def __iter__(self) -> Iterator[PulledSchema]:
        return iter((self.core, self.metadata))


@dataclass(frozen=True, slots=True)
class WriteResult:
    path: Path
    changed: bool


async def pull_schemas(settings: Settings, *, transport: Transport | None = None) -> PulledSchemas:
    """Introspect ``/graphql`` and ``/metadata`` concurrently and print both as sorted SDL.
    Raises :class:`~twenty_gql.config.ConfigError` for a malformed URL,
    :class:`~twenty_gql.schema.introspection.IntrospectionError` (the ``/graphql`` failure
    first when both fail) or :class:`~twenty_gql.schema.sdl.SchemaFormatError`."""
    _check_url(settings.url)
    if transport is None:
        own = AiohttpTransport()
        try:
            return await pull_schemas(settings, transport=own)
        finally:
            await own.close()
    results = await asyncio.gather(
        _pull_one("core", settings.graphql_url, settings, transport),
        _pull_one("metadata", settings.metadata_url, settings, transport),
        return_exceptions=True,
    )
    core, metadata = results
    if isinstance(core, BaseException):
        raise core
    if isinstance(metadata, BaseException):
        raise metadata
    return PulledSchemas(core=core, metadata=metadata)


def _check_url(url: str) -> None:
    try:
        parsed = URL(url)
        host = parsed.host
    except ValueError as exc:
        raise ConfigError(f"the workspace URL is not valid: {exc}") from None
    if not host:
        raise ConfigError("the workspace URL has no host name")
    if parsed.user is not None or parsed.password is not None:
        raise ConfigError(
            "the workspace URL must not hold a user name or password; the API key is sent "
            "in the Authorization header"
        )


async def _pull_one(
    name: SchemaName, url: str, settings: Settings, transport: Transport
) -> PulledSchema:
    data = await fetch_introspection(url, settings.api_key, transport)
    # Building and printing a 1 MB schema takes a few hundred ms: keep it off the event loop.
    schema, sdl = await asyncio.to_thread(_build, data)
    if name == "core" and not _has_record_fields(schema):
        shown = display_url(url)
        raise ApiKeyRejectedError(
            f"the API key was not accepted by {shown}: it answered with the unauthenticated "
            "schema (no record fields such as companies)",
            url=shown,
        )
    return PulledSchema(name=name, url=display_url(url), schema=schema, sdl=sdl)


def _build(data: dict[str, Any]) -> tuple[GraphQLSchema, str]:
    schema = schema_from_introspection(data)
    return schema, print_pulled_sdl(schema)


def _has_record_fields(schema: GraphQLSchema) -> bool:
    query = schema.query_type
    if query is None:
        return False
    return any(
        get_named_type(field.type).name.endswith("Connection") for field in query.fields.values()
    )


def write_schemas(pulled: PulledSchemas, out_dir: Path) -> list[WriteResult]:
    """Write ``core.graphql`` and ``metadata.graphql`` into ``out_dir`` (created if needed),
    each atomically; a file whose content is unchanged is left untouched. Blocking file I/O:
    from async code, run it in a thread (``asyncio.to_thread``)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    results = []
    for item in pulled:
        path = out_dir / item.filename
        data = item.sdl.encode("utf-8")
        changed = not path.is_file() or path.read_bytes() != data
        if changed:
            _write_atomically(path, data)
        results.append(WriteResult(path=path, changed=changed))
    return results


def _write_atomically(path: Path, data: bytes) -> None:
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as tmp:
            tmp.write(data)
            tmp.flush()
            os.fsync(tmp.fileno())
        os.chmod(tmp_name, mode)
        os.replace(tmp_name, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
        raise


def check_schemas(pulled: PulledSchemas, out_dir: Path) -> dict[SchemaName, SchemaDiff]:
    """Diff each committed file in ``out_dir`` (old) against the pulled schema (new)."""
    diffs: dict[SchemaName, SchemaDiff] = {}
    for item in pulled:
        path = out_dir / item.filename
        try:
            committed = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise CommittedSchemaError(
                f"{path} does not exist; run 'twenty-gql pull' to create it"
            ) from None
        except (OSError, UnicodeDecodeError) as exc:
            raise CommittedSchemaError(f"cannot read {path}: {exc}") from None
        try:
            diffs[item.name] = diff_schemas(committed, item.sdl, old_name=str(path))
        except SchemaFormatError as exc:
            raise CommittedSchemaError(str(exc)) from None
    return diffs
