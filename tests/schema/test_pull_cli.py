"""``twenty-gql pull`` end to end over HTTP on 127.0.0.1, through typer's CliRunner."""

from __future__ import annotations

import shutil
import socket
from pathlib import Path

import pytest
from aiohttp import web
from click.testing import Result
from typer.testing import CliRunner

from tests.schema.conftest import CANARY_KEY, COMMITTED_SCHEMA_DIR, load_introspection
from tests.schema.fake_twenty import FakeTwenty, transcript_response
from tests.schema.test_sdl import shuffled
from twenty_gql.cli import app

SCHEMA_FILES = ("core.graphql", "metadata.graphql")


def run_pull(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(app, ["pull", *args], env=env or {})


def pull_args(fake: FakeTwenty, out: Path, *extra: str) -> list[str]:
    return ["--url", fake.url, "--api-key", CANARY_KEY, "--out", str(out), *extra]


def assert_clean_failure(result: Result, exit_code: int, *fragments: str) -> str:
    """One error line on stderr, the given exit code, no traceback, no key anywhere."""
    assert result.exit_code == exit_code, (result.stdout, result.stderr)
    assert isinstance(result.exception, SystemExit)
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("twenty-gql pull: error: ")
    for fragment in fragments:
        assert fragment in lines[0]
    assert "Traceback" not in result.output
    assert CANARY_KEY not in result.output
    return lines[0]


def committed_copy(tmp_path: Path) -> Path:
    out = tmp_path / "schema"
    out.mkdir()
    for name in SCHEMA_FILES:
        shutil.copy2(COMMITTED_SCHEMA_DIR / name, out / name)
    return out


def test_pull_writes_the_committed_files(fake_twenty: FakeTwenty, tmp_path: Path) -> None:
    out = tmp_path / "new" / "schema"
    result = run_pull(*pull_args(fake_twenty, out))
    assert result.exit_code == 0, result.output
    for name in SCHEMA_FILES:
        assert (out / name).read_bytes() == (COMMITTED_SCHEMA_DIR / name).read_bytes()
        assert f"{out / name}: updated" in result.stdout
        assert CANARY_KEY not in (out / name).read_text("utf-8")
    assert sorted(p.name for p in out.iterdir()) == sorted(SCHEMA_FILES)  # no temp files left
    assert {path for path, _ in fake_twenty.seen_auth} == {"/graphql", "/metadata"}
    assert {auth for _, auth in fake_twenty.seen_auth} == {f"Bearer {CANARY_KEY}"}
    assert CANARY_KEY not in result.output


def test_pull_twice_is_byte_identical_even_when_the_server_reorders(
    fake_twenty: FakeTwenty, tmp_path: Path, reference_dir: Path
) -> None:
    out = tmp_path / "schema"
    assert run_pull(*pull_args(fake_twenty, out)).exit_code == 0
    first = {name: (out / name).read_bytes() for name in SCHEMA_FILES}
    mtimes = {name: (out / name).stat().st_mtime_ns for name in SCHEMA_FILES}

    fake_twenty.serve_introspection(
        "/graphql", shuffled(load_introspection(reference_dir, "core"), 1)
    )
    fake_twenty.serve_introspection(
        "/metadata", shuffled(load_introspection(reference_dir, "metadata"), 2)
    )
    second = run_pull(*pull_args(fake_twenty, out))
    assert second.exit_code == 0, second.output
    for name in SCHEMA_FILES:
        assert (out / name).read_bytes() == first[name]
        assert (out / name).stat().st_mtime_ns == mtimes[name]  # unchanged files are not rewritten
        assert f"{out / name}: unchanged" in second.stdout


def test_url_and_key_come_from_the_environment(fake_twenty: FakeTwenty, tmp_path: Path) -> None:
    out = tmp_path / "schema"
    env = {"TWENTY_API_URL": fake_twenty.url + "/graphql", "TWENTY_API_KEY": CANARY_KEY}
    result = run_pull("--out", str(out), env=env)
    assert result.exit_code == 0, result.output
    assert (out / "core.graphql").read_bytes() == (
        COMMITTED_SCHEMA_DIR / "core.graphql"
    ).read_bytes()


def test_check_is_exit_0_when_identical(fake_twenty: FakeTwenty, tmp_path: Path) -> None:
    out = committed_copy(tmp_path)
    result = run_pull(*pull_args(fake_twenty, out, "--check"))
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        f"{out / 'core.graphql'}: up to date with {fake_twenty.url}/graphql",
        f"{out / 'metadata.graphql'}: up to date with {fake_twenty.url}/metadata",
    ]


