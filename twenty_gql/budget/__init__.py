"""The workspace budget: when a records call may be sent. One interface, several stores.

::

    budget = open_budget("redis://localhost:6379/0", base_url=url, api_key=key, shape=shape)

``None`` or ``memory://`` gives the in-process :class:`LocalBudget`; ``redis://``, ``rediss://``
and ``unix://`` give a :class:`RedisBudget` shared by every process that names the same
workspace and key. See :mod:`.protocol` for the contract, :mod:`.local` for the model of
Twenty's bucket, :mod:`.redis` for the shared store.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from twenty_gql.budget.local import (
    DEFAULT_MARGIN,
    MARGIN_STEP,
    MAX_MARGIN,
    BucketModel,
    LocalBudget,
    NoBudget,
)
from twenty_gql.budget.protocol import Budget, Grant, Refusal, Shape, learned_shape
from twenty_gql.config import ApiKey, ConfigError
from twenty_gql.events import Event

if TYPE_CHECKING:
    from twenty_gql.budget.redis import RedisBudget

__all__ = [
    "DEFAULT_MARGIN",
    "MARGIN_STEP",
    "MAX_MARGIN",
    "BucketModel",
    "Budget",
    "Grant",
    "LocalBudget",
    "NoBudget",
    "RedisBudget",
    "Refusal",
    "Shape",
    "check_budget_url",
    "learned_shape",
    "open_budget",
]

_REDIS_SCHEMES = ("redis", "rediss", "unix")


def check_budget_url(url: str | None) -> str:
    """The store a budget URL names (``memory`` or ``redis``); a :class:`ConfigError` naming
    the scheme when no store serves it. The URL itself is never repeated (it may hold a
    password)."""
    scheme = (url or "memory://").partition("://")[0].lower()
    if scheme == "memory":
        return "memory"
    if scheme in _REDIS_SCHEMES:
        return "redis"
    raise ConfigError(
        f"budget URL scheme {scheme!r} is not supported: use memory://, redis://, rediss:// "
        "or unix://"
    )


def open_budget(
    url: str | None,
    *,
    base_url: str,
    api_key: ApiKey,
    shape: Shape,
    initial_tokens: int | None = None,
    margin: float = DEFAULT_MARGIN,
    on_event: Callable[[Event], object] | None = None,
) -> Budget:
    """The budget a URL names (see the module doc); a bad URL is a :class:`ConfigError`."""
    if check_budget_url(url) == "memory" or url is None:
        return LocalBudget(shape, initial_tokens=initial_tokens, margin=margin)
    from twenty_gql.budget.redis import RedisBudget, budget_key

    return RedisBudget(
        url,
        budget_key(base_url, api_key),
        shape,
        initial_tokens=initial_tokens,
        margin=margin,
        on_event=on_event,
    )


def __getattr__(name: str) -> object:
    if name == "RedisBudget":
        from twenty_gql.budget.redis import RedisBudget

        return RedisBudget
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
