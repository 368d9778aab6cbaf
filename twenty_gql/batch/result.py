"""What a batch job reports: one outcome per input row, in input order, and the job's counters."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

__all__ = ["JobResult", "JobStats", "RowOutcome", "RowStatus"]


class RowStatus(enum.StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    FAILED = "failed"
    RESUMED = "resumed"
    """Landed (or was rejected) in an earlier run of the same job; read from the journal."""


@dataclass(frozen=True, slots=True)
class RowOutcome:
    """What happened to one input row.

    ``index`` is the row's position in the input (0-based); ``line`` is where it starts in the
    input file, when the rows came from a file. For a failed row, ``code``/``sub_code`` are the
    server's ``extensions.code``/``subCode`` (or ``CLIENT_VALIDATION`` for rows rejected before
    sending), ``field`` the field at fault when known, and ``message`` the server's own words.
    """

    index: int
    status: RowStatus
    id: str | None = None
    line: int | None = None
    code: str | None = None
    sub_code: str | None = None
    field: str | None = None
    message: str | None = None

    @property
    def ok(self) -> bool:
        return self.status is not RowStatus.FAILED

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"index": self.index, "status": self.status.value}
        for name in ("id", "line", "code", "sub_code", "field", "message"):
            value = getattr(self, name)
            if value is not None:
                data[name] = value
        return data


@dataclass(slots=True)
class JobStats:
    """Counters of one job. ``calls`` counts requests sent, retries included."""

    rows: int = 0
    created: int = 0
    updated: int = 0
    failed: int = 0
    resumed: int = 0
    calls: int = 0
    throttles: int = 0
    retries: int = 0
    isolation_calls: int = 0
    """Calls spent splitting failed batches to find the bad rows."""
    learned_limit: int | None = None
    """Records per call learned from a TOO_MANY_RECORDS_TO_UPDATE answer, if any."""
    elapsed: float = 0.0

    def count(self, outcome: RowOutcome) -> None:
        self.rows += 1
        if outcome.status is RowStatus.CREATED:
            self.created += 1
        elif outcome.status is RowStatus.UPDATED:
            self.updated += 1
        elif outcome.status is RowStatus.FAILED:
            self.failed += 1
        else:
            self.resumed += 1

    @property
    def landed(self) -> int:
        return self.created + self.updated

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.elapsed if self.elapsed > 0 else 0.0


@dataclass(slots=True)
class JobResult:
    """The result of a batch job.

    ``outcomes`` holds every row's outcome in input order when the job was asked to keep them
    (the default); ``failures`` always holds the failed rows' outcomes, in input order.
    """

    stats: JobStats = field(default_factory=JobStats)
    outcomes: list[RowOutcome] = field(default_factory=list)
    failures: list[RowOutcome] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.stats.failed == 0
