"""The library API behind ``pull``: pull_schemas, write_schemas, check_schemas, and the
installed ``twenty-gql`` entry point in a real subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from aiohttp import web

from tests.schema.conftest import CANARY_KEY, COMMITTED_SCHEMA_DIR, load_introspection
from tests.schema.fake_twenty import FakeTwenty
from twenty_gql.config import Settings
from twenty_gql.errors import AuthenticationError, ProtocolError, TransportError
from twenty_gql.schema.introspection import (
    ApiKeyRejectedError,
    ServerErrorAnswer,
    ServerUnreachableError,
    UnexpectedAnswerError,
    fetch_introspection,
    mask_key,
)
from twenty_gql.schema.pull import PulledSchemas, check_schemas, pull_schemas, write_schemas


def settings_for(fake: FakeTwenty, key: str = CANARY_KEY) -> Settings:
    return Settings.create(fake.url, key)


async def test_pull_schemas_returns_both_sorted_schemas(fake_twenty: FakeTwenty) -> None:
    pulled = await pull_schemas(settings_for(fake_twenty))
    assert pulled.core.sdl == (COMMITTED_SCHEMA_DIR / "core.graphql").read_text("utf-8")
    assert pulled.metadata.sdl == (COMMITTED_SCHEMA_DIR / "metadata.graphql").read_text("utf-8")
    assert pulled.core.url == f"{fake_twenty.url}/graphql"
    assert pulled.core.schema.query_type is not None
    assert "companies" in pulled.core.schema.query_type.fields
    assert [item.name for item in pulled] == ["core", "metadata"]


async def test_error_types(fake_twenty: FakeTwenty, reference_dir: Path) -> None:
    with pytest.raises(ApiKeyRejectedError, match="Token invalid") as rejected:
        await pull_schemas(settings_for(fake_twenty, key="not-a-jwt"))
    assert rejected.value.url == f"{fake_twenty.url}/graphql"
    assert isinstance(rejected.value, AuthenticationError)  # part of the one exception tree
    assert rejected.value.code == "UNAUTHENTICATED"
    assert "not-a-jwt" not in str(rejected.value)

    fake_twenty.ignore_auth = True
    with pytest.raises(ApiKeyRejectedError, match="unauthenticated schema"):
        await pull_schemas(settings_for(fake_twenty))


async def test_graphql_errors_without_auth_code_are_server_errors(
    fake_twenty: FakeTwenty,
) -> None:
    fake_twenty.overrides["/metadata"] = lambda _r: web.json_response(
        {"errors": [{"message": "boom", "extensions": {"code": "INTERNAL_SERVER_ERROR"}}]}
    )
    with pytest.raises(ServerErrorAnswer, match=r"/metadata answered .*: boom \(INTERNAL_SERVER"):
        await pull_schemas(settings_for(fake_twenty))


async def test_json_without_introspection_result(fake_twenty: FakeTwenty) -> None:
    fake_twenty.overrides["/graphql"] = lambda _r: web.json_response({"data": {"x": 1}})
    with pytest.raises(ProtocolError, match=r"no data\.__schema") as raised:
        await fetch_introspection(f"{fake_twenty.url}/graphql", settings_for(fake_twenty).api_key)
    assert isinstance(raised.value, UnexpectedAnswerError)


async def test_timeout_is_reported_as_unreachable(fake_twenty: FakeTwenty) -> None:
    def hang(_request: web.Request) -> web.Response:
        time.sleep(0.5)  # blocks only the fake server's own loop thread
        return web.json_response({})

    fake_twenty.overrides["/graphql"] = hang
    with pytest.raises(TransportError, match=r"did not answer within the timeout") as raised:
        await fetch_introspection(
            f"{fake_twenty.url}/graphql", settings_for(fake_twenty).api_key, timeout_s=0.1
        )
    assert isinstance(raised.value, ServerUnreachableError)


@pytest.fixture
async def pulled(fake_twenty: FakeTwenty) -> PulledSchemas:
    return await pull_schemas(settings_for(fake_twenty))


def test_write_replaces_atomically_and_keeps_the_mode(
    pulled: PulledSchemas, tmp_path: Path
) -> None:
    (tmp_path / "core.graphql").write_text("old", encoding="utf-8")
    os.chmod(tmp_path / "core.graphql", 0o640)
    results = write_schemas(pulled, tmp_path)
    assert [(r.path.name, r.changed) for r in results] == [
        ("core.graphql", True),
        ("metadata.graphql", True),
    ]
    assert (tmp_path / "core.graphql").read_text("utf-8") == pulled.core.sdl
    assert (tmp_path / "core.graphql").stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["core.graphql", "metadata.graphql"]
    assert [r.changed for r in write_schemas(pulled, tmp_path)] == [False, False]


def test_failed_write_leaves_the_old_file_and_no_temp_file(
    pulled: PulledSchemas, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "core.graphql").write_text("old", encoding="utf-8")

    def refuse(*_args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(OSError, match="No space left"):
        write_schemas(pulled, tmp_path)
    assert (tmp_path / "core.graphql").read_text("utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["core.graphql"]


def test_check_schemas_against_committed_files(
    pulled: PulledSchemas, tmp_path: Path, reference_dir: Path
) -> None:
    write_schemas(pulled, tmp_path)
    diffs = check_schemas(pulled, tmp_path)
    assert not diffs["core"] and not diffs["metadata"]
    committed = (tmp_path / "metadata.graphql").read_text("utf-8")
    (tmp_path / "metadata.graphql").write_text(committed + "\ntype Extra {\n  id: ID\n}\n")
    diffs = check_schemas(pulled, tmp_path)
    assert [c.description for c in diffs["metadata"].breaking] == ["Extra was removed."]
    assert load_introspection(reference_dir, "core")  # the fixture stays intact


def test_installed_entry_point_in_a_subprocess(fake_twenty: FakeTwenty, tmp_path: Path) -> None:
    env = {**os.environ, "TWENTY_API_URL": fake_twenty.url, "TWENTY_API_KEY": CANARY_KEY}
    cli = Path(sys.executable).with_name("twenty-gql")
    out = tmp_path / "schema"
    ok = subprocess.run(
        [str(cli), "pull", "--out", str(out)], env=env, capture_output=True, text=True, timeout=120
    )
    assert ok.returncode == 0, ok.stderr
    assert (out / "core.graphql").read_bytes() == (
        COMMITTED_SCHEMA_DIR / "core.graphql"
    ).read_bytes()

    env["TWENTY_API_KEY"] = "wrong" + CANARY_KEY
    bad = subprocess.run(
        [str(cli), "pull", "--check", "--out", str(out)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert bad.returncode == 3
    assert bad.stderr.count("\n") == 1 and "Traceback" not in bad.stderr
    assert "the API key was not accepted" in bad.stderr
    assert CANARY_KEY not in bad.stderr + bad.stdout


@pytest.mark.parametrize(
    ("key", "text", "expected"),
    [
        (CANARY_KEY, f"token=x{CANARY_KEY}y", "token=x***y"),
        ("k", "Name or service not known", "Name or service not known"),
        ("k", "Bearer k rejected", "Bearer *** rejected"),
        ("abc-1", "bad key 'abc-1'; abc-12 is fine", "bad key '***'; abc-12 is fine"),
    ],
)
def test_mask_key(key: str, text: str, expected: str) -> None:
    from twenty_gql.config import ApiKey

    assert mask_key(text, ApiKey(key)) == expected
