"""Record operations with Twenty's semantics: list, find, create/upsert, update, delete, restore,
destroy. Every batch runs in one transaction, so a rejected batch writes nothing."""

from __future__ import annotations

import copy
import uuid
from collections.abc import Sequence
from typing import Any

from twenty_gql.profiles import ServerProfile
from twenty_gql.value_rules import (
    ValueRuleError,
    check_uuid,
    foreign_key_violation,
    not_null_violation,
)

from .aggregates import AGGREGATOR_KEY, Aggregator
from .errors import SandboxError, bad_input, duplicate_entry, not_found
from .filters import (
    after_condition,
    compile_filter,
    compile_order,
    decode_cursor,
    encode_cursor,
)
from .metadata import FieldMeta, ObjectMeta, WorkspaceMetadata
from .store import Store, table_name
from .unique_keys import UniqueKeys, multiple_matches
from .value_checks import field_value, rule_error, table_of
from .values import now_iso

__all__ = ["Records"]

_COMPOSITE_DEFAULTS: dict[str, dict[str, Any]] = {
    "LINKS": {"primaryLinkLabel": "", "primaryLinkUrl": "", "secondaryLinks": []},
    "CURRENCY": {"amountMicros": None, "currencyCode": None},
    "FULL_NAME": {"firstName": "", "lastName": ""},
    "ADDRESS": {
        "addressStreet1": "",
        "addressStreet2": "",
        "addressCity": "",
        "addressPostcode": "",
        "addressState": "",
        "addressCountry": "",
        "addressLat": None,
        "addressLng": None,
    },
    "EMAILS": {"primaryEmail": "", "additionalEmails": None},
    "PHONES": {
        "primaryPhoneNumber": "",
        "primaryPhoneCountryCode": "",
        "primaryPhoneCallingCode": "",
        "additionalPhones": None,
    },
    "ACTOR": {"source": "MANUAL", "workspaceMemberId": None, "name": "", "context": {}},
    "RICH_TEXT": {"blocknote": None, "markdown": None},
}


