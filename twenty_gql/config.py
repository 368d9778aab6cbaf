"""Settings: where the workspace is, the API key, and which server profile's limits apply.

The API key is held in :class:`ApiKey`, a secret type whose ``repr`` and ``str`` never show it;
only :meth:`ApiKey.authorization_header` reveals it, to build the ``Authorization`` header.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from twenty_gql.profiles import CLOUD, ServerProfile, get_profile

__all__ = [
    "ENV_API_KEY",
    "ENV_API_URL",
    "ENV_BUDGET_URL",
    "ENV_PROFILE",
    "ApiKey",
    "ConfigError",
    "Settings",
]

ENV_API_URL = "TWENTY_API_URL"
ENV_API_KEY = "TWENTY_API_KEY"
ENV_PROFILE = "TWENTY_PROFILE"
ENV_BUDGET_URL = "TWENTY_BUDGET_URL"


class ConfigError(ValueError):
    """A setting is missing or malformed; the message names the setting."""


class ApiKey:
    """An API key that never prints. Compare and hash by value; reveal only for the header."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        value = value.strip()
        if not value:
            raise ConfigError("the API key is empty")
        if any(c.isspace() for c in value):
            raise ConfigError("the API key contains white space")
        self._value = value

    def reveal(self) -> str:
        return self._value

    def authorization_header(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._value}"}

    def __repr__(self) -> str:
        return "ApiKey('**********')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ApiKey) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __reduce__(self) -> tuple[object, ...]:
        raise TypeError("an ApiKey cannot be pickled")


def _normalise_base_url(url: str) -> str:
    url = url.strip().rstrip("/")
    # No message repeats the URL: it may hold a password, or be the API key itself when url and
    # key were swapped. Credentials belong in the header, never in a URL (logs, messages).
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. an unbalanced IPv6 bracket; urlsplit's message may quote the URL
        raise ConfigError("the workspace URL is malformed") from None
    if parts.username is not None or parts.password is not None:
        raise ConfigError("the workspace URL must not contain a user name or password")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError("the workspace URL must start with http:// or https:// and name a host")
    for suffix in ("/graphql", "/metadata"):
        if url.endswith(suffix):
            url = url[: -len(suffix)]
    return url


@dataclass(frozen=True, slots=True)
class Settings:
    """Connection settings. ``url`` is the workspace's base URL, without ``/graphql``."""

    url: str
    api_key: ApiKey
    profile: ServerProfile = field(default=CLOUD)
    budget_url: str | None = field(default=None, repr=False)
    """Where the workspace budget lives (``redis://...``); ``None``: in this process."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "url", _normalise_base_url(self.url))

    @property
    def graphql_url(self) -> str:
        return f"{self.url}/graphql"

    @property
    def metadata_url(self) -> str:
        return f"{self.url}/metadata"

    @classmethod
    def create(
        cls, url: str, api_key: str | ApiKey, profile: str | ServerProfile = CLOUD
    ) -> Settings:
        key = api_key if isinstance(api_key, ApiKey) else ApiKey(api_key)
        prof = get_profile(profile) if isinstance(profile, str) else profile
        return cls(url=url, api_key=key, profile=prof)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        url = env.get(ENV_API_URL, "").strip()
        key = env.get(ENV_API_KEY, "").strip()
        if not url:
            raise ConfigError(f"{ENV_API_URL} is not set")
        if not key:
            raise ConfigError(f"{ENV_API_KEY} is not set")
        try:
            profile = get_profile(env.get(ENV_PROFILE, CLOUD.name))
        except ValueError as exc:
            raise ConfigError(f"{ENV_PROFILE}: {exc}") from None
        budget_url = env.get(ENV_BUDGET_URL, "").strip() or None
        return cls(url=url, api_key=ApiKey(key), profile=profile, budget_url=budget_url)
