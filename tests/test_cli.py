"""The `marketplace` command line: rebuild, checksums, token (demo: tests/test_demo.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from domain.base import Role
from marketplace.capability import all_projections
from marketplace.challenge.demo import load_challenge_demo
from marketplace.cli import main
from marketplace.demo import load_organisations
from marketplace.grants.demo import load_grants_demo
from marketplace.service import Marketplace
from marketplace.settings import Settings
from marketplace.tokens import jwt_secret, read_token


@pytest.fixture
def environment(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("MARKETPLACE_DATABASE_URL", database_url)
    monkeypatch.setenv("MARKETPLACE_VAR_DIR", str(tmp_path))
    monkeypatch.delenv("MARKETPLACE_JWT_SECRET", raising=False)
    return tmp_path


@pytest.fixture
def demo_environment(environment: Path, database_url: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    """`marketplace demo` loads into the demo's own store: here the test's database, every verb pointed at it."""
    monkeypatch.delenv("MARKETPLACE_DATABASE_URL")
    monkeypatch.setenv("MARKETPLACE_DEMO_DATABASE_URL", database_url)
    monkeypatch.setenv("MARKETPLACE_DEMO", "on")
    return environment


def checksums_printed(text: str) -> dict[str, str]:
    return dict(line.split(" ", 1) for line in text.strip().splitlines())


def test_rebuild_twice_prints_the_checksums_of_the_incrementally_built_views(
    demo_environment: Path, capsys: pytest.CaptureFixture[str]
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
    assert set(first) == {p.name for p in all_projections()} - {"audit_chain"}, "evidence is rebuilt only when named"


def log_head() -> int:
    market = Marketplace(Settings.from_env())
    head = market.app.recorder.max_notification_id() or 0
    market.close()
    return head


def check_report(text: str) -> dict[str, str]:
    """`name at position: verdict` lines, by name."""
    return dict(line.split(": ", 1) for line in text.strip().splitlines())


def test_a_rebuild_check_of_untouched_views_reports_every_view_ok_and_changes_nothing(
    demo_environment: Path, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["demo"])
    capsys.readouterr()
    main(["checksums"])
    before = checksums_printed(capsys.readouterr().out)
    assert main(["rebuild", "--all", "--check", "--quiet"]) == 0
    report = check_report(capsys.readouterr().out)
    assert set(report) == {f"{name} at {log_head()}" for name in before}
    assert all(verdict == f"ok {before[name.split()[0]]}" for name, verdict in report.items())
    main(["checksums"])
    assert checksums_printed(capsys.readouterr().out) == before


def test_a_rebuild_check_reports_a_view_changed_behind_the_log_and_leaves_it_for_a_person_to_see(
    demo_environment: Path, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["demo"])
    engine = create_engine(database_url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE organisations SET name = 'Tampered' WHERE identifier = 'GB-LAE-SHR'"))
    capsys.readouterr()
    assert main(["rebuild", "--all", "--check", "--quiet"]) == 1
    report = check_report(capsys.readouterr().out)
    tampered = f"organisations at {log_head()}"
    assert report[tampered].startswith("DIFFERS live ")
    assert [name for name, verdict in report.items() if not verdict.startswith("ok ")] == [tampered]
    with engine.connect() as connection:
        names = connection.execute(text("SELECT name FROM organisations WHERE identifier = 'GB-LAE-SHR'")).all()
    engine.dispose()
    assert names == [("Tampered",)], "a check rebuilds elsewhere: the live view is left as evidence"


def test_a_rebuild_check_compares_each_view_at_the_position_it_stands_at(
    environment: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker that has folded some views further than others is not a difference."""
    monkeypatch.setenv("MARKETPLACE_PROJECTION_MODE", "worker")
    market = Marketplace(Settings.from_env())
    load_organisations(market)  # the parts of the demo that need no view of their own writes
    load_grants_demo(market)
    load_challenge_demo(market)
    market.projector.catch_up(["organisations"], stop=5)
    market.projector.catch_up(["decision_log", "tenders"])
    comparisons = market.projector.check()
    stood = {c.name: c.position for c in comparisons}
    head = market.app.recorder.max_notification_id()
    assert (stood["organisations"], stood["decision_log"], stood["contracts"]) == (5, head, 0)
    assert all(c.same for c in comparisons), comparisons
    market.close()


def test_rebuild_refuses_an_unknown_view(environment: Path, capsys: pytest.CaptureFixture[str]) -> None:
    Marketplace(Settings.from_env()).close()  # the store exists
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


@pytest.mark.parametrize("verb", [["verify"], ["checksums"], ["rebuild", "--all"], ["rebuild", "--all", "--check"]])
def test_a_verb_that_reads_the_store_refuses_where_there_is_none_and_creates_nothing(
    verb: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    elsewhere = tmp_path / "another-folder"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    monkeypatch.delenv("MARKETPLACE_DATABASE_URL", raising=False)
    monkeypatch.delenv("MARKETPLACE_VAR_DIR", raising=False)
    assert main(verb) == 2
    said = capsys.readouterr()
    assert f"no event store at sqlite:///{elsewhere / 'var' / 'marketplace.db'}" in said.err
    assert "nothing was created" in said.err and said.out == ""
    assert list(elsewhere.iterdir()) == []  # not even var/
