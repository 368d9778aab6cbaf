"""An in-memory stand-in for Twenty's createMany(upsert: true), following the reference notes:
match by id or any unique key (emails case-insensitively), whole batch refused when two of its
rows share a key or a row is bad, TOO_MANY_RECORDS above the limit."""

from __future__ import annotations

import asyncio
import itertools
import random
import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from twenty_gql.batch.dedupe import UniqueKey, key_values
from twenty_gql.batch.sender import Rejection, RejectionKind, SendError

_EPOCH = datetime(2026, 1, 1, tzinfo=UTC)


class FakeServer:
    def __init__(
        self,
        keys: Sequence[UniqueKey],
        *,
        limit: int = 200,
        bad_field: str = "bad",
        generic_field: str = "generic",
        delay: float = 0.0,
        seed: int = 0,
        fail_after_calls: int | None = None,
    ) -> None:
        self.keys = tuple(keys)
        self.limit = limit
        self.bad_field = bad_field
        self.generic_field = generic_field
        self.delay = delay
        self.rng = random.Random(seed)
        self.fail_after_calls = fail_after_calls
        self.records: dict[str, dict[str, Any]] = {}
        self.calls = 0
        self.batch_sizes: list[int] = []
        self.sent_rows: list[dict[str, Any]] = []
        self._clock = itertools.count(1)

    def _now(self) -> str:
        return (_EPOCH + timedelta(milliseconds=next(self._clock))).isoformat()

    def _match(self, data: Mapping[str, Any]) -> str | None:
        wanted = set(key_values(data, self.keys))
        for record_id, record in self.records.items():
            if wanted & set(key_values(record, self.keys)):
                return record_id
        return None

    async def create_many(self, records: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
        self.calls += 1
        if self.fail_after_calls is not None and self.calls > self.fail_after_calls:
            raise ConnectionError("server went away")
        if self.delay:
            await asyncio.sleep(self.rng.uniform(0, self.delay))
        if len(records) > self.limit:
            message = f"Maximum number of records to upsert is {self.limit}."
            raise SendError(
                Rejection(
                    RejectionKind.TOO_MANY_RECORDS,
                    message,
                    code="BAD_USER_INPUT",
                    sub_code="TOO_MANY_RECORDS_TO_UPDATE",
                    limit=self.limit,
                )
            )
        seen: set[Any] = set()
        for data in records:
            if data.get(self.bad_field):
                raise SendError(
                    Rejection(
                        RejectionKind.CONTENT,
                        f'Object company doesn\'t have any "{self.bad_field}" field.',
                        code="BAD_USER_INPUT",
                        sub_code="INVALID_ARGS_DATA",
                    )
                )
            if data.get(self.generic_field):
                # a message that names nothing in the row; only sub_code tells rows apart
                raise SendError(
                    Rejection(
                        RejectionKind.CONTENT,
                        "An error occurred.",
                        code="BAD_USER_INPUT",
                        sub_code=str(data[self.generic_field]),
                    )
                )
            values = set(key_values(data, self.keys))
            if values & seen:
                raise SendError(
                    Rejection(
                        RejectionKind.CONTENT,
                        "A duplicate entry was detected",
                        code="BAD_USER_INPUT",
                    )
                )
            seen |= values
        answered = []
        for data in records:
            self.sent_rows.append(dict(data))
            record_id = self._match(data)
            now = self._now()
            if record_id is None:
                record_id = str(data.get("id") or uuid.uuid4())
                self.records[record_id] = {**data, "id": record_id, "createdAt": now}
            else:
                self.records[record_id].update({k: v for k, v in data.items() if k != "id"})
            self.records[record_id]["updatedAt"] = now
            answered.append(dict(self.records[record_id]))
        self.batch_sizes.append(len(records))
        return answered
