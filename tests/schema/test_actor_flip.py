"""Actor's flipping nullability (reference NOTES (p), transcripts 105-112): Twenty serves
``Actor.name``/``Actor.source``/``ActorCreateInput.source`` non-null in a process's first
schema build and nullable in every later one. ``pull`` writes the nullable form whichever it
gets, and ``pull --check`` never reports the flip."""

from __future__ import annotations

import asyncio
import copy
from pathlib import Path
from typing import Any

from tests.custom_objects import create_custom_object
from tests.schema.conftest import COMMITTED_SCHEMA_DIR, load_introspection
from tests.schema.fake_twenty import FakeTwenty
from tests.schema.test_pull_cli import SCHEMA_FILES, pull_args, run_pull
from twenty_gql import Twenty
from twenty_gql.actor_nullability import FLIPPING_FIELDS
from twenty_gql.cli import app
from twenty_gql.sandbox import Sandbox
from twenty_gql.schema.sdl import parse_sdl, print_sorted_sdl, schema_from_introspection

FLIPPING = {f"{type_name}.{field_name}" for type_name, field_name in FLIPPING_FIELDS}


def flipping_kinds(introspection: dict[str, Any]) -> dict[str, str]:
    """``{"Actor.name": "NON_NULL" | "SCALAR" | ...}`` for the flipping fields."""
    kinds = {}
    for type_ in introspection["data"]["__schema"]["types"]:
        for field in (type_.get("fields") or []) + (type_.get("inputFields") or []):
            where = f"{type_['name']}.{field['name']}"
            if where in FLIPPING:
                kinds[where] = field["type"]["kind"]
    return kinds


def nullable_form(introspection: dict[str, Any]) -> dict[str, Any]:
    """The recorded (first-build, non-null) introspection with the flipping fields nullable,
    as Twenty serves every later build (transcripts 105, 110)."""
    flipped = copy.deepcopy(introspection)
    for type_ in flipped["data"]["__schema"]["types"]:
        for field in (type_.get("fields") or []) + (type_.get("inputFields") or []):
            if f"{type_['name']}.{field['name']}" in FLIPPING:
                assert field["type"]["kind"] == "NON_NULL"
                field["type"] = field["type"]["ofType"]
    return flipped


def test_the_recorded_schema_is_the_non_null_form(reference_dir: Path) -> None:
    kinds = flipping_kinds(load_introspection(reference_dir, "core"))
    assert kinds == dict.fromkeys(sorted(FLIPPING), "NON_NULL")
    assert set(flipping_kinds(nullable_form(load_introspection(reference_dir, "core")))) == FLIPPING


def test_both_forms_pull_to_byte_identical_nullable_sdl(
    fake_twenty: FakeTwenty, tmp_path: Path, reference_dir: Path
) -> None:
    first, later = tmp_path / "first", tmp_path / "later"
    assert run_pull(*pull_args(fake_twenty, first)).exit_code == 0
    fake_twenty.serve_introspection(
        "/graphql", nullable_form(load_introspection(reference_dir, "core"))
    )
    result = run_pull(*pull_args(fake_twenty, later))
    assert result.exit_code == 0, result.output
    for name in SCHEMA_FILES:
        assert (first / name).read_bytes() == (later / name).read_bytes()
        assert (later / name).read_bytes() == (COMMITTED_SCHEMA_DIR / name).read_bytes()
    written = (later / "core.graphql").read_text("utf-8")
    assert written.startswith("# Written by twenty-gql pull.")
    assert "non-null in the first schema a server process builds" in written
    assert "Actor.name, Actor.source, ActorCreateInput.source" in written
    assert not (later / "metadata.graphql").read_text("utf-8").startswith("#")
    schema = parse_sdl(written)
    for type_name, field_name in FLIPPING_FIELDS:
        field_type = schema.type_map[type_name].fields[field_name].type  # type: ignore[attr-defined]
        assert not str(field_type).endswith("!"), (type_name, field_name)


def test_check_is_exit_0_across_the_flip_both_ways(
    fake_twenty: FakeTwenty, tmp_path: Path, reference_dir: Path
) -> None:
    out = tmp_path / "schema"
    assert run_pull(*pull_args(fake_twenty, out)).exit_code == 0  # first build: non-null
    fake_twenty.serve_introspection(
        "/graphql", nullable_form(load_introspection(reference_dir, "core"))
    )
    to_nullable = run_pull(*pull_args(fake_twenty, out, "--check"))
    assert to_nullable.exit_code == 0, to_nullable.output
    assert "core.graphql: up to date" in to_nullable.stdout

    assert run_pull(*pull_args(fake_twenty, out)).exit_code == 0  # later build: nullable
    fake_twenty.serve_introspection("/graphql", load_introspection(reference_dir, "core"))
    to_non_null = run_pull(*pull_args(fake_twenty, out, "--check"))
    assert to_non_null.exit_code == 0, to_non_null.output
    assert "core.graphql: up to date" in to_non_null.stdout


