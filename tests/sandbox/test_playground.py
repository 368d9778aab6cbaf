"""The playground over HTTP: who gets the page, what it holds, and that every asset is served."""

from __future__ import annotations

import hashlib
import json
import re
from unittest import mock

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import make_mocked_request

from twenty_gql.sandbox import Sandbox
from twenty_gql.sandbox.playground import ASSETS, ASSETS_PATH

BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def config_of(page: str) -> dict[str, str]:
    match = re.search(r'<script id="playground-config"[^>]*>(.*?)</script>', page)
    assert match, page
    config: dict[str, str] = json.loads(match.group(1))
    return config


async def test_a_browser_gets_graphiql_wired_to_each_endpoint_with_the_key(
    twenty_sandbox: Sandbox,
) -> None:
    async with aiohttp.ClientSession(headers={"Accept": BROWSER_ACCEPT}) as session:
        for endpoint in ("/graphql", "/metadata"):
            async with session.get(twenty_sandbox.url + endpoint) as response:
                page = await response.text()
            assert response.status == 200
            assert response.content_type == "text/html"
            assert response.headers["Cache-Control"] == "no-store"
            config = config_of(page)
            assert config["endpoint"] == endpoint
            assert json.loads(config["headers"]) == {
                "Authorization": f"Bearer {twenty_sandbox.api_key}"
            }
            # Every script and stylesheet is ours: no CDN.
            sources = re.findall(r'(?:src|href)="([^"]+)"', page)
            assert sources and all(
                s.startswith(ASSETS_PATH + "/") or s.startswith("data:") for s in sources
            )


async def test_every_asset_the_page_names_is_served_with_its_type(twenty_sandbox: Sandbox) -> None:
    async with aiohttp.ClientSession() as session:
        async with session.get(
            twenty_sandbox.url + "/graphql", headers={"Accept": "text/html"}
        ) as response:
            page = await response.text()
        names = re.findall(rf'"{ASSETS_PATH}/([^"]+)"', page)
        assert sorted(names) == sorted(
            [
                "graphiql.min.css",
                "graphiql-plugin-explorer.css",
                "graphiql-plugin-explorer.umd.js",
                "react.production.min.js",
                "react-dom.production.min.js",
                "graphiql.min.js",
                "playground.js",
            ]
        )
        for name in names:
            async with session.get(f"{twenty_sandbox.url}{ASSETS_PATH}/{name}") as response:
                body = await response.read()
            assert response.status == 200, name
            assert body == (ASSETS / name).read_bytes()
            expected = "text/css" if name.endswith(".css") else "text/javascript"
            assert response.content_type == expected
        for missing in ("playground.html", "nope.js", "..%2Fapp.py"):
            async with session.get(f"{twenty_sandbox.url}{ASSETS_PATH}/{missing}") as response:
                assert response.status == 404, missing


async def test_the_api_stays_post_only_for_everything_but_a_browser(
    twenty_sandbox: Sandbox,
) -> None:
    async with aiohttp.ClientSession() as session:
        for accept in ("application/json", "*/*"):
            async with session.get(
                twenty_sandbox.url + "/graphql", headers={"Accept": accept}
            ) as response:
                assert response.status == 405
                assert response.headers["Allow"] == "POST"


@pytest.mark.parametrize(
    ("peer", "host", "gets_key"),
    [
        ("127.0.0.1", "127.0.0.1:3000", True),
        ("127.0.0.1", "localhost:3000", True),
        ("::1", "[::1]:3000", True),
        ("192.0.2.7", "127.0.0.1:3000", False),  # a remote browser (--allow-remote)
        ("127.0.0.1", "evil.example:3000", False),  # a page reached through DNS rebinding
    ],
)
async def test_only_a_browser_on_this_machine_gets_the_key(
    peer: str, host: str, gets_key: bool
) -> None:
    async with Sandbox.start(port=0, rate_limit=None) as sb:
        handler = next(
            route.handler
            for route in sb.app().router.routes()
            if route.method == "GET"
            and route.resource is not None
            and route.resource.canonical == "/graphql"
        )
        transport = mock.Mock()
        transport.get_extra_info.side_effect = lambda name, default=None: (
            (peer, 50000) if name == "peername" else default
        )
        request = make_mocked_request(
            "GET", "/graphql", headers={"Accept": "text/html", "Host": host}, transport=transport
        )
        response = await handler(request)
        assert isinstance(response, web.Response) and response.text is not None
        key = sb.api_key if gets_key else "<your API key>"
        assert json.loads(config_of(response.text)["headers"]) == {"Authorization": f"Bearer {key}"}
        assert (sb.api_key in response.text) is gets_key


def test_the_vendored_assets_carry_their_licences_and_pins() -> None:
    versions = json.loads((ASSETS / "VERSIONS.json").read_text(encoding="utf-8"))
    assert versions["graphiql"]["version"] == "3.9.0"
    assert {package["license"] for package in versions.values()} == {"MIT"}
    for package in versions.values():
        for name, sha256 in package["files"].items():
            assert hashlib.sha256((ASSETS / name).read_bytes()).hexdigest() == sha256, name
    for licence in ("LICENSE.graphiql", "LICENSE.react", "LICENSE.react-dom"):
        assert "MIT License" in (ASSETS / licence).read_text(encoding="utf-8")
