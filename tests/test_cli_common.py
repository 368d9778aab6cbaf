"""The options every workspace command shares: a bad one is named as the user gave it."""

from __future__ import annotations

import pytest
import typer

from twenty_gql.cli.common import EXIT_CONFIG, settings_from_options


def _failure(capsys: pytest.CaptureFixture[str], profile: str | None) -> str:
    with pytest.raises(typer.Exit) as caught:
        settings_from_options("export", "http://127.0.0.1:3000", "k", profile, None)
    assert caught.value.exit_code == EXIT_CONFIG
    return capsys.readouterr().err


def test_a_bad_profile_option_is_named_as_the_option(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TWENTY_PROFILE", raising=False)
    err = _failure(capsys, "moon")
    assert err.startswith("twenty-gql export: error: --profile: unknown server profile 'moon'")


def test_a_bad_profile_from_the_environment_is_named_as_the_variable(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TWENTY_PROFILE", "moon")
    err = _failure(capsys, None)
    assert err.startswith("twenty-gql export: error: $TWENTY_PROFILE: unknown server profile")
    assert "--profile" not in err