def company_type(introspection: dict[str, object]) -> dict[str, object]:
    types = introspection["data"]["__schema"]["types"]  # type: ignore[index]
    return next(t for t in types if t["name"] == "Company")


def test_check_reports_a_removed_field_as_breaking(
    fake_twenty: FakeTwenty, tmp_path: Path, reference_dir: Path
) -> None:
    out = committed_copy(tmp_path)
    before = {name: (out / name).read_bytes() for name in SCHEMA_FILES}
    live = load_introspection(reference_dir, "core")
    company = company_type(live)
    fields = company["fields"]
    assert isinstance(fields, list) and any(f["name"] == "tagline" for f in fields)
    company["fields"] = [f for f in fields if f["name"] != "tagline"]
    fake_twenty.serve_introspection("/graphql", live)

    result = run_pull(*pull_args(fake_twenty, out, "--check"))
    assert result.exit_code == 1, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == (
        f"{out / 'core.graphql'}: differs from {fake_twenty.url}/graphql: "
        "1 breaking, 0 dangerous, 0 safe"
    )
    assert lines[1].split() == ["breaking", "FIELD_REMOVED", "Company.tagline", "was", "removed."]
    assert lines[2] == f"{out / 'metadata.graphql'}: up to date with {fake_twenty.url}/metadata"
    assert len(lines) == 3
    assert {name: (out / name).read_bytes() for name in SCHEMA_FILES} == before  # nothing written


def test_check_reports_an_added_field_as_safe(
    fake_twenty: FakeTwenty, tmp_path: Path, reference_dir: Path
) -> None:
    out = committed_copy(tmp_path)
    live = load_introspection(reference_dir, "core")
    fields = company_type(live)["fields"]
    assert isinstance(fields, list)
    fields.append(
        {
            "name": "loyaltyTier",
            "description": "Added by a workspace admin",
            "args": [],
            "type": {"kind": "SCALAR", "name": "String", "ofType": None},
            "isDeprecated": False,
            "deprecationReason": None,
        }
    )
    fake_twenty.serve_introspection("/graphql", live)

    result = run_pull(*pull_args(fake_twenty, out, "--check"))
    assert result.exit_code == 1, result.output
    lines = result.stdout.splitlines()
    assert lines[0].endswith(": 0 breaking, 0 dangerous, 1 safe")
    assert lines[1].split() == ["safe", "FIELD_ADDED", "Company.loyaltyTier", "was", "added."]


