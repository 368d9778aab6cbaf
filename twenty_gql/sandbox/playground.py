"""The playground: GraphiQL in the browser for ``/graphql`` and ``/metadata``.

CONTRACT:
- ``GET /graphql`` or ``GET /metadata`` asking for HTML (``Accept: text/html``, as a browser's
  address bar does) answers a GraphiQL page wired to that endpoint. Any other GET still answers
  405, as before: the API itself is POST only.
- The page's headers editor holds ``Authorization: Bearer <the sandbox's key>`` when the browser
  is on this machine (a loopback peer asking for a loopback ``Host``). A sandbox exposed with
  ``--allow-remote`` never hands its key to a remote browser, nor to a page reached through DNS
  rebinding (``Host: evil.example``): the header there says where a key goes. ``no-store``.
- Docs and autocomplete come from introspecting the live schema, so an object created through
  ``/metadata`` shows up on reload (or GraphiQL's re-fetch button), without a restart.
- Every asset is served from the installed package (``playground_assets/``: GraphiQL 3.9.0, its
  explorer plugin 3.2.6 and React 18.3.1 as published on npm, licences beside them,
  ``VERSIONS.json`` pins them): no CDN,
  so it works offline. ``tools/fetch_playground_assets.py`` rebuilds them.
- ``?query=...&variables=...`` in the page's URL opens with that operation (shareable links).
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from string import Template

from aiohttp import web

__all__ = ["ASSETS", "ASSETS_PATH", "add_playground_routes", "wants_html"]

ASSETS = Path(__file__).parent / "playground_assets"
ASSETS_PATH = "/playground"

_CONTENT_TYPES = {".js": "text/javascript", ".css": "text/css", ".json": "application/json"}
_SERVED = frozenset(p.name for p in ASSETS.iterdir() if p.suffix in _CONTENT_TYPES)

_DEFAULT_QUERIES = {
    "/graphql": (
        "# The records API of this workspace. Run with Ctrl-Enter; Ctrl-Space completes.\n"
        "query Companies {\n"
        "  companies(first: 5) {\n"
        "    totalCount\n"
        "    edges { node { id name employees } }\n"
        "  }\n"
        "}\n"
    ),
    "/metadata": (
        "# The data model: objects and their fields. Create objects here with createOneObject.\n"
        "query Objects {\n"
        "  objects(paging: { first: 100 }) {\n"
        "    edges { node { nameSingular namePlural isCustom } }\n"
        "  }\n"
        "}\n"
    ),
}


def wants_html(request: web.Request) -> bool:
    return "text/html" in request.headers.get("Accept", "")


def _loopback_address(text: str) -> bool:
    try:
        return ipaddress.ip_address(text).is_loopback
    except ValueError:
        return False


def _from_this_machine(request: web.Request) -> bool:
    """A browser on this machine that asked for this machine by name (``Host``): a page that a
    remote site reaches through DNS rebinding names the site's host, and gets no key."""
    if request.remote is None or not _loopback_address(request.remote):
        return False
    host = (request.url.host or "").lower()
    return host == "localhost" or _loopback_address(host)


def _page(endpoint: str, headers: dict[str, str]) -> str:
    config = {
        "endpoint": endpoint,
        "headers": json.dumps(headers, indent=2),
        "defaultQuery": _DEFAULT_QUERIES[endpoint],
    }
    # "<" escaped: nothing in the JSON can close the <script> element that carries it.
    embedded = json.dumps(config).replace("<", "\\u003c")
    template = Template((ASSETS / "playground.html").read_text(encoding="utf-8"))
    return template.substitute(title=endpoint, assets=ASSETS_PATH, config=embedded)


def add_playground_routes(app: web.Application, api_key: str) -> None:
    """Serve GraphiQL on ``GET /graphql`` and ``GET /metadata``, assets under ``/playground``."""

    def page_for(endpoint: str) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
        async def page(request: web.Request) -> web.StreamResponse:
            if not wants_html(request):
                raise web.HTTPMethodNotAllowed(request.method, ["POST"])
            key = api_key if _from_this_machine(request) else "<your API key>"
            body = _page(endpoint, {"Authorization": f"Bearer {key}"})
            return web.Response(
                text=body, content_type="text/html", headers={"Cache-Control": "no-store"}
            )

        return page

    async def asset(request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        if name not in _SERVED:
            raise web.HTTPNotFound()
        return web.FileResponse(
            ASSETS / name,
            headers={
                "Content-Type": _CONTENT_TYPES[Path(name).suffix],
                "Cache-Control": "public, max-age=3600",
            },
        )

    for endpoint in _DEFAULT_QUERIES:
        app.router.add_get(endpoint, page_for(endpoint), allow_head=False)
    app.router.add_get(ASSETS_PATH + "/{name}", asset)
