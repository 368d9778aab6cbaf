"""What the commands share: exit codes, the one-line failure, workspace options and settings.

Exit codes, for every command: 0 success, 1 some rows rejected or differences found, 2 usage or
configuration error, 3 server or authentication error. A failure is one line on stderr that
names the culprit: never a traceback, never the API key.
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Literal, NoReturn, overload

import typer
from graphql import GraphQLSchema

from twenty_gql.budget import Shape, check_budget_url
from twenty_gql.config import (
    ENV_API_KEY,
    ENV_API_URL,
    ENV_BUDGET_URL,
    ENV_PROFILE,
    ConfigError,
    Settings,
)
from twenty_gql.errors import RateLimitedError
from twenty_gql.events import BudgetLearnedEvent, BudgetStoreEvent, Event, EventBus
from twenty_gql.io.schema_source import load_schema
from twenty_gql.profiles import ServerProfile, get_profile
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
BudgetOption = Annotated[
    str | None,
    typer.Option(
        "--budget",
        metavar="URL",
        help=f"Where the workspace budget lives, shared by every process that names it: "
        f"redis://host:6379/0. Default: ${ENV_BUDGET_URL}, else this process.",
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
    budget: str | None = None,
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
    budget: str | None = None,
) -> Settings | None: ...


def settings_from_options(
    command: str,
    url: str | None,
    api_key: str | None,
    profile: str | None,
    window_seconds: float | None,
    *,
    required: bool = True,
    budget: str | None = None,
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
    server_profile = scaled_profile(command, server_profile, window_seconds)
    if not url.strip() or not api_key.strip():
        if not required:
            return None
        if not url.strip():
            fail(command, f"no workspace URL: pass --url or set {ENV_API_URL}", EXIT_CONFIG)
        fail(command, f"no API key: pass --api-key or set {ENV_API_KEY}", EXIT_CONFIG)
    try:
        settings = Settings.create(url, api_key, server_profile)
    except ConfigError as exc:
        fail(command, str(exc), EXIT_CONFIG)
    return with_budget(command, settings, budget)


def scaled_profile(
    command: str, profile: ServerProfile, window_seconds: float | None
) -> ServerProfile:
    """``profile`` over the ``--window-seconds`` window, if given; fails (exit 2) on one that is
    not positive."""
    if window_seconds is None:
        return profile
    if window_seconds <= 0:
        fail(command, "--window-seconds must be positive", EXIT_CONFIG)
    return profile.scaled(window_seconds=window_seconds)


def with_budget(command: str, settings: Settings, budget: str | None) -> Settings:
    """``settings`` spending the budget ``--budget`` (else ``$TWENTY_BUDGET_URL``) names; fails
    (exit 2) on a URL no store serves, without repeating it (it may hold a password)."""
    budget_url = (budget if budget is not None else os.environ.get(ENV_BUDGET_URL, "")).strip()
    try:
        check_budget_url(budget_url or None)
    except ConfigError as exc:
        given_by = "--budget" if budget is not None else f"${ENV_BUDGET_URL}"
        fail(command, f"{given_by}: {exc}", EXIT_CONFIG)
    return replace(settings, budget_url=budget_url or None)


class BudgetNotes:
    """What the workspace budget learned or went through during a command, for its summary."""

    def __init__(self, profile_shape: Shape) -> None:
        self._profile = profile_shape
        self.learned: BudgetLearnedEvent | None = None
        self.outages = 0
        self.back = False
        self.reason = ""

    def watch(self, events: EventBus) -> None:
        events.subscribe(self._on_event)

    def _on_event(self, event: Event) -> None:
        if isinstance(event, BudgetLearnedEvent):
            self.learned = event
        elif isinstance(event, BudgetStoreEvent):
            if event.store == "local":
                self.outages += 1
                self.reason = event.reason
                self.back = False
            else:
                self.back = True

    def lines(self) -> list[str]:
        found: list[str] = []
        if self.learned is not None:
            told = Shape(self.learned.capacity, self.learned.window)
            found.append(
                f"the server's budget is {told.describe()}, not the profile's "
                f"{self._profile.capacity}"
                + ("" if told.window == self._profile.window else f" / {self._profile.window:g} s")
            )
        if self.outages:
            found.append(
                f"budget store: {self.reason}; paced in-process meanwhile "
                f"({self.outages} outage{'s' if self.outages > 1 else ''}"
                f"{', then back on the shared budget' if self.back else ''})"
            )
        return found


def describe_failure(cause: BaseException) -> str:
    """A job-ending error in one line, with the patience that ended it, if it did."""
    text = f"{type(cause).__name__}: {cause}"
    if isinstance(cause, RateLimitedError) and cause.gave_up_after is not None:
        text += f" (gave up after {cause.gave_up_after:.0f} s without progress: the patience)"
    return text


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
