from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import pytest
from graphql import GraphQLSchema

from twenty_gql.batch.dedupe import UniqueKey
from twenty_gql.io.mapping import MappingError, parse_map_options, plan_columns
from twenty_gql.io.object_schema import find_object
from twenty_gql.io.readers import InputFileError, open_rows
from twenty_gql.io.relations import RELATION_NOT_FOUND, resolve_relations
from twenty_gql.io.rows import CLIENT_VALIDATION, BuiltRow, RowBuilder
from twenty_gql.naming import ObjectNames


async def read_all(path: Path) -> list:  # type: ignore[type-arg]
    source = await open_rows(str(path))
    rows = [row async for row in source]
    await source.close()
    return rows


async def test_csv_rows_carry_their_start_line_even_across_multiline_cells(tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_text('name,tagline\nA,"one\ntwo"\n\nB,plain\nC,x,extra\n', encoding="utf-8")
    rows = await read_all(path)
    assert [(r.index, r.line) for r in rows] == [(0, 2), (1, 5), (2, 6)]
    assert rows[0].values == {"name": "A", "tagline": "one\ntwo"}
    assert rows[2].values is None and rows[2].error == "3 values for 2 columns"


async def test_jsonl_rows_report_bad_lines_without_stopping(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text('{"name": "A"}\n\n{nope\n[1]\n{"name": "B"}\n', encoding="utf-8")
    rows = await read_all(path)
    assert [(r.index, r.line) for r in rows] == [(0, 1), (1, 3), (2, 4), (3, 5)]
    assert rows[1].error is not None and rows[1].error.startswith("not valid JSON")
    assert rows[2].error == "a JSONL row must be a JSON object"


async def test_files_that_cannot_be_read_are_named(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match=r"missing\.csv: no such file"):
        await open_rows(str(tmp_path / "missing.csv"))
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(InputFileError, match="empty file"):
        await open_rows(str(empty))
    dupes = tmp_path / "dupes.csv"
    dupes.write_text("name,name\n")
    with pytest.raises(InputFileError, match="repeats column name"):
        await open_rows(str(dupes))


def test_map_options_parse_and_reject_malformed_ones() -> None:
    assert parse_map_options(["Mail=emails.primaryEmail", "notes="]) == {
        "Mail": "emails.primaryEmail",
        "notes": "",
    }
    with pytest.raises(MappingError, match="expected COLUMN=FIELD"):
        parse_map_options(["Mail"])


def test_columns_are_planned_from_dotted_headers_and_maps(core_schema: GraphQLSchema) -> None:
    person = find_object(core_schema, "person")
    plans = plan_columns(
        person,
        ["First", "name.lastName", "Mail", "junk"],
        {"First": "name.firstName", "Mail": "emails.primaryEmail", "junk": ""},
    )
    assert [(p.column, p.target.path) for p in plans] == [
        ("First", "name.firstName"),
        ("name.lastName", "name.lastName"),
        ("Mail", "emails.primaryEmail"),
    ]
    with pytest.raises(MappingError, match=r"column 'mail'.*did you mean"):
        plan_columns(person, ["mail"], {})
    with pytest.raises(MappingError, match="--map names column 'Nope'"):
        plan_columns(person, ["name.lastName"], {"Nope": "jobTitle"})


def test_a_csv_row_becomes_a_nested_typed_record(core_schema: GraphQLSchema) -> None:
    from twenty_gql.io.readers import SourceRow

    company = find_object(core_schema, "company")
    headers = ["name", "domainName.primaryLinkUrl", "employees", "annualRevenue.amountMicros"]
    builder = RowBuilder(company, columns=plan_columns(company, headers, {}))
    built = builder.build(
        SourceRow(
            0,
            2,
            {
                "name": "Acme",
                "domainName.primaryLinkUrl": "https://acme.example",
                "employees": "12",
                "annualRevenue.amountMicros": "",
            },
        )
    )
    assert built.data == {
        "name": "Acme",
        "domainName": {"primaryLinkUrl": "https://acme.example"},
        "employees": 12,
    }
    bad = builder.build(SourceRow(1, 3, {"name": "X", "employees": "lots"}))
    assert bad.data is None and bad.error is not None
    assert bad.error.field == "employees" and bad.error.code == CLIENT_VALIDATION
    assert bad.error.message == "Invalid number value 'lots' for field \"employees\""


def test_a_jsonl_row_is_walked_by_the_schema(core_schema: GraphQLSchema) -> None:
    from twenty_gql.io.readers import SourceRow

    person = find_object(core_schema, "person")
    builder = RowBuilder(person, key_paths=("emails.primaryEmail",))
    built = builder.build(
        SourceRow(
            0,
            1,
            {
                "name": {"firstName": "Ada"},
                "emails": {"primaryEmail": "ada@x.io"},
                "company": {"domainName": "https://acme.example"},
                "workPreference": ["HYBRID"],
            },
        )
    )
    assert built.data == {
        "name": {"firstName": "Ada"},
        "emails": {"primaryEmail": "ada@x.io"},
        "workPreference": ["HYBRID"],
    }
    assert [(r.path, v) for r, v in built.relations] == [
        ("company.domainName", "https://acme.example")
    ]
    keyless = builder.build(SourceRow(1, 2, {"name": {"firstName": "Bob"}}))
    assert (
        keyless.error is not None
        and "the key emails.primaryEmail is empty" in keyless.error.message
    )
    unknown = builder.build(SourceRow(2, 3, {"emails": {"primaryEmail": "c@x.io"}, "shoe": 1}))
    assert unknown.error is not None and unknown.error.field == "shoe"


class FakeLookup:
    def __init__(self, known: dict[str, str]) -> None:
        self.known = known
        self.asked: list[list[str]] = []

    async def find_ids(
        self, target: ObjectNames, key: UniqueKey, values: Sequence[str]
    ) -> Mapping[str, str]:
        assert target.singular == "company" and key.name == "domainName"
        self.asked.append(list(values))
        return {v: self.known[v] for v in values if v in self.known}


async def test_relations_are_looked_up_once_per_value_and_orphans_rejected(
    core_schema: GraphQLSchema,
) -> None:
    person = find_object(core_schema, "person")
    relation = person.resolve("company.domainName")
    assert not isinstance(relation, type(None))

    async def rows():  # type: ignore[no-untyped-def]
        for i in range(450):
            domain = "https://nowhere.example" if i == 300 else f"https://c{i % 3}.example"
            yield BuiltRow(i, i + 2, {"jobTitle": "x"}, relations=[(relation, domain)])  # type: ignore[list-item]

    lookup = FakeLookup({f"https://c{i}.example": f"id-{i}" for i in range(3)})
    out = [row async for row in resolve_relations(rows(), lookup, buffer=200)]
    assert [r.index for r in out] == list(range(450))
    assert out[4].data == {"jobTitle": "x", "companyId": "id-1"}
    assert out[300].data is None and out[300].error is not None
    assert out[300].error.sub_code == RELATION_NOT_FOUND
    assert out[300].error.field == "company.domainName"
    assert "https://nowhere.example" in out[300].error.message
    # one lookup for the first buffer; the later buffers hit the cache except for the orphan
    assert sorted(map(len, lookup.asked)) == [1, 3]