class Records:
    """Operations on the records of one workspace."""

    def __init__(self, store: Store, meta: WorkspaceMetadata, profile: ServerProfile) -> None:
        self.store = store
        self.meta = meta
        self.profile = profile
        self.keys = UniqueKeys(store)

    # -- reading ----------------------------------------------------------------------------

    def find_many(
        self,
        obj: ObjectMeta,
        args: dict[str, Any],
        *,
        extra: tuple[str, list[Any]] | None = None,
        default_page: int | None = None,
    ) -> dict[str, Any]:
        for name in ("first", "last", "offset"):
            if (args.get(name) or 0) < 0:
                raise bad_input(
                    f'Invalid argument: "{name}" must not be negative', "INVALID_QUERY_INPUT"
                )
        where, params = compile_filter(self.meta, obj, args.get("filter"))
        if extra is not None:
            where = f"({where}) AND {extra[0]}"
            params = [*params, *extra[1]]
        keys = compile_order(obj, args.get("orderBy"))

        def total(*_: object) -> int:
            # Counted only when the query selects totalCount (graphql-core calls a callable
            # value), as Twenty does: a keyset page costs an index range, not a table scan.
            return self.store.count_where(obj.nameSingular, where, params)

        first, last = args.get("first"), args.get("last")
        after, before = args.get("after"), args.get("before")
        offset = args.get("offset") or 0
        backwards = isinstance(last, int) and first is None
        limit: int
        if backwards:
            keys_used = [k.flipped() for k in keys]
            limit = int(last or 0)
            cursor = before
        else:
            keys_used = keys
            limit = int(first) if first is not None else (default_page or self.profile.page_size)
            cursor = after
        page_where, page_params = where, list(params)
        if cursor:
            cond, cond_params = after_condition(keys_used, decode_cursor(cursor))
            page_where = f"({where}) AND {cond}"
            page_params += cond_params
        if not backwards and before:
            cond, cond_params = after_condition([k.flipped() for k in keys], decode_cursor(before))
            page_where = f"({page_where}) AND {cond}"
            page_params += cond_params
        limit = self._capped(limit)
        order = ", ".join(k.sql() for k in keys_used)
        rows = self.store.select(
            obj.nameSingular, page_where, page_params, order, limit + 1, offset
        )
        has_more = len(rows) > limit
        rows = rows[:limit]
        if backwards:
            rows.reverse()
        edges = [{"cursor": encode_cursor(r, keys), "node": r} for r in rows]
        page_info = {
            "hasNextPage": has_more if not backwards else False,
            "hasPreviousPage": has_more if backwards else False,
            "startCursor": edges[0]["cursor"] if edges else None,
            "endCursor": edges[-1]["cursor"] if edges else None,
        }
        table = obj.nameSingular
        aggregator = Aggregator(lambda: self.store.select(table, where, params, "rowid"))
        return {
            "totalCount": total,
            "pageInfo": page_info,
            "edges": edges,
            AGGREGATOR_KEY: aggregator,
        }

    def _capped(self, limit: int) -> int:
        """``limit`` under the profile's known page cap (Twenty 2.21 has none on /graphql)."""
        cap = self.profile.page_cap
        if cap is None or not self.profile.page_cap_known or limit <= cap:
            return limit
        if self.profile.page_cap_refuses:
            raise bad_input(f'Invalid argument: "first" cannot exceed {cap}', "INVALID_QUERY_INPUT")
        return cap

    def find_one(self, obj: ObjectMeta, filt: dict[str, Any]) -> dict[str, Any]:
        where, params = compile_filter(self.meta, obj, filt)
        rows = self.store.select(obj.nameSingular, where, params, "rowid", 1)
        if not rows:
            raise not_found()
        return rows[0]

    def get(self, obj: ObjectMeta, record_id: str | None) -> dict[str, Any] | None:
        if not record_id:
            return None
        return self.store.get(obj.nameSingular, record_id)

    # -- creating ---------------------------------------------------------------------------

    def create_many(
        self, obj: ObjectMeta, rows: Sequence[dict[str, Any]], upsert: bool, actor: dict[str, Any]
    ) -> list[dict[str, Any]]:
        limit = self.profile.records_per_call
        if len(rows) > limit:
            message = f"Maximum number of records to upsert is {limit}."
            raise bad_input(message, "TOO_MANY_RECORDS_TO_UPDATE")
        now = now_iso()
        prepared = [self._prepare(obj, row) for row in rows]
        self._check_not_null(obj, prepared)
        self._check_references(obj, prepared)
        self.keys.check_batch(obj, prepared)
        matches = self.keys.find_matches(obj, prepared)
        targets = [rid for found in matches for rid in {r["id"] for *_, r in found}]
        if len(targets) != len(set(targets)):
            raise duplicate_entry()  # two rows of the batch would write the same record
        results: list[dict[str, Any]] = []
        with self.store.transaction():
            position = self._next_position(obj)
            for data, found in zip(prepared, matches, strict=True):
                if found and not upsert:
                    raise found[0][1]
                if found:
                    distinct = {rec["id"]: rec for _, _, rec in found}
                    if len(distinct) > 1:
                        raise multiple_matches(found)
                    existing = next(iter(distinct.values()))
                    record = self._merge(obj, existing, data, now, actor)
                    record["deletedAt"] = None
                    self.store.replace(obj.nameSingular, record)
                else:
                    record = self._new_record(obj, data, now, actor, position)
                    position -= 1
                    self.store.insert(obj.nameSingular, record)
                results.append(record)
        return results

    def _prepare(self, obj: ObjectMeta, data: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in data.items():
            f = obj.field(key)
            if f is None:
                join = self._join_field(obj, key)
                if join is None:
                    raise bad_input(
                        f'Object {obj.nameSingular} doesn\'t have any "{key}" field.',
                        "INVALID_ARGS_DATA",
                    )
                try:
                    out[key] = check_uuid(key, value)
                except ValueRuleError as refused:
                    raise rule_error(refused) from None
            elif f.is_many_to_one:
                out.update(self._relation_input(obj, f, value))
            elif f.is_one_to_many:
                raise bad_input(
                    f'Field "{key}" of {obj.nameSingular} is a one-to-many relation and cannot '
                    "be set here",
                    "INVALID_ARGS_DATA",
                )
            elif value is None and f.is_composite:
                continue  # the column defaults apply (132)
            else:
                out[key] = self._coerce(obj, f, value)
        return out

    def prepare_for_match(self, obj: ObjectMeta, data: dict[str, Any]) -> dict[str, Any]:
        """``data`` as it would be stored (emails lower-cased...), to compare with records."""
        return self._prepare(obj, data)

    def _check_not_null(self, obj: ObjectMeta, rows: Sequence[dict[str, Any]]) -> None:
        """An explicit null for a NOT NULL column fails in the database (131)."""
        for row in rows:
            for key, value in row.items():
                f = obj.field(key)
                if (
                    value is None
                    and f is not None
                    and not f.isNullable
                    and key not in _SET_BY_SERVER
                ):
                    raise rule_error(not_null_violation(table_of(obj), key))

    def _check_references(self, obj: ObjectMeta, rows: Sequence[dict[str, Any]]) -> None:
        """Every join column must name an existing record (a foreign key, as in Postgres)."""
        for f in obj.active_fields():
            if not f.is_many_to_one:
                continue
            assert f.relation is not None and f.relation.joinColumn
            join = f.relation.joinColumn
            wanted = {row[join] for row in rows if row.get(join)}
            if not wanted:
                continue
            target = f.relation.target
            found = (
                self.store.get_many(target, sorted(wanted)) if target in self.meta.objects else {}
            )
            if wanted - set(found):
                raise rule_error(foreign_key_violation(table_of(obj), join))

    def _join_field(self, obj: ObjectMeta, key: str) -> FieldMeta | None:
        for f in obj.fields:
            if f.relation is not None and f.relation.joinColumn == key:
                return f
        return None

    def _relation_input(self, obj: ObjectMeta, f: FieldMeta, value: Any) -> dict[str, Any]:
        assert f.relation is not None and f.relation.joinColumn
        join = f.relation.joinColumn
        if value is None:
            return {}
        if value.get("disconnect"):
            return {join: None}
        where = (value.get("connect") or {}).get("where") or {}
        target = self.meta.objects[f.relation.target]
        filt: dict[str, Any] = {}
        for key, v in where.items():
            if v is None:
                continue
            if isinstance(v, dict):
                filt[key] = {sub: {"eq": sv} for sub, sv in v.items() if sv is not None}
            else:
                filt[key] = {"eq": v}
        if not filt:
            raise bad_input(f'Relation "{f.name}": connect needs a "where"', "INVALID_ARGS_DATA")
        try:
            found = self.find_one(target, filt)
        except SandboxError:
            raise bad_input(
                f'Relation "{f.name}": no {target.nameSingular} matches the connect "where"',
                "INVALID_ARGS_DATA",
            ) from None
        return {join: found["id"]}

    def _coerce(self, obj: ObjectMeta, f: FieldMeta, value: Any) -> Any:
        try:
            return field_value(f, value)
        except ValueRuleError as refused:
            raise rule_error(refused) from None

    def _default(self, f: FieldMeta) -> Any:
        if f.defaultValue is not None:
            return copy.deepcopy(f.defaultValue)
        if f.is_composite:
            return dict(_COMPOSITE_DEFAULTS[f.type])
        if f.type == "TEXT":
            return ""
        if not f.isNullable:
            if f.type in ("SELECT", "RATING") and f.options:
                return f.options[0]["value"]
            if f.type == "NUMBER":
                return 0
            if f.type == "BOOLEAN":
                return False
            if f.type in ("MULTI_SELECT", "ARRAY", "FILES"):
                return []
        return None

    def _new_record(
        self,
        obj: ObjectMeta,
        data: dict[str, Any],
        now: str,
        actor: dict[str, Any],
        position: float,
    ) -> dict[str, Any]:
        record: dict[str, Any] = {}
        for f in obj.active_fields():
            if f.is_one_to_many:
                continue
            if f.is_many_to_one:
                assert f.relation is not None and f.relation.joinColumn
                record[f.relation.joinColumn] = data.get(f.relation.joinColumn)
                continue
            if f.name in data and f.is_composite and data[f.name] is not None:
                record[f.name] = {**self._default(f), **data[f.name]}
            elif f.name in data:
                record[f.name] = data[f.name]
            else:
                record[f.name] = self._default(f)
        record["id"] = data.get("id") or str(uuid.uuid4())
        record["createdAt"] = data.get("createdAt") or now
        record["updatedAt"] = data.get("updatedAt") or now
        record.setdefault("deletedAt", None)
        if data.get("position") is None:
            record["position"] = position
        if "createdBy" not in data or data["createdBy"] is None:
            record["createdBy"] = dict(actor)
        if "updatedBy" not in data or data["updatedBy"] is None:
            record["updatedBy"] = dict(actor)
        return record

    def _merge(
        self,
        obj: ObjectMeta,
        existing: dict[str, Any],
        data: dict[str, Any],
        now: str,
        actor: dict[str, Any],
    ) -> dict[str, Any]:
        """``existing`` with ``data`` applied; composites merge sub-field by sub-field."""
        record = copy.deepcopy(existing)
        for key, value in data.items():
            if key in ("id", "createdAt", "createdBy"):
                continue
            f = obj.field(key)
            if f is not None and f.is_composite and isinstance(value, dict):
                base = record.get(key) or self._default(f)
                record[key] = {**base, **value}
            else:
                record[key] = value
        record["updatedAt"] = data.get("updatedAt") or now
        if data.get("updatedBy") is None:
            record["updatedBy"] = dict(actor)
        return record

    def _next_position(self, obj: ObjectMeta) -> float:
        table = table_name(obj.nameSingular)
        low = self.store.scalar(f"SELECT min(json_extract(data, '$.position')) FROM {table}")
        if low is None:
            return 0
        value = float(low) - 1
        return int(value) if value.is_integer() else value

    def update_one(
        self, obj: ObjectMeta, record_id: str, data: dict[str, Any], actor: dict[str, Any]
    ) -> dict[str, Any]:
        existing = self.store.get(obj.nameSingular, record_id)
        if existing is None or existing.get("deletedAt") is not None:
            raise not_found()
        return self._update(obj, [existing], data, actor)[0]

    def update_many(
        self, obj: ObjectMeta, filt: dict[str, Any], data: dict[str, Any], actor: dict[str, Any]
    ) -> list[dict[str, Any]]:
        # a mutation filter matches soft-deleted records too; they stay deleted (176)
        where, params = compile_filter(self.meta, obj, {"and": [filt, _ANY_DELETED]})
        limit = self.profile.records_per_call
        rows = self.store.select(obj.nameSingular, where, params, "rowid", limit + 1)
        if len(rows) > limit:
            raise bad_input(
                f"Cannot update more than {limit} records at once",
                None,
                f"You can only update up to {limit} records at once.",
            )
        return self._update(obj, rows, data, actor)

    def _update(
        self,
        obj: ObjectMeta,
        rows: list[dict[str, Any]],
        data: dict[str, Any],
        actor: dict[str, Any],
    ) -> list[dict[str, Any]]:
        prepared = self._prepare(obj, data)
        self._check_not_null(obj, [prepared])
        self._check_references(obj, [prepared])
        now = now_iso()
        updated = [self._merge(obj, row, prepared, now, actor) for row in rows]
        keys = self.keys.keys_of(obj, {k: v for k, v in prepared.items() if k != "id"})
        with self.store.transaction():
            if keys and updated:
                if len(updated) > 1:
                    raise duplicate_entry()
                for fname, label, value in keys:
                    expr, ci = self.keys.expr_for(obj, label)
                    column = f"lower({expr})" if ci else expr
                    other = self.store.select_ids(
                        obj.nameSingular, f"{column} = ? AND id != ?", [value, updated[0]["id"]]
                    )
                    if other:
                        f = obj.field(fname)
                        raise duplicate_entry(other[0], obj.nameSingular, f.label if f else None)
            for record in updated:
                self.store.replace(obj.nameSingular, record)
        return updated

    # -- deleting ---------------------------------------------------------------------------

    def _by_id(self, obj: ObjectMeta, record_id: str, *, deleted: bool | None) -> dict[str, Any]:
        record = self.store.get(obj.nameSingular, record_id)
        if record is None:
            raise not_found()
        if deleted is True and record.get("deletedAt") is None:
            raise not_found()
        if deleted is False and record.get("deletedAt") is not None:
            raise not_found()
        return record

    def soft_delete(self, obj: ObjectMeta, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
        now = now_iso()
        with self.store.transaction():
            for record in records:
                record["deletedAt"] = now
                record["updatedAt"] = now
                self.store.replace(obj.nameSingular, record)
        return records

    def restore(self, obj: ObjectMeta, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
        now = now_iso()
        with self.store.transaction():
            for record in records:
                record["deletedAt"] = None
                record["updatedAt"] = now
                self.store.replace(obj.nameSingular, record)
        return records

    def destroy(self, obj: ObjectMeta, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Delete for good; join columns pointing at these records become null (ON DELETE SET
        NULL, as Twenty's foreign keys do)."""
        ids = [r["id"] for r in records]
        with self.store.transaction():
            self.store.delete(obj.nameSingular, ids)
            for other in self.meta.objects.values():
                for f in other.fields:
                    rel = f.relation
                    if rel is not None and rel.target == obj.nameSingular and rel.joinColumn:
                        self.store.clear_references(other.nameSingular, rel.joinColumn, ids)
        return records

    def delete_one(self, obj: ObjectMeta, record_id: str) -> dict[str, Any]:
        return self.soft_delete(obj, [self._by_id(obj, record_id, deleted=False)])[0]

    def restore_one(self, obj: ObjectMeta, record_id: str) -> dict[str, Any]:
        return self.restore(obj, [self._by_id(obj, record_id, deleted=True)])[0]

    def destroy_one(self, obj: ObjectMeta, record_id: str) -> dict[str, Any]:
        return self.destroy(obj, [self._by_id(obj, record_id, deleted=None)])[0]

    def matching(
        self, obj: ObjectMeta, filt: dict[str, Any], *, scope: str
    ) -> list[dict[str, Any]]:
        """Records a many-mutation applies to: ``live``, ``deleted`` or ``all``."""
        if scope != "live":
            # the filter may match soft-deleted records without naming deletedAt
            filt = {"and": [filt, _ANY_DELETED]}
        where, params = compile_filter(self.meta, obj, filt)
        if scope == "deleted":
            where = f"({where}) AND json_extract(data, '$.deletedAt') IS NOT NULL"
        return self.store.select(obj.nameSingular, where, params, "rowid")


_SET_BY_SERVER = frozenset({"id", "position", "createdAt", "updatedAt"})
"""NOT NULL columns a null leaves to the server (a new id, the next position, now)."""

_ANY_DELETED = {"or": [{"deletedAt": {"is": "NULL"}}, {"deletedAt": {"is": "NOT_NULL"}}]}