def unused_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def test_unreachable_server(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{unused_port()}"
    out = tmp_path / "schema"
    result = run_pull("--url", url, "--api-key", CANARY_KEY, "--out", str(out))
    assert_clean_failure(result, 3, f"cannot connect to {url}/graphql")
    assert not out.exists()


def plain_text(status: int, text: str) -> web.Response:
    return web.Response(status=status, text=text, content_type="text/html")


@pytest.mark.parametrize(
    ("endpoint", "status", "fragment"),
    [
        ("/graphql", 200, "/graphql did not answer with JSON (HTTP 200, text/html"),
        ("/graphql", 502, "/graphql did not answer with JSON (HTTP 502"),
        ("/metadata", 500, "/metadata did not answer with JSON (HTTP 500"),
    ],
)
def test_non_json_answer(
    fake_twenty: FakeTwenty, tmp_path: Path, endpoint: str, status: int, fragment: str
) -> None:
    fake_twenty.overrides[endpoint] = lambda _request: plain_text(status, "<h1>Bad gateway</h1>")
    out = tmp_path / "schema"
    assert_clean_failure(run_pull(*pull_args(fake_twenty, out)), 3, fragment)
    assert not (out / "core.graphql").exists()


def test_invalid_key_is_rejected(fake_twenty: FakeTwenty, tmp_path: Path) -> None:
    out = tmp_path / "schema"
    args = ["--url", fake_twenty.url, "--api-key", "wrong-" + CANARY_KEY, "--out", str(out)]
    line = assert_clean_failure(
        run_pull(*args), 3, "the API key was not accepted by", "/graphql", "Token invalid."
    )
    assert "UNAUTHENTICATED" in line
    assert not out.exists()


def test_ignored_key_unauthenticated_schema_is_rejected(
    fake_twenty: FakeTwenty, tmp_path: Path
) -> None:
    fake_twenty.ignore_auth = True  # e.g. a proxy that drops the Authorization header
    out = tmp_path / "schema"
    assert_clean_failure(
        run_pull(*pull_args(fake_twenty, out)),
        3,
        f"the API key was not accepted by {fake_twenty.url}/graphql",
        "unauthenticated schema",
    )
    assert not out.exists()


def test_forbidden_metadata_is_rejected(
    fake_twenty: FakeTwenty, tmp_path: Path, reference_dir: Path
) -> None:
    # /graphql accepts the key, /metadata answers as it does without a token (transcript 46).
    forbidden = transcript_response(reference_dir, "46")
    fake_twenty.overrides["/metadata"] = lambda _request: web.json_response(forbidden)
    out = tmp_path / "schema"
    assert_clean_failure(
        run_pull(*pull_args(fake_twenty, out)),
        3,
        f"the API key was not accepted by {fake_twenty.url}/metadata",
        "Forbidden resource (FORBIDDEN)",
    )
    assert not out.exists()


def test_a_key_echoed_by_the_server_is_masked(fake_twenty: FakeTwenty, tmp_path: Path) -> None:
    fake_twenty.overrides["/graphql"] = lambda request: web.json_response(
        {"errors": [{"message": f"bad token {request.headers['Authorization']}\nat line 3"}]}
    )
    line = assert_clean_failure(run_pull(*pull_args(fake_twenty, tmp_path / "s")), 3, "***")
    assert "bad token Bearer *** at line 3" in line


@pytest.mark.parametrize(
    ("args", "env", "fragment"),
    [
        ([], {}, "no workspace URL: pass --url or set TWENTY_API_URL"),
        (["--url", "http://127.0.0.1:9"], {}, "no API key: pass --api-key or set TWENTY_API_KEY"),
        (["--api-key", CANARY_KEY], {"TWENTY_API_URL": "ftp://x"}, "must start with http://"),
        (["--url", "http://127.0.0.1:9", "--api-key", "two words"], {}, "white space"),
        (["--url", "http://127.0.0.1:abc", "--api-key", CANARY_KEY], {}, "URL is not valid"),
        (["--url", "http://u:p@127.0.0.1:9", "--api-key", CANARY_KEY], {}, "user name or password"),
    ],
)
def test_configuration_errors_exit_2(args: list[str], env: dict[str, str], fragment: str) -> None:
    assert_clean_failure(run_pull(*args, env=env), 2, fragment)


def test_check_without_committed_files_exits_2(fake_twenty: FakeTwenty, tmp_path: Path) -> None:
    out = tmp_path / "empty"
    assert_clean_failure(
        run_pull(*pull_args(fake_twenty, out, "--check")),
        2,
        f"{out / 'core.graphql'} does not exist",
    )


def test_check_with_a_broken_committed_file_exits_2(
    fake_twenty: FakeTwenty, tmp_path: Path
) -> None:
    out = committed_copy(tmp_path)
    (out / "metadata.graphql").write_text("type Query {", encoding="utf-8")
    assert_clean_failure(
        run_pull(*pull_args(fake_twenty, out, "--check")),
        2,
        f"{out / 'metadata.graphql'} is not valid SDL",
    )


def test_unknown_option_is_a_usage_error() -> None:
    result = run_pull("--no-such-option")
    assert result.exit_code == 2
    assert "No such option" in result.stderr


def test_out_that_is_a_file_exits_2(fake_twenty: FakeTwenty, tmp_path: Path) -> None:
    out = tmp_path / "schema"
    out.write_text("not a directory", encoding="utf-8")
    assert_clean_failure(run_pull(*pull_args(fake_twenty, out)), 2, f"cannot write to {out}")
    assert out.read_text("utf-8") == "not a directory"
