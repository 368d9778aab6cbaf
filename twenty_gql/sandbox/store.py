"""SQLite storage: one table per object, each record a JSON document in its GraphQL shape.

Filters and sort keys are compiled to ``json_extract`` expressions (see ``filters.py``), so
custom fields need no schema migration. Calls are small and synchronous: the sandbox runs them on
the event loop (a call on an in-memory or local file database takes well under a millisecond
for the page sizes the API allows; ``bench/bench_sandbox.py`` measures the throughput).
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

__all__ = ["Store", "table_name"]

_SAFE = re.compile(r"[A-Za-z][A-Za-z0-9]*")


def table_name(object_singular: str) -> str:
    if not _SAFE.fullmatch(object_singular):
        raise ValueError(f"object name {object_singular!r} is not a safe identifier")
    return f'"r_{object_singular}"'


def _chunks(ids: Sequence[str], size: int = 500) -> Iterator[tuple[list[str], str]]:
    """``ids`` in slices small enough for one ``IN (...)``, each with its ``?`` marks."""
    for start in range(0, len(ids), size):
        chunk = list(ids[start : start + size])
        yield chunk, ",".join("?" * len(chunk))


def _regexp(pattern: str | None, value: Any) -> bool:
    if pattern is None or value is None:
        return False
    return re.search(pattern, str(value)) is not None


class Store:
    """Records and metadata of one workspace in one SQLite database."""

    def __init__(self, path: str | Path = ":memory:") -> None:
        self.path = str(path)
        self._conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        self._conn.create_function("REGEXP", 2, _regexp, deterministic=True)
        self._conn.execute("PRAGMA case_sensitive_like = ON")
        if self.path != ":memory:":
            self._conn.execute("PRAGMA journal_mode = WAL")
            self._conn.execute("PRAGMA synchronous = NORMAL")
        self._conn.execute(
            "CREATE TABLE IF NOT EXISTS sandbox_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)"
        )
        self._depth = 0

    def close(self) -> None:
        self._conn.close()

    # -- metadata ---------------------------------------------------------------------------

    def get_meta(self, key: str) -> str | None:
        row = self._conn.execute("SELECT value FROM sandbox_meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        self._conn.execute(
            "INSERT INTO sandbox_meta (key, value) VALUES (?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    def ensure_table(self, object_singular: str) -> None:
        table = table_name(object_singular)
        self._conn.execute(f"CREATE TABLE IF NOT EXISTS {table} (id TEXT PRIMARY KEY, data TEXT)")
        # Live records in id order (every list hides soft-deleted ones): a keyset page is a
        # range of this index, not a scan and sort of the table.
        self._conn.execute(
            f'CREATE INDEX IF NOT EXISTS "ix_{object_singular}_deletedAt_id" '
            f"ON {table} (json_extract(data, '$.deletedAt'), id)"
        )
        self._conn.execute(
            f'CREATE INDEX IF NOT EXISTS "ix_{object_singular}_position" '
            f"ON {table} (json_extract(data, '$.position'))"
        )

    def drop_table(self, object_singular: str) -> None:
        self._conn.execute(f"DROP TABLE IF EXISTS {table_name(object_singular)}")

    # -- transactions -----------------------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One batch is one transaction: if anything raises, nothing is written."""
        if self._depth:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        self._conn.execute("BEGIN")
        self._depth = 1
        try:
            yield
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        else:
            self._conn.execute("COMMIT")
        finally:
            self._depth = 0

    # -- records ----------------------------------------------------------------------------

    def select(
        self,
        object_singular: str,
        where: str = "1",
        params: Sequence[Any] = (),
        order: str = "",
        limit: int | None = None,
        offset: int = 0,
    ) -> list[dict[str, Any]]:
        sql = f"SELECT data FROM {table_name(object_singular)} WHERE {where}"
        if order:
            sql += f" ORDER BY {order}"
        if limit is not None or offset:
            sql += " LIMIT ? OFFSET ?"
            params = (*params, -1 if limit is None else limit, offset)
        return [json.loads(row[0]) for row in self._conn.execute(sql, params)]

    def select_ids(
        self, object_singular: str, where: str = "1", params: Sequence[Any] = ()
    ) -> list[str]:
        sql = f"SELECT id FROM {table_name(object_singular)} WHERE {where}"
        return [str(row[0]) for row in self._conn.execute(sql, params)]

    def count_where(
        self, object_singular: str, where: str = "1", params: Sequence[Any] = ()
    ) -> int:
        sql = f"SELECT count(*) FROM {table_name(object_singular)} WHERE {where}"
        return int(self._conn.execute(sql, params).fetchone()[0])

    def get(self, object_singular: str, record_id: str) -> dict[str, Any] | None:
        row = self._conn.execute(
            f"SELECT data FROM {table_name(object_singular)} WHERE id = ?", (record_id,)
        ).fetchone()
        return None if row is None else dict(json.loads(row[0]))

    def get_many(self, object_singular: str, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        found: dict[str, dict[str, Any]] = {}
        for chunk, marks in _chunks(list(dict.fromkeys(ids))):
            sql = f"SELECT data FROM {table_name(object_singular)} WHERE id IN ({marks})"
            for (data,) in self._conn.execute(sql, chunk):
                record = json.loads(data)
                found[record["id"]] = record
        return found

    def insert(self, object_singular: str, record: dict[str, Any]) -> None:
        self._conn.execute(
            f"INSERT INTO {table_name(object_singular)} (id, data) VALUES (?, ?)",
            (record["id"], json.dumps(record)),
        )

    def insert_many(self, object_singular: str, records: Iterable[dict[str, Any]]) -> int:
        """Bulk load (benchmarks, large fixtures): one ``executemany`` in one transaction, no
        checks. Returns the rows inserted."""
        rows = ((record["id"], json.dumps(record)) for record in records)
        with self.transaction():
            cursor = self._conn.executemany(
                f"INSERT INTO {table_name(object_singular)} (id, data) VALUES (?, ?)", rows
            )
        return int(cursor.rowcount)

    def replace(self, object_singular: str, record: dict[str, Any]) -> None:
        self._conn.execute(
            f"UPDATE {table_name(object_singular)} SET data = ? WHERE id = ?",
            (json.dumps(record), record["id"]),
        )

    def delete(self, object_singular: str, ids: Sequence[str]) -> None:
        for chunk, marks in _chunks(ids):
            self._conn.execute(
                f"DELETE FROM {table_name(object_singular)} WHERE id IN ({marks})", chunk
            )

    def clear_references(self, object_singular: str, column: str, ids: Sequence[str]) -> None:
        """Set ``column`` to null in the records whose ``column`` is one of ``ids``."""
        if not _SAFE.fullmatch(column):
            raise ValueError(f"column name {column!r} is not a safe identifier")
        path = f"'$.{column}'"
        for chunk, marks in _chunks(ids):
            self._conn.execute(
                f"UPDATE {table_name(object_singular)} SET data = json_set(data, {path}, NULL) "
                f"WHERE json_extract(data, {path}) IN ({marks})",
                chunk,
            )

    def scalar(self, sql: str, params: Sequence[Any] = ()) -> Any:
        row = self._conn.execute(sql, params).fetchone()
        return None if row is None else row[0]

    # -- helpers for tests ------------------------------------------------------------------

    def count(self, object_singular: str, *, with_deleted: bool = False) -> int:
        """Records of an object (soft-deleted ones only with ``with_deleted=True``)."""
        where = "1" if with_deleted else "json_extract(data, '$.deletedAt') IS NULL"
        return self.count_where(object_singular, where)

    def all(self, object_singular: str, *, with_deleted: bool = False) -> list[dict[str, Any]]:
        """Every record of an object, in insertion order."""
        where = "1" if with_deleted else "json_extract(data, '$.deletedAt') IS NULL"
        return self.select(object_singular, where, order="rowid")
