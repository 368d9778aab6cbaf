"""The aiohttp side: a request handler and a ready sub-application around the verifier.

Answers: 200 ``{"ok": true, "handled": N}`` when the delivery verified and every handler
succeeded; the refusal's status (401, or 400 for a bad body) with ``{"error": reason,
"message": ...}``; 500 ``{"error": "handler_failed", "failed": [names]}`` when a handler raised,
after releasing the delivery's replay claim so that a re-send of it is accepted. Twenty itself
does not re-send on a non-2xx answer (see docs/webhooks.md); the sandbox and other senders may.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web

from .dispatch import WebhookRouter
from .verify import WebhookRefused, WebhookVerifier

__all__ = ["webhook_app", "webhook_handler"]

RequestHandler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def webhook_handler(
    verifier: WebhookVerifier,
    router: WebhookRouter,
    *,
    on_refused: Callable[[WebhookRefused], None] | None = None,
) -> RequestHandler:
    """An aiohttp handler that verifies each POST and dispatches its event through ``router``;
    ``on_refused`` is told of each refusal (to log or count it)."""

    async def handle(request: web.Request) -> web.StreamResponse:
        body = await request.read()
        try:
            event = await verifier.verify(request.headers, body)
        except WebhookRefused as refused:
            if on_refused is not None:
                on_refused(refused)
            return web.json_response(
                {"error": refused.reason.value, "message": refused.detail},
                status=refused.status,
            )
        result = await router.dispatch(event)
        if not result.ok:
            await verifier.forget(event)
            return web.json_response(
                {"error": "handler_failed", "failed": [f.handler for f in result.failures]},
                status=500,
            )
        return web.json_response({"ok": True, "handled": result.handled})

    return handle


def webhook_app(
    verifier: WebhookVerifier,
    router: WebhookRouter,
    *,
    path: str = "/",
    on_refused: Callable[[WebhookRefused], None] | None = None,
) -> web.Application:
    """An application answering POSTs to ``path``: run it alone, or mount it in yours with
    ``app.add_subapp("/twenty", webhook_app(verifier, router))``."""
    app = web.Application()
    app.router.add_post(path, webhook_handler(verifier, router, on_refused=on_refused))
    return app
