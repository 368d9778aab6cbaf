"""Retry policy as data, and which operations are safe to send twice.

Two kinds of failure are retried:

* **throttling** (:class:`~twenty_gql.errors.RateLimitedError`): the server did not execute the
  request (transcript 85), so every operation, a plain create included, is sent again when the
  workspace budget (:mod:`twenty_gql.budget`) gives it a slot. One setting bounds it:
  ``patience``, the seconds without any successful call after which the runtime gives up (the
  error then carries ``gave_up_after``). It is the only throttle limit: batch jobs add none.
* **faults** (``retry_on``: transport errors, timeouts, 5xx and INTERNAL_SERVER_ERROR): the request
  may have been executed, so only idempotent operations are retried (unless
  ``retry_non_idempotent``), up to ``max_attempts`` attempts in all, after an exponential backoff
  with full jitter (a random delay in ``[0, min(max_delay, base_delay * 2**n)]``). A connection
  that could not be opened sent nothing, so it is retried for every operation.

Idempotency is read from the parsed operation (:func:`operation_info`): queries; ``create*`` with
``upsert: true`` (an upsert by key); ``update*``; ``delete*``, ``restore*`` and ``destroy*`` (each
leaves the same state when repeated). A plain ``create*`` without upsert, or any other mutation, is
not idempotent: a retry after a timeout could create the record twice.

Why not tenacity: every decision point would be a custom callable (two budgets, a delay taken from
the server's hint, idempotency known per call), leaving tenacity only the loop; and building an
``AsyncRetrying`` costs about 19 µs per call on the hot path (measured), against 0.1 µs for this
loop.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from graphql import (
    BooleanValueNode,
    FieldNode,
    GraphQLError,
    OperationDefinitionNode,
    OperationType,
    VariableNode,
    parse,
)

from twenty_gql.errors import (
    ServerError,
    TransportError,
    TwentyError,
)
from twenty_gql.operation_rules import charged, fragment_definitions, root_fields

__all__ = ["NO_RETRY", "OperationInfo", "RetryPolicy", "operation_info"]

_IDEMPOTENT_MUTATION_PREFIXES = ("update", "delete", "restore", "destroy")


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """What is retried, how often and how long to wait. Immutable; pass one per call to override."""

    max_attempts: int = 4
    """Attempts in all for faults (1 = no retry)."""
    base_delay: float = 0.5
    max_delay: float = 10.0
    retry_on: tuple[type[TwentyError], ...] = (TransportError, ServerError)
    retry_non_idempotent: bool = False
    """Also retry plain creates after a fault (the write may have happened: duplicates)."""
    patience: float = 600.0
    """Give up re-sending throttled calls after this many seconds without progress (no call of
    the runtime succeeded); 0: never re-send a throttled call."""

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError(f"max_attempts must be at least 1 (got {self.max_attempts})")
        if self.base_delay < 0 or self.max_delay < 0:
            raise ValueError("base_delay and max_delay must not be negative")
        if self.patience < 0:
            raise ValueError("patience must not be negative")

    def fault_delay(self, retry_number: int, rng: random.Random | None = None) -> float:
        """Full jitter: uniform in [0, min(max_delay, base_delay * 2**(retry_number-1))]."""
        ceiling = min(self.max_delay, self.base_delay * (2 ** max(0, retry_number - 1)))
        return (rng or random).uniform(0.0, ceiling)

    def should_retry_fault(self, error: TwentyError, *, idempotent: bool, attempt: int) -> bool:
        if attempt >= self.max_attempts or not isinstance(error, self.retry_on):
            return False
        if idempotent or self.retry_non_idempotent:
            return True
        return isinstance(error, TransportError) and not error.request_sent


NO_RETRY = RetryPolicy(max_attempts=1, patience=0.0)
"""Never retry (the caller handles every failure)."""


@dataclass(frozen=True, slots=True)
class OperationInfo:
    """What the runtime needs to know about one GraphQL operation."""

    operation_type: str
    """"query", "mutation" or "subscription"."""
    root_fields: tuple[str, ...]
    creates: tuple[bool | str, ...] = field(default=())
    """For each root ``create*`` field, its ``upsert`` argument: a literal, or a variable's name."""
    other_mutations_idempotent: bool = True
    upsert_defaults: tuple[tuple[str, bool], ...] = field(default=())

    @property
    def cost(self) -> int:
        """Tokens the records API charges: one per request that reaches a record resolver,
        however many root fields it has; none for ``search`` or ``__typename`` alone
        (sequences 83 and 226, :func:`~twenty_gql.operation_rules.charged`)."""
        return 1 if charged(self.root_fields) else 0

    def is_idempotent(self, variables: dict[str, Any] | None) -> bool:
        if self.operation_type != "mutation":
            return True
        if not self.other_mutations_idempotent:
            return False
        given = dict(self.upsert_defaults)
        given.update(variables or {})
        return all(
            upsert is True or (isinstance(upsert, str) and given.get(upsert) is True)
            for upsert in self.creates
        )


def _upsert_argument(node: FieldNode) -> bool | str:
    for argument in node.arguments:
        if argument.name.value != "upsert":
            continue
        value = argument.value
        if isinstance(value, BooleanValueNode):
            return value.value
        if isinstance(value, VariableNode):
            return value.name.value
    return False


def _select(ops: list[OperationDefinitionNode], name: str | None) -> OperationDefinitionNode:
    if name is None:
        if len(ops) != 1:
            raise ValueError("the document has several operations: pass operation_name to pick one")
        return ops[0]
    for op in ops:
        if op.name is not None and op.name.value == name:
            return op
    raise ValueError(f"the document has no operation named {name!r}")


@lru_cache(maxsize=1024)
def operation_info(query: str, operation_name: str | None = None) -> OperationInfo:
    """Parse ``query`` once (cached) and describe the selected operation.

    Raises ``ValueError`` for a document that does not parse or does not hold that operation.
    """
    try:
        document = parse(query, no_location=True)
    except GraphQLError as exc:
        raise ValueError(f"the GraphQL document does not parse: {exc.message}") from None
    ops = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    op = _select(ops, operation_name)
    # Through fragments too: a create spread from a fragment is still a create.
    fields = root_fields(op, fragment_definitions(document))
    names = tuple(f.name.value for f in fields)
    if op.operation is not OperationType.MUTATION:
        return OperationInfo(op.operation.value, names)
    creates = tuple(_upsert_argument(f) for f in fields if f.name.value.startswith("create"))
    others = all(
        f.name.value.startswith(_IDEMPOTENT_MUTATION_PREFIXES)
        for f in fields
        if not f.name.value.startswith("create")
    )
    defaults = tuple(
        (d.variable.name.value, d.default_value.value)
        for d in op.variable_definitions
        if isinstance(d.default_value, BooleanValueNode)
    )
    return OperationInfo("mutation", names, creates, others, defaults)
