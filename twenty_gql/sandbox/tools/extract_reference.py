"""Derive the sandbox's seed metadata from the reference schema (run once, output committed).

Reads the reference SDL (``core.graphql``) and transcript 69 (field types per object) and writes
``twenty_gql/sandbox/data/standard_objects.json`` (object and field metadata of the standard
objects) and ``twenty_gql/sandbox/data/base.graphql`` (the shared scalars, composite types and
filter inputs every workspace schema uses). The package never reads the reference at run time.

Usage: python -m twenty_gql.sandbox.tools.extract_reference tests/fixtures/reference
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    build_schema,
    get_named_type,
    print_type,
)

from twenty_gql.naming import capitalize

COMPOSITE_NAMES = (
    "Links",
    "Currency",
    "FullName",
    "Address",
    "Emails",
    "Phones",
    "Actor",
    "RichText",
)

STANDARD = (
    "company",
    "person",
    "opportunity",
    "note",
    "task",
    "noteTarget",
    "taskTarget",
    "workspaceMember",
    "attachment",
)
UNIQUE = {("company", "domainName"), ("person", "emails"), ("workspaceMember", "userEmail")}
DEFAULTS: dict[tuple[str, str], Any] = {
    # column defaults a transcript shows (132: a null whatsapp becomes FR / +33; 139: five new
    # companies count five false visaSponsorship)
    ("company", "visaSponsorship"): False,
    ("person", "whatsapp"): {
        "primaryPhoneNumber": "",
        "primaryPhoneCountryCode": "FR",
        "primaryPhoneCallingCode": "+33",
        "additionalPhones": [],
    },
}
DATA = Path(__file__).resolve().parent.parent / "data"


def _labels(name: str) -> str:
    out = "".join(" " + c if c.isupper() else c for c in name)
    return capitalize(out.strip())


def _meta_types(transcript: dict[str, Any]) -> dict[str, dict[str, Any]]:
    result: dict[str, dict[str, Any]] = {}
    for edge in transcript["response"]["data"]["objects"]["edges"]:
        node = edge["node"]
        fields = {f["node"]["name"]: f["node"] for f in node["fields"]["edges"]}
        result[node["nameSingular"]] = {**node, "fields": fields}
    return result


def _field(
    schema: GraphQLSchema,
    singular: str,
    name: str,
    field_type: Any,
    description: str | None,
    meta: dict[str, Any],
) -> dict[str, Any]:
    kind = meta["type"]
    out: dict[str, Any] = {
        "name": name,
        "label": _labels(name),
        "type": kind,
        "description": description,
        "isNullable": not isinstance(field_type, GraphQLNonNull),
        "isUnique": (singular, name) in UNIQUE,
    }
    named = get_named_type(field_type)
    if kind in ("SELECT", "MULTI_SELECT", "RATING"):
        assert isinstance(named, GraphQLEnumType)
        out["options"] = [
            {"value": v, "label": ev.description or v, "position": i}
            for i, (v, ev) in enumerate(named.values.items())
        ]
    if (singular, name) in DEFAULTS:
        out["defaultValue"] = DEFAULTS[singular, name]
    if kind == "NUMBER" and named.name == "Int":
        out["settings"] = {"dataType": "int"}
    create = schema.type_map[capitalize(singular) + "CreateInput"]
    assert isinstance(create, GraphQLInputObjectType)
    if name in create.fields and isinstance(create.fields[name].type, GraphQLNonNull):
        out["requiredOnCreate"] = True
    return out


def extract(reference: Path) -> tuple[dict[str, Any], str]:
    schema = build_schema((reference / "core.graphql").read_text())
    transcript = json.loads(
        (reference / "transcripts" / "69-metadata-objects-all-with-fields.json").read_text()
    )
    metas = _meta_types(transcript)
    objects: list[dict[str, Any]] = []
    shared: set[str] = set()
    per_object_prefixes = tuple(capitalize(n) for n in metas)
    for singular in STANDARD:
        meta = metas[singular]
        record = schema.type_map[capitalize(singular)]
        assert isinstance(record, GraphQLObjectType)
        fields: list[dict[str, Any]] = []
        for name, fdef in record.fields.items():
            named = get_named_type(fdef.type)
            if name in meta["fields"]:
                fmeta = meta["fields"][name]
            elif name.endswith("Id") and name[:-2] in meta["fields"]:
                continue  # the join column of a relation, emitted from the relation
            else:
                raise SystemExit(f"{singular}.{name}: not in transcript 69")
            if fmeta["type"] in ("RELATION", "MORPH_RELATION"):
                if named.name.endswith("Connection"):
                    target = named.name[: -len("Connection")]
                    kind = "ONE_TO_MANY"
                else:
                    target = named.name
                    kind = "MANY_TO_ONE"
                target_singular = target[:1].lower() + target[1:]
                if target_singular not in STANDARD:
                    continue
                entry = {
                    "name": name,
                    "label": _labels(name),
                    "type": fmeta["type"],
                    "description": fdef.description,
                    "isNullable": True,
                    "isUnique": False,
                    "relation": {"kind": kind, "target": target_singular},
                }
                fields.append(entry)
                continue
            fields.append(_field(schema, singular, name, fdef.type, fdef.description, fmeta))
            for typename in _referenced(schema, capitalize(singular), name):
                if not typename.startswith(per_object_prefixes) or typename in (
                    "Position",
                    "PageInfo",
                ):
                    shared.add(typename)
        objects.append(
            {
                "nameSingular": singular,
                "namePlural": meta["namePlural"],
                "labelSingular": _labels(singular),
                "labelPlural": _labels(meta["namePlural"]),
                "description": record.description,
                "isSystem": bool(meta["isSystem"]),
                "isCustom": False,
                "fields": fields,
            }
        )
    _pair_relations(objects)
    shared |= {"PageInfo", "OrderByDirection", "FilterIs", "Cursor", "ConnectionCursor", "UUID"}
    shared |= {"IDFilter", "BooleanFilter", "FloatFilter", "StringFilter", "UUIDFilter"}
    shared |= {"DateTimeFilter", "DateFilter", "RawJsonFilter", "TSVectorFilter", "ArrayFilter"}
    shared |= {"IntFilter", "BigFloatFilter", "BigFloat", "Date", "JSON", "RawJSONScalar"}
    shared |= {"BigIntFilter", "BigInt"}  # NUMBER fields with settings {dataType: "bigint"}
    # groupBy: the composites' dimension inputs and the date granularity inputs
    shared |= {f"{name}GroupByInput" for name in COMPOSITE_NAMES}
    shared |= {"GroupByDateGranularityInput", "OrderByDateGranularityInput"}
    closure = _closure(schema, shared)
    sdl = "\n\n".join(
        print_type(schema.type_map[n])
        for n in sorted(closure)
        if n in schema.type_map
        and not n.startswith("__")
        and n not in ("String", "Int", "Float", "Boolean", "ID")
    )
    return {"objects": objects}, sdl + "\n"


def _referenced(schema: GraphQLSchema, record: str, field: str) -> set[str]:
    names: set[str] = set()
    for suffix in ("", "CreateInput", "UpdateInput", "FilterInput", "OrderByInput"):
        t = schema.type_map.get(record + suffix)
        if isinstance(t, GraphQLObjectType | GraphQLInputObjectType) and field in t.fields:
            names.add(get_named_type(t.fields[field].type).name)
    return names


def _closure(schema: GraphQLSchema, roots: set[str]) -> set[str]:
    seen: set[str] = set()
    todo = [r for r in roots if r in schema.type_map]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        t: GraphQLNamedType = schema.type_map[name]
        if isinstance(t, GraphQLObjectType | GraphQLInputObjectType):
            for f in t.fields.values():
                todo.append(get_named_type(f.type).name)
                for a in getattr(f, "args", {}).values():
                    todo.append(get_named_type(a.type).name)
    return seen


def _pair_relations(objects: list[dict[str, Any]]) -> None:
    by_name = {o["nameSingular"]: o for o in objects}
    for obj in objects:
        for f in obj["fields"]:
            rel = f.get("relation")
            if not rel:
                continue
            target = by_name[rel["target"]]
            want = "MANY_TO_ONE" if rel["kind"] == "ONE_TO_MANY" else "ONE_TO_MANY"
            candidates = [
                g["name"]
                for g in target["fields"]
                if g.get("relation")
                and g["relation"]["target"] == obj["nameSingular"]
                and g["relation"]["kind"] == want
            ]
            if len(candidates) > 1:
                candidates = [c for c in candidates if _match(obj["nameSingular"], f["name"], c)]
            rel["inverse"] = candidates[0] if len(candidates) == 1 else None
            if rel["kind"] == "MANY_TO_ONE":
                rel["joinColumn"] = f["name"] + "Id"
            elif rel["inverse"] is None:
                raise SystemExit(f"{obj['nameSingular']}.{f['name']}: no inverse")


def _match(source: str, field: str, candidate: str) -> bool:
    # noteTarget.targetCompany <-> company.noteTargets: the candidate names the other side
    return candidate.lower().endswith(source.lower()) or field.lower().endswith(candidate.lower())


METADATA_TYPES = frozenset(
    [
        "Object",
        "Field",
        "Relation",
        "RelationType",
        "FieldMetadataType",
        "ObjectConnection",
        "ObjectEdge",
        "ObjectFieldsConnection",
        "FieldEdge",
        "FieldConnection",
        "PageInfo",
        "CursorPaging",
        "ObjectFilter",
        "FieldFilter",
        "BooleanFieldComparison",
        "UUIDFilterComparison",
        "ConnectionCursor",
        "UUID",
        "DateTime",
        "JSON",
        "CreateOneObjectInput",
        "CreateObjectInput",
        "UpdateOneObjectInput",
        "UpdateObjectPayload",
        "DeleteOneObjectInput",
        "CreateOneFieldMetadataInput",
        "CreateFieldInput",
        "UpdateOneFieldMetadataInput",
        "UpdateFieldInput",
        "DeleteOneFieldInput",
        "Workspace",
        "Webhook",
        "CreateWebhookInput",
        "UpdateWebhookInput",
        "UpdateWebhookInputUpdates",
        "Query",
        "Mutation",
    ]
)
METADATA_ROOTS = frozenset(
    [
        "objects",
        "object",
        "fields",
        "field",
        "currentWorkspace",
        "createOneObject",
        "updateOneObject",
        "deleteOneObject",
        "createOneField",
        "updateOneField",
        "deleteOneField",
        "webhooks",
        "webhook",
        "createWebhook",
        "updateWebhook",
        "deleteWebhook",
    ]
)


def extract_metadata_sdl(reference: Path) -> str:
    """The subset of the metadata schema the sandbox serves (same type and field shapes)."""
    schema = build_schema((reference / "metadata.graphql").read_text())
    keep = METADATA_TYPES | {"String", "Int", "Float", "Boolean", "ID"}
    for name in sorted(METADATA_TYPES):
        t = schema.type_map[name]
        if isinstance(t, GraphQLObjectType | GraphQLInputObjectType):
            for fname in list(t.fields):
                fdef = t.fields[fname]
                if name in ("Query", "Mutation") and fname not in METADATA_ROOTS:
                    del t.fields[fname]
                    continue
                if get_named_type(fdef.type).name not in keep or any(
                    get_named_type(a.type).name not in keep
                    for a in getattr(fdef, "args", {}).values()
                ):
                    del t.fields[fname]
    return "\n\n".join(print_type(schema.type_map[n]) for n in sorted(METADATA_TYPES)) + "\n"


def main() -> None:
    reference = Path(sys.argv[1] if len(sys.argv) > 1 else "tests/fixtures/reference")
    metadata, sdl = extract(reference)
    DATA.mkdir(exist_ok=True)
    (DATA / "standard_objects.json").write_text(json.dumps(metadata, indent=1) + "\n")
    (DATA / "base.graphql").write_text(sdl)
    (DATA / "metadata.graphql").write_text(extract_metadata_sdl(reference))


if __name__ == "__main__":
    main()
