"""Object and field metadata: what a workspace's schema is built from.

The standard objects come from ``data/standard_objects.json`` (derived once from the reference
schema by ``tools/extract_reference.py``). Custom objects and fields are added through
``/metadata``; every change bumps ``version`` so the records schema is rebuilt.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import asdict, dataclass, field
from importlib import resources
from typing import Any

from twenty_gql.naming import ObjectNames, capitalize, enum_type_name

__all__ = [
    "COMPOSITE_TYPES",
    "FIRST_VERSION",
    "FieldMeta",
    "ObjectMeta",
    "RelationMeta",
    "WorkspaceMetadata",
    "load_standard_metadata",
]

_NAMESPACE = uuid.UUID("6f1c1d8e-6a53-4a3e-9a57-2b0c8d1e7f10")
FIRST_VERSION = 1
"""The metadata version of a workspace nobody has changed yet."""

COMPOSITE_TYPES: dict[str, tuple[str, tuple[str, ...]]] = {
    # field type -> (GraphQL type name, sub-fields)
    "LINKS": ("Links", ("primaryLinkLabel", "primaryLinkUrl", "secondaryLinks")),
    "CURRENCY": ("Currency", ("amountMicros", "currencyCode")),
    "FULL_NAME": ("FullName", ("firstName", "lastName")),
    "ADDRESS": (
        "Address",
        (
            "addressStreet1",
            "addressStreet2",
            "addressCity",
            "addressPostcode",
            "addressState",
            "addressCountry",
            "addressLat",
            "addressLng",
        ),
    ),
    "EMAILS": ("Emails", ("primaryEmail", "additionalEmails")),
    "PHONES": (
        "Phones",
        (
            "primaryPhoneNumber",
            "primaryPhoneCountryCode",
            "primaryPhoneCallingCode",
            "additionalPhones",
        ),
    ),
    "ACTOR": ("Actor", ("source", "workspaceMemberId", "name", "context")),
    "RICH_TEXT": ("RichText", ("blocknote", "markdown")),
}

UNIQUE_SUBFIELDS: dict[str, tuple[str, ...]] = {
    # the composite sub-fields a unique constraint covers (isIncludedInUniqueConstraint)
    "LINKS": ("primaryLinkUrl",),
    "EMAILS": ("primaryEmail",),
    "PHONES": ("primaryPhoneNumber", "primaryPhoneCountryCode", "primaryPhoneCallingCode"),
}

FIELD_TYPES = frozenset(
    {
        "TEXT",
        "NUMBER",
        "BOOLEAN",
        "DATE",
        "DATE_TIME",
        "UUID",
        "SELECT",
        "MULTI_SELECT",
        "RATING",
        "RAW_JSON",
        "ARRAY",
        "POSITION",
        "TS_VECTOR",
        "RELATION",
        "MORPH_RELATION",
        "FILES",
        *COMPOSITE_TYPES,
    }
)


@dataclass(slots=True)
class RelationMeta:
    kind: str
    """``MANY_TO_ONE`` (the record holds ``joinColumn``) or ``ONE_TO_MANY`` (a connection)."""
    target: str
    inverse: str | None = None
    joinColumn: str | None = None


@dataclass(slots=True)
class FieldMeta:
    name: str
    type: str
    label: str = ""
    id: str = ""
    description: str | None = None
    isNullable: bool = True
    isUnique: bool = False
    isCustom: bool = False
    isActive: bool = True
    isSystem: bool = False
    requiredOnCreate: bool = False
    defaultValue: Any = None
    options: list[dict[str, Any]] | None = None
    settings: dict[str, Any] | None = None
    icon: str | None = None
    relation: RelationMeta | None = None
    createdAt: str = "2026-01-01T00:00:00.000Z"
    updatedAt: str = "2026-01-01T00:00:00.000Z"

    @property
    def is_many_to_one(self) -> bool:
        return self.relation is not None and self.relation.kind == "MANY_TO_ONE"

    @property
    def is_one_to_many(self) -> bool:
        return self.relation is not None and self.relation.kind == "ONE_TO_MANY"

    @property
    def is_composite(self) -> bool:
        return self.type in COMPOSITE_TYPES

    @property
    def is_int(self) -> bool:
        return self.type == "NUMBER" and (self.settings or {}).get("dataType") == "int"

    @property
    def is_bigint(self) -> bool:
        return self.type == "NUMBER" and (self.settings or {}).get("dataType") == "bigint"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FieldMeta:
        values = dict(data)
        rel = values.pop("relation", None)
        known = {k: v for k, v in values.items() if k in cls.__dataclass_fields__}
        return cls(**known, relation=RelationMeta(**rel) if rel else None)


@dataclass(slots=True)
class ObjectMeta:
    nameSingular: str
    namePlural: str
    labelSingular: str = ""
    labelPlural: str = ""
    id: str = ""
    description: str | None = None
    icon: str | None = None
    isCustom: bool = False
    isSystem: bool = False
    isActive: bool = True
    isRemote: bool = False
    fields: list[FieldMeta] = field(default_factory=list)
    createdAt: str = "2026-01-01T00:00:00.000Z"
    updatedAt: str = "2026-01-01T00:00:00.000Z"

    @property
    def names(self) -> ObjectNames:
        return ObjectNames(self.nameSingular, self.namePlural)

    @property
    def type_name(self) -> str:
        return capitalize(self.nameSingular)

    def field(self, name: str) -> FieldMeta | None:
        for f in self.fields:
            if f.name == name:
                return f
        return None

    def active_fields(self) -> list[FieldMeta]:
        return [f for f in self.fields if f.isActive]

    def enum_name(self, f: FieldMeta) -> str:
        return enum_type_name(self.nameSingular, f.name)

    def unique_fields(self) -> list[FieldMeta]:
        return [f for f in self.active_fields() if f.isUnique and f.name != "id"]

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["fields"] = [f.to_dict() for f in self.fields]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ObjectMeta:
        values = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        values["fields"] = [FieldMeta.from_dict(f) for f in data.get("fields", [])]
        return cls(**values)


def stable_id(*parts: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, "/".join(parts)))


@dataclass(slots=True)
class WorkspaceMetadata:
    """Every object of one workspace; ``version`` changes on every metadata write."""

    objects: dict[str, ObjectMeta]
    version: int = FIRST_VERSION

    def by_id(self, object_id: str) -> ObjectMeta | None:
        for obj in self.objects.values():
            if obj.id == object_id:
                return obj
        return None

    def field_by_id(self, field_id: str) -> tuple[ObjectMeta, FieldMeta] | None:
        for obj in self.objects.values():
            for f in obj.fields:
                if f.id == field_id:
                    return obj, f
        return None

    def active_objects(self) -> list[ObjectMeta]:
        return [o for o in self.objects.values() if o.isActive]

    def to_json(self) -> str:
        return json.dumps(
            {"version": self.version, "objects": [o.to_dict() for o in self.objects.values()]}
        )

    @classmethod
    def from_json(cls, text: str) -> WorkspaceMetadata:
        data = json.loads(text)
        objects = [ObjectMeta.from_dict(o) for o in data["objects"]]
        return cls({o.nameSingular: o for o in objects}, int(data.get("version", 1)))


def load_standard_metadata() -> WorkspaceMetadata:
    """The standard objects, with ids that are stable from one run to the next."""
    text = resources.files("twenty_gql.sandbox").joinpath("data/standard_objects.json").read_text()
    objects: dict[str, ObjectMeta] = {}
    for raw in json.loads(text)["objects"]:
        obj = ObjectMeta.from_dict(raw)
        obj.id = stable_id("object", obj.nameSingular)
        for f in obj.fields:
            f.id = stable_id("field", obj.nameSingular, f.name)
            f.isSystem = f.name in SYSTEM_FIELDS
            for option in f.options or []:  # Twenty's options have ids: a rename keeps it
                option.setdefault(
                    "id", stable_id("option", obj.nameSingular, f.name, option["value"])
                )
        objects[obj.nameSingular] = obj
    return WorkspaceMetadata(objects)


SYSTEM_FIELDS = frozenset(
    {"id", "createdAt", "updatedAt", "deletedAt", "position", "createdBy", "updatedBy"}
    | {"searchVector"}
)
