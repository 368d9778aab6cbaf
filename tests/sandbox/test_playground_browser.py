"""The playground in a real browser, as a new user meets it: ``twenty-gql sandbox``, open the
printed URL in (headless Debian) Chromium, run a companies query, read the rendered answer.

Needs Debian's ``chromium`` at /usr/bin/chromium (or $TWENTY_GQL_CHROMIUM): ``scripts/test``
installs it. Without it this test fails, saying so; it never skips. Every request the page makes
is checked to stay on the sandbox's origin: the playground must work with the network unplugged.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import quote

import aiohttp
import pytest
import pytest_asyncio
from playwright.async_api import Browser, Page, async_playwright

from tests.custom_objects import create_custom_object
from tests.sandbox.test_cli import start, stop
from twenty_gql.client import Twenty

CHROMIUM = Path(os.environ.get("TWENTY_GQL_CHROMIUM", "/usr/bin/chromium"))
# The flags that work on a machine with no network but loopback (no background fetches, no QUIC).
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
COMPANIES = "query TopCompanies { companies(first: 3) { edges { node { name } } } }"


def require_chromium() -> None:
    if not CHROMIUM.exists():
        pytest.fail(
            f"no Chromium at {CHROMIUM}: install Debian's chromium (`bash scripts/test` does, as "
            "root: apt-get install -y --no-install-recommends chromium) or point "
            "$TWENTY_GQL_CHROMIUM at one"
        )


@pytest_asyncio.fixture
async def browser() -> AsyncIterator[Browser]:
    require_chromium()
    async with async_playwright() as playwright:
        # Playwright starts it headless with a new empty profile directory.
        chromium = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS
        )
        yield chromium
        await chromium.close()


async def result_text(page: Page, containing: str) -> str:
    await page.wait_for_function(
        "text => (document.querySelector('.result-window') || {}).innerText?.includes(text)",
        arg=containing,
        timeout=15_000,
    )
    # CodeMirror renders indentation as no-break spaces.
    return (await page.inner_text(".result-window")).replace("\xa0", " ")


async def test_new_user_runs_a_companies_query_in_the_playground(
    browser: Browser, tmp_path: Path
) -> None:
    proc, url, key = await start("--rate-limit", "off")
    try:
        assert proc.stdout is not None
        printed = ""
        while not (match := re.search(r"Playground \(open in a browser\): (\S+)", printed)):
            line = (await proc.stdout.readline()).decode()
            assert line, f"no playground URL in the sandbox's output:\n{printed}"
            printed += line
        playground = match.group(1)
        assert playground == f"{url}/graphql"

        # What the page should show, asked over plain HTTP.
        headers = {"Authorization": f"Bearer {key}"}
        async with (
            aiohttp.ClientSession(headers=headers) as session,
            session.post(url + "/graphql", json={"query": COMPANIES}) as response,
        ):
            expected = (await response.json())["data"]
        assert len(expected["companies"]["edges"]) == 3

        page = await browser.new_page()
        elsewhere: list[str] = []
        page.on(
            "request",
            lambda request: None if request.url.startswith(url) else elsewhere.append(request.url),
        )
        await page.goto(f"{playground}?query={quote(COMPANIES)}")
        # The key is in the headers editor: the query runs authenticated with no typing.
        await page.click(".graphiql-execute-button")
        shown = json.loads(await result_text(page, '"companies"'))
        await page.screenshot(path=tmp_path / "playground.png", full_page=True)

        assert shown == {"data": expected}
        # The query builder lists the workspace's root fields.
        await page.click("[aria-label='Show GraphiQL Explorer']")
        await page.locator(".graphiql-plugin >> text=companies").first.wait_for()
        assert (tmp_path / "playground.png").stat().st_size > 10_000
        assert elsewhere == []  # no CDN, no font service: every asset came from the sandbox
    finally:
        await stop(proc)


async def test_docs_show_a_custom_object_created_after_the_page_opened(
    browser: Browser, tmp_path: Path
) -> None:
    proc, url, key = await start("--rate-limit", "off")
    try:
        page = await browser.new_page()
        await page.goto(f"{url}/graphql")
        await page.click("[aria-label='Show Documentation Explorer']")
        search = page.locator("[data-cy=doc-explorer-input]")
        await search.fill("Compan")  # the docs search lists types and fields of the schema
        await page.locator("[role=option]", has_text="Company").first.wait_for()
        await search.fill("Rocket")
        await page.get_by_text("No results found").wait_for()

        async with Twenty(url, key, rate_limit="off") as twenty:
            await create_custom_object(twenty, "rocket", "rockets")

        # Same server process, no restart: GraphiQL's re-fetch introspects the live schema.
        await page.click("[aria-label='Re-fetch GraphQL schema']")
        await search.fill("")
        await search.fill("Rocket")
        await page.locator("[role=option]", has_text="Rocket").first.wait_for()
        await page.screenshot(path=tmp_path / "docs.png")
    finally:
        await stop(proc)
