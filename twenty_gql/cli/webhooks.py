"""``twenty-gql webhooks listen``: a verifying receiver on this machine, for trying webhooks out.

Answers 2xx to a verified delivery (and prints one line per event: name, record id, updated
fields) and 401 to anything else (a refusal line goes to stderr; a signed body that is not a
delivery gets 400). ``--register OPERATIONS`` creates a webhook pointing at the listener through
``/metadata`` (workspace from --url/--api-key or $TWENTY_API_URL/$TWENTY_API_KEY) and deletes it
on exit; without ``--secret`` it then uses a generated one.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from typing import Annotated, Any

import typer
from aiohttp import web

from twenty_gql.cli.common import (
    EXIT_CONFIG,
    EXIT_SERVER,
    ApiKeyOption,
    ProfileOption,
    UrlOption,
    fail,
    settings_from_options,
)
from twenty_gql.config import Settings
from twenty_gql.errors import TwentyError
from twenty_gql.webhooks import (
    DEFAULT_MAX_AGE,
    WebhookEvent,
    WebhookRefused,
    WebhookRouter,
    WebhookVerifier,
    webhook_app,
)
from twenty_gql.webhooks.management import generate_secret

COMMAND = "webhooks listen"
ENV_SECRET = "TWENTY_WEBHOOK_SECRET"

webhooks_app = typer.Typer(help="Receive Twenty's webhooks.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(webhooks_app, name="webhooks")


def event_line(event: WebhookEvent[Any]) -> str:
    fields = ",".join(event.updated_fields) if event.updated_fields else "-"
    return f"{event.name}  {event.record_id}  {fields}"


@webhooks_app.command("listen")
def listen_command(
    port: Annotated[int, typer.Option(help="Port to listen on (0 picks a free one).")] = 8787,
    secret: Annotated[
        str | None,
        typer.Option(
            envvar=ENV_SECRET,
            help=f"The webhook's secret. Default: ${ENV_SECRET}.",
            show_default=False,
        ),
    ] = None,
    max_age: Annotated[
        float,
        typer.Option("--max-age", help="Seconds a delivery's timestamp may be old (0: no check)."),
    ] = DEFAULT_MAX_AGE,
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    path: Annotated[str, typer.Option(help="Path deliveries are POSTed to.")] = "/",
    register_operations: Annotated[
        str | None,
        typer.Option(
            "--register",
            help="Comma-separated operations (e.g. 'company.*,*.deleted'): create a webhook "
            "pointing here, delete it on exit.",
        ),
    ] = None,
    url: UrlOption = None,
    api_key: ApiKeyOption = None,
    profile: ProfileOption = None,
) -> None:
    """Verify and print Twenty's webhook deliveries."""
    if max_age < 0:
        fail(COMMAND, "--max-age must be >= 0", EXIT_CONFIG)
    operations = [op.strip() for op in (register_operations or "").split(",") if op.strip()]
    settings = None
    if register_operations is not None:
        if not operations:
            fail(COMMAND, "--register needs at least one operation", EXIT_CONFIG)
        settings = settings_from_options(COMMAND, url, api_key, profile, None)
        secret = secret or generate_secret()
    if not secret:
        fail(COMMAND, f"no secret: pass --secret or set {ENV_SECRET}", EXIT_CONFIG)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_listen(host, port, path, secret, max_age, settings, operations))


async def _listen(
    host: str,
    port: int,
    path: str,
    secret: str,
    max_age: float,
    settings: Settings | None,
    operations: list[str],
) -> None:
    router = WebhookRouter()

    @router.on("*.*")
    async def show(event: WebhookEvent[Any]) -> None:
        typer.echo(event_line(event))

    def refused(error: WebhookRefused) -> None:
        typer.echo(f"refused ({error.status}): {error}", err=True)

    app = webhook_app(
        WebhookVerifier(secret, max_age=max_age), router, path=path, on_refused=refused
    )
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    bound = runner.addresses[0][1]
    target = f"http://{host}:{bound}{path}"
    stopped = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stopped.set)
    try:
        if settings is None:
            typer.echo(f"listening on {target}")
            await stopped.wait()
            return
        from twenty_gql.client import Twenty

        async with Twenty(settings=settings) as twenty:
            try:
                hook = await twenty.webhooks.create(
                    target, operations, description="twenty-gql webhooks listen", secret=secret
                )
            except TwentyError as error:
                fail(COMMAND, f"could not register the webhook: {error}", EXIT_SERVER)
            typer.echo(f"listening on {target}  (webhook {hook.id} for {', '.join(operations)})")
            try:
                await stopped.wait()
            finally:
                await twenty.webhooks.delete(hook.id)
                typer.echo(f"deleted webhook {hook.id}")
    finally:
        await runner.cleanup()
