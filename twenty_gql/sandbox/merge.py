"""Duplicates and merge, for the objects with duplicate criteria (company, person), as Twenty
2.21 answers them (NOTES (s), transcripts 155-170).

- ``<singular>Duplicates(ids, data)``: one connection per id (or data item), in order, of the
  live records that share a duplicate criterion with it (all the criterion's values equal and
  non-empty), the record itself left out.
- ``merge<Plural>(ids, conflictPriorityIndex, dryRun)``: ``ids[conflictPriorityIndex]`` is kept
  with its id; its non-empty values win, its empty fields are filled from the others (in ids
  order), MULTI_SELECT values are united, the others' primary emails join ``additionalEmails``,
  records that point at the others point at the kept one, and the others are hard-deleted.
  ``dryRun`` returns the preview with a new id and ``deletedAt`` now, and writes nothing.
- An object without criteria has neither root field in the schema, yet Twenty answers them (169,
  170): :func:`unlisted_answer` gives those answers.
"""

from __future__ import annotations

import copy
import uuid
from typing import Any

from .aggregates import is_empty
from .errors import SandboxError, bad_input
from .metadata import FieldMeta, ObjectMeta
from .values import now_iso, path_value

__all__ = [
    "DUPLICATE_CRITERIA",
    "MAX_MERGE",
    "duplicates",
    "has_criteria",
    "merge",
    "merge_sdl",
    "unlisted_answer",
]

DUPLICATE_CRITERIA: dict[str, tuple[tuple[str, ...], ...]] = {
    # objectMetadata.duplicateCriteria of the standard objects
    "company": (("name",), ("domainName.primaryLinkUrl",)),
    "person": (
        ("name.firstName", "name.lastName"),
        ("linkedinLink.primaryLinkUrl",),
        ("emails.primaryEmail",),
    ),
}
MAX_MERGE = 9
"""Twenty's ``MUTATION_MAX_MERGE_RECORDS``."""

_KEPT_AS_IS = frozenset(
    {"id", "createdAt", "updatedAt", "deletedAt", "position", "createdBy", "updatedBy"}
)


def has_criteria(obj: ObjectMeta) -> bool:
    return obj.nameSingular in DUPLICATE_CRITERIA


def merge_sdl(obj: ObjectMeta) -> tuple[str, str]:
    """The ``<singular>Duplicates`` query field and the ``merge<Plural>`` mutation field."""
    t, r = obj.type_name, obj.names.root_fields
    return (
        f"  {r.find_duplicates}(ids: [UUID], data: [{t}CreateInput]): [{t}Connection!]",
        f"  {r.merge_many}(ids: [UUID!]!, conflictPriorityIndex: Int!, dryRun: Boolean): {t}",
    )


def _error(message: str, user_message: str) -> SandboxError:
    return bad_input(message, "INVALID_QUERY_INPUT", user_message)


def unlisted_answer(objects: list[ObjectMeta], root_names: list[str]) -> dict[str, Any] | None:
    """Twenty's answer to a document of merge/duplicates root fields of objects without
    criteria (absent from the schema), or None when the document is something else."""
    data: dict[str, Any] = {}
    errors: list[dict[str, Any]] = []
    for name in root_names:
        obj = next((o for o in objects if name in _unlisted_names(o)), None)
        if obj is None:
            return None
        if name == obj.names.root_fields.find_duplicates:
            data[name] = []
        else:
            data[name] = None
            errors.append(
                _error(
                    "Merge is only available for objects with duplicate criteria. Object "
                    f"'{obj.nameSingular}' does not have duplicate criteria defined.",
                    "This type of record cannot be merged.",
                ).payload
            )
    return {"data": data, "errors": errors} if errors else {"data": data}


def _unlisted_names(obj: ObjectMeta) -> tuple[str, ...]:
    if has_criteria(obj):
        return ()
    roots = obj.names.root_fields
    return (roots.find_duplicates, roots.merge_many)


# -- duplicates -----------------------------------------------------------------------------


def _criterion_filter(criterion: tuple[str, ...], source: dict[str, Any]) -> dict[str, Any] | None:
    parts: list[dict[str, Any]] = []
    for path in criterion:
        value = path_value(source, path)
        if value in (None, "", []):
            return None
        head, _, sub = path.partition(".")
        parts.append({head: {sub: {"eq": value}}} if sub else {head: {"eq": value}})
    return {"and": parts}


