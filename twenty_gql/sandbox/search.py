"""``search``: Twenty's full-text search across objects, served beside the records schema (NOTES
(s), transcripts 147-154).

Twenty answers ``search`` on ``/graphql`` but leaves it out of introspection: it lives in the
"core" schema, not the workspace's. So does the sandbox: :func:`search_schema` is a schema of its
own, run for documents whose only root field is ``search`` (a document that mixes it with record
root fields is refused, 154), and it is not charged by the rate limit.

- Matches: every search term is a prefix of a word of the record's searchable text (a company's
  name and domain, a person's name, emails, phone and job title, a note's or task's title, a
  custom object's name...); soft-deleted records never match.
- Rank: ``tsRankCD`` is 0.1 and ``tsRank`` 0.06079271 (Postgres's ``ts_rank_cd``/``ts_rank`` of one
  match) per matching word, as recorded for one and two matches. Results from all objects are
  merged by rank, ties in object order then id order.
- Cursor: base64 JSON ``{lastRanks: {tsRankCD, tsRank}, lastRecordIdsPerObject: {object: id}}``;
  the next page holds what ranks lower, or ranks the same and comes after the object's last id
  (or belongs to an object the page did not reach).
- ``limit`` above 100: ``Limit cannot exceed 100 items``. ``filter`` knows and/or/not, id,
  createdAt, updatedAt and deletedAt.
"""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any
from urllib.parse import urlsplit

from graphql import GraphQLResolveInfo, GraphQLSchema, build_schema

from .errors import bad_input
from .filters import compile_filter
from .metadata import ObjectMeta
from .values import path_value

__all__ = ["MAX_LIMIT", "SEARCH_FIELD", "search_schema"]

SEARCH_FIELD = "search"
MAX_LIMIT = 100
_RANK_CD = 0.1
_RANK = 0.06079271

_SEARCHED: dict[str, tuple[str, ...]] = {
    # the text each standard object's searchVector is built from (custom objects: their name)
    "company": ("name", "domainName.primaryLinkUrl"),
    "person": (
        "name.firstName",
        "name.lastName",
        "emails.primaryEmail",
        "phones.primaryPhoneNumber",
        "jobTitle",
    ),
    "opportunity": ("name",),
    "note": ("title",),
    "task": ("title",),
    "workspaceMember": ("name.firstName", "name.lastName", "userEmail"),
}
_LABELS: dict[str, tuple[str, ...]] = {
    "person": ("name.firstName", "name.lastName"),
    "workspaceMember": ("name.firstName", "name.lastName"),
    "note": ("title",),
    "task": ("title",),
}
_NOT_SEARCHED = frozenset({"noteTarget", "taskTarget", "attachment"})

_SDL = """
type Query {
  search(searchInput: String!, limit: Int!, after: String, filter: ObjectRecordFilterInput,
    includedObjectNameSingulars: [String!], excludedObjectNameSingulars: [String!]
  ): SearchResultConnection!
}

type SearchResultConnection {
  edges: [SearchResultEdge!]!
  pageInfo: SearchResultPageInfo!
}

type SearchResultEdge {
  node: SearchRecord!
  cursor: String!
}

type SearchRecord {
  recordId: UUID!
  objectNameSingular: String!
  objectLabelSingular: String!
  label: String!
  imageUrl: String
  tsRankCD: Float!
  tsRank: Float!
}

type SearchResultPageInfo {
  endCursor: String
  hasNextPage: Boolean!
}

input ObjectRecordFilterInput {
  and: [ObjectRecordFilterInput!]
  not: ObjectRecordFilterInput
  or: [ObjectRecordFilterInput!]
  id: UUIDFilter
  createdAt: DateTimeFilter
  updatedAt: DateTimeFilter
  deletedAt: DateTimeFilter
}
"""


@cache
def search_schema() -> GraphQLSchema:
    """The schema ``search`` runs against (the shared scalars and filters, and ``search``)."""
    base = resources.files("twenty_gql.sandbox").joinpath("data/base.graphql").read_text()
    schema = build_schema(base + _SDL)
    assert schema.query_type is not None
    schema.query_type.fields[SEARCH_FIELD].resolve = _resolve
    return schema


def _words(text: str) -> list[str]:
    return re.findall(r"[0-9a-z]+", text.lower())


def _text(obj: ObjectMeta) -> tuple[str, ...]:
    return _SEARCHED.get(obj.nameSingular, ("name",))


def _label(obj: ObjectMeta, record: dict[str, Any]) -> str:
    parts = [path_value(record, p) for p in _LABELS.get(obj.nameSingular, ("name",))]
    return " ".join(str(p) for p in parts if p).strip()


