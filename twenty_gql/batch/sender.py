"""The small interface the batch engine sends through, so it can be tested without a server.

A sender sends one ``createMany`` (upsert) call and returns the records the server answered,
in the order sent. When the server refuses the call it raises :class:`SendError` carrying a
:class:`Rejection`; any other exception means the job cannot go on (auth, server down) and ends
it. Retrying transport failures and throttles is the sender's business (the runtime's policy
and the workspace budget, which re-send a throttled call until its patience runs out).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

__all__ = ["RecordSender", "Rejection", "RejectionKind", "SendError"]


class RejectionKind(enum.Enum):
    CONTENT = "content"
    """The records are at fault (bad input, conflict): split the batch to find which."""
    TOO_MANY_RECORDS = "too_many_records"
    """The batch is larger than the server allows: learn ``limit`` and cut smaller batches."""


@dataclass(frozen=True, slots=True)
class Rejection:
    kind: RejectionKind
    message: str
    code: str | None = None
    sub_code: str | None = None
    field: str | None = None
    limit: int | None = None


class SendError(Exception):
    """The server refused a batch; ``rejection`` says why."""

    def __init__(self, rejection: Rejection) -> None:
        super().__init__(rejection.message)
        self.rejection = rejection


class RecordSender(Protocol):
    async def create_many(
        self, records: Sequence[Mapping[str, Any]]
    ) -> Sequence[Mapping[str, Any]]:
        """Upsert ``records``; return the server's records (``id``, ``createdAt``,
        ``updatedAt`` at least) in the same order."""
        ...