def duplicate_filter(obj: ObjectMeta, source: dict[str, Any], own_id: str | None) -> Any:
    """The filter of the records ``source`` duplicates, or None when it has no criterion
    value."""
    matches = [
        f for c in DUPLICATE_CRITERIA[obj.nameSingular] if (f := _criterion_filter(c, source))
    ]
    if not matches:
        return None
    filt: dict[str, Any] = {"or": matches}
    return {"and": [filt, {"id": {"neq": own_id}}]} if own_id else filt


def duplicates(
    records: Any, obj: ObjectMeta, ids: list[str] | None, data: list[dict[str, Any]] | None
) -> list[dict[str, Any]]:
    sources: list[tuple[dict[str, Any] | None, str | None]] = []
    for record_id in ids or []:
        found = records.store.get(obj.nameSingular, record_id)
        live = found is not None and found.get("deletedAt") is None
        sources.append((found if live else None, record_id))
    for item in data or []:
        sources.append((item, None))
    out = []
    for source, own_id in sources:
        filt = duplicate_filter(obj, source, own_id) if source is not None else None
        # oldest first: the sandbox gives each new record a lower position
        args = {"filter": filt or {"id": {"in": []}}, "orderBy": [{"position": "DescNullsLast"}]}
        out.append(records.find_many(obj, args))
    return out


# -- merge ----------------------------------------------------------------------------------


def _merged_value(f: FieldMeta, kept: Any, others: list[Any]) -> Any:
    if f.type == "MULTI_SELECT":
        united = list(kept or [])
        for other in others:
            united += [v for v in other or [] if v not in united]
        return united
    if f.type == "EMAILS":
        merged = dict(kept or {})
        if is_empty(f, merged):
            merged = dict(next((o for o in others if not is_empty(f, o)), merged))
        extra = list(merged.get("additionalEmails") or [])
        for other in others:
            for email in [
                (other or {}).get("primaryEmail"),
                *((other or {}).get("additionalEmails") or []),
            ]:
                if email and email != merged.get("primaryEmail") and email not in extra:
                    extra.append(email)
        merged["additionalEmails"] = extra
        return merged
    if is_empty(f, kept):
        return next((copy.deepcopy(o) for o in others if not is_empty(f, o)), kept)
    return kept


def merge(
    records: Any,
    obj: ObjectMeta,
    ids: list[str],
    conflict_priority_index: int,
    dry_run: bool | None,
) -> dict[str, Any]:
    if len(ids) < 2:
        raise _error(
            "At least 2 record IDs are required for merge",
            "Please select at least 2 records to merge.",
        )
    if len(ids) > MAX_MERGE:
        raise _error(
            f"Maximum {MAX_MERGE} records can be merged at once",
            f"You can merge up to {MAX_MERGE} records at once.",
        )
    if not 0 <= conflict_priority_index < len(ids):
        raise _error(
            f"Invalid conflict priority '{conflict_priority_index}'. Valid options for "
            f"{len(ids)} records: 0-{len(ids) - 1}",
            "An error occurred.",
        )
    found = records.store.get_many(obj.nameSingular, ids)
    live = [found.get(i) for i in ids]
    if any(r is None or r.get("deletedAt") is not None for r in live):
        raise SandboxError(
            "One or more records not found",
            "NOT_FOUND",
            "RECORD_NOT_FOUND",
            "One or more records were not found.",
        )
    kept_id = ids[conflict_priority_index]
    kept: dict[str, Any] = copy.deepcopy(found[kept_id])
    others = [found[i] for i in dict.fromkeys(ids) if i != kept_id]
    for f in obj.active_fields():
        if f.name in _KEPT_AS_IS or f.is_one_to_many:
            continue
        key = f.relation.joinColumn if f.is_many_to_one and f.relation else f.name
        if key is None:
            continue
        kept[key] = _merged_value(f, kept.get(key), [o.get(key) for o in others])
    now = now_iso()
    if dry_run:
        return {**kept, "id": str(uuid.uuid4()), "deletedAt": now}
    kept["updatedAt"] = now
    losing = [o["id"] for o in others]
    with records.store.transaction():
        for other in records.meta.objects.values():
            for f in other.fields:
                rel = f.relation
                if rel is not None and rel.target == obj.nameSingular and rel.joinColumn:
                    _repoint(records.store, other.nameSingular, rel.joinColumn, losing, kept_id)
        records.store.delete(obj.nameSingular, losing)
        records.store.replace(obj.nameSingular, kept)
    return kept


def _repoint(store: Any, table: str, column: str, losing: list[str], kept_id: str) -> None:
    marks = ",".join("?" * len(losing))
    for record in store.select(table, f"json_extract(data, '$.{column}') IN ({marks})", losing):
        record[column] = kept_id
        store.replace(table, record)