def _image_url(obj: ObjectMeta, record: dict[str, Any]) -> str:
    if obj.nameSingular == "company":
        url = str(path_value(record, "domainName.primaryLinkUrl") or "")
        host = urlsplit(url if "://" in url else f"https://{url}").hostname if url else None
        return f"https://twenty-icons.com/{host.removeprefix('www.')}" if host else ""
    if obj.nameSingular == "person":
        return str(record.get("avatarUrl") or "")
    return ""


@dataclass(frozen=True, slots=True)
class _Hit:
    order: int
    obj: ObjectMeta
    record: dict[str, Any]
    matches: int

    @property
    def ranks(self) -> tuple[float, float]:
        return round(_RANK_CD * self.matches, 6), float(f"{_RANK * self.matches:.8g}")


def _matches(terms: list[str], words: list[str]) -> int:
    if not terms or not all(any(w.startswith(t) for w in words) for t in terms):
        return 0
    return sum(1 for w in words if any(w.startswith(t) for t in terms))


def _decode(cursor: str) -> dict[str, Any]:
    try:
        data = json.loads(base64.b64decode(cursor.encode()))
    except ValueError:
        raise bad_input(f"Invalid cursor: {cursor}", "INVALID_CURSOR") from None
    if not isinstance(data, dict):
        raise bad_input(f"Invalid cursor: {cursor}", "INVALID_CURSOR")
    return data


def _encode(ranks: tuple[float, float], last_ids: dict[str, str]) -> str:
    payload = {
        "lastRanks": {"tsRankCD": ranks[0], "tsRank": ranks[1]},
        "lastRecordIdsPerObject": last_ids,
    }
    return base64.b64encode(json.dumps(payload, separators=(",", ":")).encode()).decode()


def _after(hit: _Hit, cursor: dict[str, Any]) -> bool:
    last = cursor.get("lastRanks") or {}
    mine = hit.ranks
    theirs = (float(last.get("tsRankCD", 0)), float(last.get("tsRank", 0)))
    if mine != theirs:
        return mine < theirs
    last_id = (cursor.get("lastRecordIdsPerObject") or {}).get(hit.obj.nameSingular)
    return last_id is None or str(hit.record["id"]) > str(last_id)


def _resolve(
    _: Any,
    info: GraphQLResolveInfo,
    searchInput: str,
    limit: int,
    after: str | None = None,
    filter: dict[str, Any] | None = None,
    includedObjectNameSingulars: list[str] | None = None,
    excludedObjectNameSingulars: list[str] | None = None,
) -> dict[str, Any]:
    if limit > MAX_LIMIT:
        raise bad_input(f"Limit cannot exceed {MAX_LIMIT} items", None, "An error occurred.")
    records = info.context.records
    terms = _words(searchInput)
    hits: list[_Hit] = []
    for order, obj in enumerate(records.meta.active_objects()):
        name = obj.nameSingular
        if name in _NOT_SEARCHED or obj.isSystem:
            continue
        if includedObjectNameSingulars and name not in includedObjectNameSingulars:
            continue
        if excludedObjectNameSingulars and name in excludedObjectNameSingulars:
            continue
        where, params = compile_filter(records.meta, obj, filter)
        for record in records.store.select(name, where, params, "id"):
            text = " ".join(str(path_value(record, p) or "") for p in _text(obj))
            found = _matches(terms, _words(text))
            if found:
                hits.append(_Hit(order, obj, record, found))
    hits.sort(key=lambda h: (-h.ranks[0], -h.ranks[1], h.order, str(h.record["id"])))
    if after:
        cursor = _decode(after)
        hits = [h for h in hits if _after(h, cursor)]
        last_ids = dict(cursor.get("lastRecordIdsPerObject") or {})
    else:
        last_ids = {}
    page = hits[: max(limit, 0)]
    edges = []
    for hit in page:
        last_ids[hit.obj.nameSingular] = str(hit.record["id"])
        cd, rank = hit.ranks
        edges.append(
            {
                "cursor": _encode(hit.ranks, dict(last_ids)),
                "node": {
                    "recordId": hit.record["id"],
                    "objectNameSingular": hit.obj.nameSingular,
                    "objectLabelSingular": hit.obj.labelSingular,
                    "label": _label(hit.obj, hit.record),
                    "imageUrl": _image_url(hit.obj, hit.record),
                    "tsRankCD": cd,
                    "tsRank": rank,
                },
            }
        )
    return {
        "edges": edges,
        "pageInfo": {
            "hasNextPage": len(hits) > len(page),
            "endCursor": edges[-1]["cursor"] if edges else None,
        },
    }
