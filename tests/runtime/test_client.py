"""The Twenty facade: construction, settings from the environment, lazily built clients."""

from __future__ import annotations

import pytest

from tests.runtime.conftest import CANARY_KEY
from tests.runtime.replay import ReplayServer, Reply
from twenty_gql.budget import LocalBudget, NoBudget, Shape
from twenty_gql.client import Twenty
from twenty_gql.config import ConfigError
from twenty_gql.profiles import SELF_HOSTED


async def test_from_env_reads_url_key_and_profile(replay: ReplayServer) -> None:
    replay.queue(Reply.data({"companies": {"totalCount": 3}}))
    env = {
        "TWENTY_API_URL": replay.url + "/graphql",
        "TWENTY_API_KEY": CANARY_KEY,
        "TWENTY_PROFILE": "self-hosted",
    }
    async with Twenty.from_env(env) as twenty:
        assert twenty.profile is SELF_HOSTED
        assert twenty.settings.url == replay.url
        data = await twenty.execute("{ companies { totalCount } }")
    assert data == {"companies": {"totalCount": 3}}
    assert replay.received[0].path == "/graphql"
    assert replay.received[0].headers["Authorization"] == f"Bearer {CANARY_KEY}"


def test_missing_settings_are_named() -> None:
    with pytest.raises(ConfigError, match="TWENTY_API_KEY"):
        Twenty.from_env({"TWENTY_API_URL": "http://127.0.0.1:1"})
    with pytest.raises(ConfigError, match="url="):
        Twenty(api_key=CANARY_KEY)
    with pytest.raises(ConfigError, match="api_key="):
        Twenty("http://127.0.0.1:1")
    with pytest.raises(ConfigError, match="rate_limit"):
        Twenty("http://127.0.0.1:1", CANARY_KEY, rate_limit="sometimes")  # type: ignore[arg-type]


def test_budget_options() -> None:
    default = Twenty("http://127.0.0.1:1", CANARY_KEY)
    assert isinstance(default.budget, LocalBudget)
    assert default.budget.shape == Shape(100, 60.0)
    assert default.budget.tokens == 100  # starts full, like a quiet workspace
    custom = Twenty("http://127.0.0.1:1", CANARY_KEY, rate_limit=(5, 2.0), initial_tokens=0)
    assert isinstance(custom.budget, LocalBudget)
    assert (custom.budget.shape, custom.budget.tokens) == (Shape(5, 2.0), 0)
    assert isinstance(Twenty("http://127.0.0.1:1", CANARY_KEY, rate_limit="off").budget, NoBudget)
    shared = LocalBudget(Shape(10, 1.0))
    a = Twenty("http://127.0.0.1:1", CANARY_KEY, budget=shared)
    b = Twenty("http://127.0.0.1:1", CANARY_KEY, budget=shared)
    assert a.budget is b.budget is shared
    assert a.runtime.budget is shared
    with pytest.raises(ConfigError, match="budget URL scheme 'http'"):
        Twenty("http://127.0.0.1:1", CANARY_KEY, budget="http://127.0.0.1:6379")


def test_budget_url_from_the_environment_is_not_shown() -> None:
    env = {
        "TWENTY_API_URL": "http://127.0.0.1:1",
        "TWENTY_API_KEY": CANARY_KEY,
        "TWENTY_BUDGET_URL": "memory://",
    }
    twenty = Twenty.from_env(env)
    assert twenty.settings.budget_url == "memory://"
    assert isinstance(twenty.budget, LocalBudget)
    assert "budget_url" not in repr(twenty.settings)  # it may hold a Redis password


async def test_core_and_metadata_share_one_runtime(replay: ReplayServer) -> None:
    async with Twenty(replay.url, CANARY_KEY, rate_limit="off") as twenty:
        assert twenty.core is twenty.core
        assert twenty.core.runtime is twenty.metadata.runtime is twenty.runtime
        assert twenty.core.endpoint == "/graphql"
        assert twenty.metadata.endpoint == "/metadata"
        replay.queue(Reply.data({"companies": None}), Reply.data({"objects": None}))
        await twenty.core.list_companies(first=1)
        await twenty.execute("{ objects { edges { node { id } } } }", endpoint="/metadata")
        session = twenty.runtime.transport._session  # type: ignore[attr-defined]
        assert session is not None and not session.closed
    assert session.closed
    assert [r.path for r in replay.received] == ["/graphql", "/metadata"]


async def test_requests_carry_the_clients_user_agent(replay: ReplayServer) -> None:
    async with Twenty(replay.url, "k", rate_limit="off") as twenty:
        await twenty.execute("query Q { a }")
        await twenty.runtime.transport.post(
            replay.url + "/graphql", b"{}", {"User-Agent": "mine/1.0", "Accept": "*/*"}
        )
    assert [r.headers["User-Agent"] for r in replay.received] == ["twenty-gql", "mine/1.0"]
    assert replay.received[0].headers["Authorization"] == "Bearer k"


@pytest.mark.parametrize("window", [0.0, -1.0, float("nan")])
def test_a_profile_scaled_to_a_window_that_is_not_positive_is_refused(window: float) -> None:
    with pytest.raises(ValueError, match="rate-limit window must be positive"):
        SELF_HOSTED.scaled(window_seconds=window)