def test_a_file_written_in_the_non_null_form_is_up_to_date_with_either_form(
    fake_twenty: FakeTwenty, tmp_path: Path, reference_dir: Path
) -> None:
    """A core.graphql printed before pull normalised (the raw first-build form, no header)."""
    out = tmp_path / "schema"
    out.mkdir()
    raw = print_sorted_sdl(schema_from_introspection(load_introspection(reference_dir, "core")))
    (out / "core.graphql").write_text(raw, encoding="utf-8")
    (out / "metadata.graphql").write_bytes((COMMITTED_SCHEMA_DIR / "metadata.graphql").read_bytes())
    assert "  name: String!\n  source: ActorSourceEnum!" in (out / "core.graphql").read_text()
    for served in (
        load_introspection(reference_dir, "core"),
        nullable_form(load_introspection(reference_dir, "core")),
    ):
        fake_twenty.serve_introspection("/graphql", served)
        result = run_pull(*pull_args(fake_twenty, out, "--check"))
        assert result.exit_code == 0, result.output
        assert "Actor" not in result.stdout


async def test_the_sandbox_flips_and_pull_check_ignores_it(tmp_path: Path) -> None:
    """The sandbox serves the non-null form until its first metadata change, as Twenty does;
    after a custom object is created, ``--check`` reports the object's additions only."""
    from typer.testing import CliRunner

    async with Sandbox.start(host="127.0.0.1", port=0, rate_limit=None) as sb:
        out = tmp_path / "schema"
        args = ["pull", "--url", sb.url, "--api-key", sb.api_key, "--out", str(out)]
        first = await asyncio.to_thread(CliRunner().invoke, app, args)
        assert first.exit_code == 0, first.output
        first_sdl = (out / "core.graphql").read_text("utf-8")
        async with Twenty(sb.url, sb.api_key, rate_limit="off") as twenty:
            kinds = await introspected_actor_kinds(twenty)
            assert kinds == {"name": "NON_NULL", "source": "NON_NULL"}
            await create_custom_object(twenty, "invoice", "invoices")
            assert await introspected_actor_kinds(twenty) == {"name": "SCALAR", "source": "ENUM"}
        check = await asyncio.to_thread(CliRunner().invoke, app, [*args, "--check"])
        assert check.exit_code == 1, check.output  # the new object is a real change
        assert "Invoice was added." in check.stdout
        assert "core.graphql: differs from" in check.stdout and "0 breaking" in check.stdout
        assert "Actor" not in check.stdout
        again = await asyncio.to_thread(CliRunner().invoke, app, args)
        assert again.exit_code == 0, again.output
        later_sdl = (out / "core.graphql").read_text("utf-8")
        actor_block = first_sdl[first_sdl.index("type Actor {") :].split("}\n", 1)[0]
        assert actor_block in later_sdl  # the Actor type is written the same way both times


async def introspected_actor_kinds(twenty: Twenty) -> dict[str, str]:
    answer = await twenty.execute('{ __type(name: "Actor") { fields { name type { kind } } } }')
    fields = answer["__type"]["fields"]
    return {f["name"]: f["type"]["kind"] for f in fields if f["name"] in ("name", "source")}


def test_generated_models_accept_both_forms() -> None:
    """Generated from the nullable form, the models read the first build's answers (values
    always present) and the later builds' (null allowed), and send an Actor without source."""
    from twenty_gql.generated.core.fragments import CompanyFieldsCreatedBy
    from twenty_gql.generated.core.input_types import ActorCreateInput

    given = CompanyFieldsCreatedBy.model_validate(
        {"source": "API", "name": "My api key", "workspaceMemberId": None}
    )
    assert (given.source, given.name) == ("API", "My api key")
    empty = CompanyFieldsCreatedBy.model_validate({"source": None, "name": None})
    assert (empty.source, empty.name) == (None, None)
    assert ActorCreateInput().model_dump(exclude_unset=True) == {}
    assert ActorCreateInput.model_validate({"source": "MANUAL"}).source == "MANUAL"
