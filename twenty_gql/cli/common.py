"""What the commands share: exit codes, the one-line failure, workspace options and settings.

Exit codes, for every command: 0 success, 1 some rows rejected or differences found, 2 usage or
configuration error, 3 server or authentication error. A failure is one line on stderr that
names the culprit: never a traceback, never the API key.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Literal, NoReturn, overload

import typer
from graphql import GraphQLSchema

from twenty_gql.config import ENV_API_KEY, ENV_API_URL, ENV_PROFILE, ConfigError, Settings
from twenty_gql.io.schema_source import load_schema
from twenty_gql.profiles import get_profile
from twenty_gql.schema.introspection import IntrospectionError
from twenty_gql.schema.sdl import SchemaFormatError

EXIT_REJECTED = 1
EXIT_DIFFERS = 1
EXIT_CONFIG = 2
EXIT_SERVER = 3

UrlOption = Annotated[
    str | None,
    typer.Option(help=f"Workspace base URL (without /graphql). Default: ${ENV_API_URL}."),
]
ApiKeyOption = Annotated[
    str | None,
    typer.Option(
        help=f"API key. Default: ${ENV_API_KEY} (prefer the variable: arguments are visible "
        "to other users of the machine).",
        show_default=False,
    ),
]
ProfileOption = Annotated[
    str | None,
    typer.Option(help=f"Server limits: cloud or self-hosted. Default: ${ENV_PROFILE} or cloud."),
]
WindowOption = Annotated[
    float | None,
    typer.Option(
        "--window-seconds",
        help="Scale the profile's rate-limit window (tests and benchmarks).",
        hidden=True,
    ),
]
SchemaOption = Annotated[
    Path | None,
    typer.Option(
        "--schema",
        help="Read the schema from this SDL file (e.g. schema/core.graphql) instead of "
        "introspecting the workspace.",
    ),
]


def fail(command: str, message: str, code: int) -> NoReturn:
    typer.echo(f"twenty-gql {command}: error: {message}", err=True)
    raise typer.Exit(code)


@overload
def settings_from_options(
    command: str,
    url: str | None,
    api_key: str | None,
    profile: str | None,
    window_seconds: float | None,
    *,
    required: Literal[True] = True,
) -> Settings: ...


@overload
def settings_from_options(
    command: str,
    url: str | None,
    api_key: str | None,
    profile: str | None,
    window_seconds: float | None,
    *,
    required: bool,
) -> Settings | None: ...


def settings_from_options(
    command: str,
    url: str | None,
    api_key: str | None,
    profile: str | None,
    window_seconds: float | None,
    *,
    required: bool = True,
) -> Settings | None:
    """Settings from the options, falling back to the environment; fails (exit 2) naming what
    is missing or malformed. With ``required=False``, no URL and key gives ``None``."""
    url = url if url is not None else os.environ.get(ENV_API_URL, "")
    api_key = api_key if api_key is not None else os.environ.get(ENV_API_KEY, "")
    profile_name = profile or os.environ.get(ENV_PROFILE) or "cloud"
    try:
        server_profile = get_profile(profile_name)
    except ValueError as exc:
        given_by = "--profile" if profile else f"${ENV_PROFILE}"
        fail(command, f"{given_by}: {exc}", EXIT_CONFIG)
    if window_seconds is not None:
        if window_seconds <= 0:
            fail(command, "--window-seconds must be positive", EXIT_CONFIG)
        server_profile = server_profile.scaled(window_seconds=window_seconds)
    if not url.strip() or not api_key.strip():
        if not required:
            return None
        if not url.strip():
            fail(command, f"no workspace URL: pass --url or set {ENV_API_URL}", EXIT_CONFIG)
        fail(command, f"no API key: pass --api-key or set {ENV_API_KEY}", EXIT_CONFIG)
    try:
        return Settings.create(url, api_key, server_profile)
    except ConfigError as exc:
        fail(command, str(exc), EXIT_CONFIG)


async def schema_or_fail(
    command: str, settings: Settings | None, schema_path: Path | None
) -> GraphQLSchema:
    try:
        return await load_schema(settings, schema_path)
    except IntrospectionError as exc:
        fail(command, str(exc), EXIT_SERVER)
    except SchemaFormatError as exc:
        fail(command, str(exc), EXIT_SERVER if schema_path is None else EXIT_CONFIG)
    except OSError as exc:
        fail(command, f"--schema {schema_path}: {exc.strerror or exc}", EXIT_CONFIG)
    except ValueError as exc:
        fail(command, str(exc), EXIT_CONFIG)
