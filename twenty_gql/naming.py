"""Twenty's naming rules: how an object's singular and plural names become GraphQL names.

Twenty generates its records API from object metadata. Every object has a camelCase
``nameSingular`` (``company``, ``noteTarget``) and ``namePlural`` (``companies``,
``noteTargets``); every type name and root field is derived from those two names by the rules
below. Scaffold (client side) and the sandbox (server side) both use this module, so the client
and the server can never disagree about a name.
"""

from __future__ import annotations

import keyword
import re
from dataclasses import dataclass

__all__ = [
    "ObjectNames",
    "RootFields",
    "TypeNames",
    "capitalize",
    "enum_type_name",
    "snake_case",
]


def capitalize(name: str) -> str:
    """``noteTarget`` -> ``NoteTarget`` (only the first letter changes, as Twenty does)."""
    return name[:1].upper() + name[1:]


def uncapitalize(name: str) -> str:
    return name[:1].lower() + name[1:]


_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


def snake_case(name: str) -> str:
    """``ListNoteTargets`` -> ``list_note_targets`` (what ariadne-codegen makes of an operation)."""
    return _CAMEL_BOUNDARY.sub("_", name).lower()


def enum_type_name(object_singular: str, field_name: str) -> str:
    """The enum type of a SELECT / MULTI_SELECT field.

    ``company.workPolicy`` -> ``CompanyWorkPolicyEnum``.
    """
    return f"{capitalize(object_singular)}{capitalize(field_name)}Enum"


def is_python_keyword(name: str) -> bool:
    return keyword.iskeyword(name) or keyword.issoftkeyword(name)


@dataclass(frozen=True, slots=True)
class TypeNames:
    """GraphQL type names Twenty derives from ``nameSingular``."""

    record: str
    connection: str
    edge: str
    create_input: str
    update_input: str
    filter_input: str
    order_by_input: str
    relation_input: str
    group_by_input: str
    order_by_with_group_by_input: str
    group_by_connection: str


@dataclass(frozen=True, slots=True)
class RootFields:
    """Root fields Twenty generates on ``/graphql`` for one object.

    ``find_duplicates`` and ``merge_many`` exist only for objects with duplicate criteria
    (company and person in 2.21); ``queries()`` and ``mutations()`` list the ones every object has.
    """

    find_many: str
    find_one: str
    find_duplicates: str
    group_by: str
    create_one: str
    create_many: str
    update_one: str
    update_many: str
    delete_one: str
    delete_many: str
    restore_one: str
    restore_many: str
    destroy_one: str
    destroy_many: str
    merge_many: str

    def queries(self) -> tuple[str, ...]:
        return (self.find_many, self.find_one, self.group_by)

    def mutations(self) -> tuple[str, ...]:
        return (
            self.create_many,
            self.create_one,
            self.update_one,
            self.delete_one,
            self.update_many,
            self.delete_many,
            self.destroy_one,
            self.destroy_many,
            self.restore_one,
            self.restore_many,
        )


@dataclass(frozen=True, slots=True)
class ObjectNames:
    """Every name Twenty derives for an object with these singular and plural names."""

    singular: str
    plural: str

    def __post_init__(self) -> None:
        for label, value in (("nameSingular", self.singular), ("namePlural", self.plural)):
            if not re.fullmatch(r"[a-z][a-zA-Z0-9]*", value):
                raise ValueError(
                    f"{label} {value!r} must be camelCase: a lowercase letter, then letters "
                    "or digits"
                )
        if self.singular == self.plural:
            raise ValueError(
                f"nameSingular and namePlural must differ (both are {self.singular!r})"
            )

    @property
    def types(self) -> TypeNames:
        record = capitalize(self.singular)
        return TypeNames(
            record=record,
            connection=f"{record}Connection",
            edge=f"{record}Edge",
            create_input=f"{record}CreateInput",
            update_input=f"{record}UpdateInput",
            filter_input=f"{record}FilterInput",
            order_by_input=f"{record}OrderByInput",
            relation_input=f"{record}RelationInput",
            group_by_input=f"{record}GroupByInput",
            order_by_with_group_by_input=f"{record}OrderByWithGroupByInput",
            group_by_connection=f"{record}GroupByConnection",
        )

    @property
    def root_fields(self) -> RootFields:
        one = capitalize(self.singular)
        many = capitalize(self.plural)
        return RootFields(
            find_many=self.plural,
            find_one=self.singular,
            find_duplicates=f"{self.singular}Duplicates",
            group_by=f"{self.plural}GroupBy",
            create_one=f"create{one}",
            create_many=f"create{many}",
            update_one=f"update{one}",
            update_many=f"update{many}",
            delete_one=f"delete{one}",
            delete_many=f"delete{many}",
            restore_one=f"restore{one}",
            restore_many=f"restore{many}",
            destroy_one=f"destroy{one}",
            destroy_many=f"destroy{many}",
            merge_many=f"merge{many}",
        )

    @property
    def operation_names(self) -> dict[str, str]:
        """Operations scaffold writes for this object: ``GetCompany``, ``ListCompanies``..."""
        one = capitalize(self.singular)
        many = capitalize(self.plural)
        return {
            "get": f"Get{one}",
            "list": f"List{many}",
            "create_many": f"Create{many}",
            "update_one": f"Update{one}",
            "update_many": f"Update{many}",
            "delete_many": f"Delete{many}",
            "restore_many": f"Restore{many}",
            "destroy_many": f"Destroy{many}",
            "aggregate": f"Aggregate{many}",
            "group_by": f"Group{many}",
            "find_duplicates": f"Find{one}Duplicates",
            "merge_many": f"Merge{many}",
        }
