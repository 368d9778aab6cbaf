"""``twenty-gql sandbox``: serve a local Twenty-compatible workspace until stopped.

Prints the URL and an API key (the sandbox issues a fresh key on every start). Serves on
loopback only, unless ``--allow-remote`` is given.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import signal
from pathlib import Path
from typing import Annotated

import typer

from twenty_gql.profiles import get_profile
from twenty_gql.sandbox import Sandbox, is_loopback

EXIT_USAGE = 2


def register(app: typer.Typer) -> None:
    app.command("sandbox")(sandbox_command)


def parse_rate_limit(text: str) -> tuple[int, float] | list[tuple[int, float]] | None:
    """``100/60`` -> 100 calls per 60 s; ``5/2,12/30`` -> two buckets (Twenty's short and long
    limits); ``off`` -> no rate limit."""
    if text.strip().lower() in ("off", "none", "0"):
        return None
    buckets = []
    for part in text.split(","):
        match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+(?:\.\d+)?)\s*s?\s*", part)
        if not match or int(match.group(1)) < 1 or float(match.group(2)) <= 0:
            raise typer.BadParameter(
                f"{part.strip()!r} is not N/SECONDS (for example 100/60, or 5/2,12/30 for two "
                "buckets), nor 'off'",
                param_hint="--rate-limit",
            )
        buckets.append((int(match.group(1)), float(match.group(2))))
    return buckets[0] if len(buckets) == 1 else buckets


def sandbox_command(
    host: Annotated[
        str, typer.Option(help="Interface to listen on (loopback only by default).")
    ] = ("127.0.0.1"),
    port: Annotated[int, typer.Option(help="Port (0 picks a free one).")] = 3000,
    db: Annotated[
        Path | None,
        typer.Option(help="SQLite file to keep records and metadata in (default: in memory)."),
    ] = None,
    seed: Annotated[str, typer.Option(help="demo (sample records) or empty.")] = "demo",
    profile: Annotated[
        str, typer.Option(help="Limits to enforce: cloud or self-hosted.")
    ] = "cloud",
    rate_limit: Annotated[
        str | None,
        typer.Option(
            "--rate-limit",
            help="Records API budget as N/SECONDS (default: the profile's), several buckets "
            "as N/SECONDS,N/SECONDS (Twenty's short and long limits), or 'off'.",
        ),
    ] = None,
    rate_limit_style: Annotated[
        str,
        typer.Option(
            "--rate-limit-style",
            help="How throttled calls are answered: twenty (BAD_USER_INPUT/LIMIT_REACHED) or "
            "retry-after (RATE_LIMITED with retryAfterMs).",
        ),
    ] = "twenty",
    budget_start: Annotated[
        str,
        typer.Option(
            "--budget-start",
            help="full (a quiet workspace) or drained (as if another program just spent it).",
        ),
    ] = "full",
    page_cap: Annotated[
        int | None,
        typer.Option(
            "--page-cap",
            min=1,
            help="Largest `first` a list answers (default: none, as Twenty's /graphql).",
        ),
    ] = None,
    page_cap_style: Annotated[
        str,
        typer.Option(
            "--page-cap-style",
            help="Above --page-cap: truncate (that many records, hasNextPage true) or refuse.",
        ),
    ] = "truncate",
    read_only_key: Annotated[
        bool, typer.Option("--read-only-key", help="Also issue a read-only API key.")
    ] = False,
    allow_remote: Annotated[
        bool, typer.Option("--allow-remote", help="Allow a non-loopback --host.")
    ] = False,
) -> None:
    """Serve a local Twenty-compatible workspace (/graphql and /metadata) until stopped."""
    if not is_loopback(host) and not allow_remote:
        typer.echo(
            f"Error: refusing to serve on non-loopback host {host!r}; add --allow-remote to "
            "expose the sandbox to other machines.",
            err=True,
        )
        raise typer.Exit(EXIT_USAGE)
    if seed not in ("demo", "empty"):
        raise typer.BadParameter(f"{seed!r} is not demo or empty", param_hint="--seed")
    _one_of(rate_limit_style, ("twenty", "retry-after"), "--rate-limit-style")
    _one_of(budget_start, ("full", "drained"), "--budget-start")
    _one_of(page_cap_style, ("truncate", "refuse"), "--page-cap-style")
    try:
        get_profile(profile)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--profile") from None
    options: dict[str, object] = {
        "host": host,
        "port": port,
        "db": str(db) if db else ":memory:",
        "seed": seed,
        "profile": profile,
        "allow_remote": allow_remote,
        "rate_limit_style": rate_limit_style,
        "budget_start": budget_start,
        "page_cap": page_cap,
        "page_cap_style": page_cap_style,
    }
    if rate_limit is not None:
        options["rate_limit"] = parse_rate_limit(rate_limit)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(options, read_only_key))


async def _serve(options: dict[str, object], read_only_key: bool) -> None:
    async with Sandbox.start(**options) as sb:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, sb.stop)
        budget = sb.budget
        limit = budget.describe() if budget else "off"
        lines = [
            f"Twenty sandbox serving on {sb.url}  (profile {sb.profile.name}, rate limit {limit})",
            f"  GraphQL:  {sb.url}/graphql",
            f"  Metadata: {sb.url}/metadata",
            f"  API key:  {sb.api_key}",
        ]
        if read_only_key:
            lines.append(f"  Read-only API key: {sb.issue_api_key(role='read-only')}")
        lines += [
            "",
            f"  export TWENTY_API_URL={sb.url} TWENTY_API_KEY={sb.api_key}",
            "",
            f"  Playground (open in a browser): {sb.url}/graphql  (data model: {sb.url}/metadata)",
            "Press Ctrl+C to stop.",
        ]
        typer.echo("\n".join(lines))
        await sb.serve_forever()
    typer.echo("Sandbox stopped.")


def _one_of(value: str, choices: tuple[str, str], flag: str) -> None:
    if value not in choices:
        raise typer.BadParameter(f"{value!r} is not {choices[0]} or {choices[1]}", param_hint=flag)
