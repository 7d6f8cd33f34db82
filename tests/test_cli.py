"""The `marketplace` command line: demo, rebuild, checksums, token."""

from __future__ import annotations

from pathlib import Path

import pytest

from domain.base import Role
from marketplace.cli import main
from marketplace.settings import Settings
from marketplace.tokens import jwt_secret, read_token


@pytest.fixture
def environment(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("MARKETPLACE_DATABASE_URL", database_url)
    monkeypatch.setenv("MARKETPLACE_VAR_DIR", str(tmp_path))
    monkeypatch.delenv("MARKETPLACE_JWT_SECRET", raising=False)
    return tmp_path


def checksums_printed(text: str) -> dict[str, str]:
    return dict(line.split(" ", 1) for line in text.strip().splitlines())


def test_demo_loads_the_council_and_a_dozen_providers_once(
    environment: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["demo"]) == 0
    assert main(["demo"]) == 0
    assert capsys.readouterr().out.splitlines() == ["loaded 13 organisations", "loaded 0 organisations"]


def test_rebuild_twice_prints_the_checksums_of_the_incrementally_built_views(
    environment: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["demo"])
    capsys.readouterr()
    main(["checksums"])
    incremental = checksums_printed(capsys.readouterr().out)
    main(["rebuild", "--all", "--quiet"])
    first = checksums_printed(capsys.readouterr().out)
    main(["rebuild", "organisations"])
    second = checksums_printed(capsys.readouterr().out)
    assert first == incremental
    assert second == {"organisations": incremental["organisations"]}
    assert set(first) == {
        "organisations",
        "tenders",
        "evaluations",
        "awards",
        "contracts",
        "registrations",
    }, "the audit chain is evidence: rebuilt only when named"


def test_rebuild_refuses_an_unknown_view(environment: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rebuild", "nonesuch"]) == 2
    assert "unknown projection" in capsys.readouterr().err


def test_token_without_a_configured_secret_uses_a_development_secret_kept_under_var(
    environment: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    assert main(["token", "--role", "provider", "--org", "GB-CHC-1234567", "--sub", "pat"]) == 0
    token = capsys.readouterr().out.strip()
    assert (environment / "dev-jwt-secret").exists()
    assert "MARKETPLACE_JWT_SECRET is not set" in caplog.text
    actor = read_token(jwt_secret(Settings.from_env()), token)
    assert (actor.subject, actor.organisation, actor.role) == ("pat", "GB-CHC-1234567", Role.PROVIDER)
