"""Batch jobs: upsert many rows within the server's limits and report on every row.

The engine is pure async logic over a small sender interface (:mod:`.sender`); :mod:`.jobs`
binds it to the runtime (``Twenty.execute``).
"""

from twenty_gql.batch.chunking import BatchPlanner, PlannedBatch, PlannedRow, RecordLimit
from twenty_gql.batch.dedupe import (
    ID_KEY,
    UniqueKey,
    default_unique_keys,
    unique_key_for_field,
    unique_keys_from_metadata,
)
from twenty_gql.batch.engine import InputRow, JobAborted, UpsertOptions, record_status, run_upsert
from twenty_gql.batch.jobs import (
    JOB_RETRY,
    BulkResult,
    TwentySender,
    delete_many,
    destroy_many,
    restore_many,
    update_many,
    upsert_many,
)
from twenty_gql.batch.journal import Journal, JournalError
from twenty_gql.batch.result import JobResult, JobStats, RowOutcome, RowStatus
from twenty_gql.batch.sender import RecordSender, Rejection, RejectionKind, SendError

__all__ = [
    "ID_KEY",
    "JOB_RETRY",
    "BatchPlanner",
    "BulkResult",
    "InputRow",
    "JobAborted",
    "JobResult",
    "JobStats",
    "Journal",
    "JournalError",
    "PlannedBatch",
    "PlannedRow",
    "RecordLimit",
    "RecordSender",
    "Rejection",
    "RejectionKind",
    "RowOutcome",
    "RowStatus",
    "SendError",
    "TwentySender",
    "UniqueKey",
    "UpsertOptions",
    "default_unique_keys",
    "delete_many",
    "destroy_many",
    "record_status",
    "restore_many",
    "run_upsert",
    "unique_key_for_field",
    "unique_keys_from_metadata",
    "update_many",
    "upsert_many",
]
