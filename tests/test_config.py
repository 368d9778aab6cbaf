from __future__ import annotations

import pickle

import pytest

from twenty_gql.config import ApiKey, ConfigError, Settings
from twenty_gql.profiles import SELF_HOSTED

CANARY = "canary-key-3f9a1c"


def test_key_never_prints() -> None:
    settings = Settings.create("http://127.0.0.1:3000/graphql", CANARY)
    for text in (repr(settings), str(settings), repr(settings.api_key), f"{settings.api_key}"):
        assert CANARY not in text
    assert settings.api_key.authorization_header() == {"Authorization": f"Bearer {CANARY}"}
    with pytest.raises(TypeError):
        pickle.dumps(settings.api_key)


def test_url_is_normalised_to_the_base() -> None:
    settings = Settings.create("http://127.0.0.1:3000/graphql/", CANARY, "self-hosted")
    assert settings.url == "http://127.0.0.1:3000"
    assert settings.graphql_url == "http://127.0.0.1:3000/graphql"
    assert settings.metadata_url == "http://127.0.0.1:3000/metadata"
    assert settings.profile is SELF_HOSTED


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("127.0.0.1:3000", "must start with http"),
        ("ftp://127.0.0.1", "must start with http"),
        ("http://user:secret@127.0.0.1:3000", "user name or password"),
        ("http://[::1:3000", "workspace URL is malformed"),
    ],
)
def test_bad_urls_name_the_problem(url: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        Settings.create(url, CANARY)


def test_from_env_names_the_missing_variable() -> None:
    with pytest.raises(ConfigError, match="TWENTY_API_KEY"):
        Settings.from_env({"TWENTY_API_URL": "http://127.0.0.1:3000"})
    with pytest.raises(ConfigError, match="TWENTY_API_URL"):
        Settings.from_env({"TWENTY_API_KEY": CANARY})
    with pytest.raises(ConfigError, match="TWENTY_PROFILE"):
        Settings.from_env(
            {"TWENTY_API_URL": "http://x.test", "TWENTY_API_KEY": CANARY, "TWENTY_PROFILE": "moon"}
        )


def test_blank_key_is_refused() -> None:
    with pytest.raises(ConfigError, match="empty"):
        ApiKey("  ")


@pytest.mark.parametrize(
    ("url", "api_key", "message"),
    [
        # url and key swapped: the key must not come back in the message about the URL
        (CANARY, "http://127.0.0.1:3000", "must start with http"),
        (f"127.0.0.1:3000/?token={CANARY}", CANARY, "must start with http"),
        # a password in a URL that is wrong in another way too is not echoed either
        ("ftp://user:hunter2@127.0.0.1", CANARY, "user name or password"),
    ],
)
def test_a_bad_url_never_echoes_a_secret(url: str, api_key: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message) as caught:
        Settings.create(url, api_key)
    assert CANARY not in str(caught.value) and "hunter2" not in str(caught.value)
