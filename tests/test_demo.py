"""`marketplace demo` (marketplace/demo.py): a whole council marketplace made by the real commands on a clock the demo
moves, loaded into the demo's own store once however often it runs, and rebuilt to the same views; and the demo
clock offset a demo server may run on, refused in production settings."""

from __future__ import annotations

import contextlib
import io
import os
import shutil
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient
from sqlalchemy import make_url, select

from api.app import create_app
from domain.base import Role
from marketplace.cli import main
from marketplace.demo import HISTORY, load_demo
from marketplace.service import Marketplace
from marketplace.settings import OFFSET_IN_PRODUCTION, OFFSET_OFF_A_DEMO, Settings, clock_offset
from projections.batch import utc
from projections.tendering.tenders import tenders
from tests.conftest import SECRET, bearer, event_count

OFFICER = bearer(Role.COMMISSIONER, "GB-LAE-SHR", "cathy")
LOADED = [
    "loaded 14 organisations",
    "loaded 12 care micro-enterprise steps (applications, evidence, checks, approvals)",
    "loaded 77 tendering steps (tenders, bids, evaluations, awards, contracts)",
    "loaded 8 grant records (a programme and its applications)",
    "loaded 14 challenge records (services, expressions of interest and a tender)",
]
DEMO = {"MARKETPLACE_DEMO": "on"}


@pytest.fixture
def demo_store(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The demo's store is the test's database; the marketplace's own is another file, which the demo never makes."""
    monkeypatch.setenv("MARKETPLACE_DEMO_DATABASE_URL", database_url)
    monkeypatch.setenv("MARKETPLACE_DATABASE_URL", f"sqlite:///{tmp_path / 'production.db'}")
    monkeypatch.setenv("MARKETPLACE_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("MARKETPLACE_JWT_SECRET", SECRET)
    monkeypatch.setenv("MARKETPLACE_TICK_SECONDS", "0")
    for setting in ("MARKETPLACE_DEMO", "MARKETPLACE_CLOCK_OFFSET", "MARKETPLACE_DEV_TOKENS", "MARKETPLACE_DEV_SECRET"):
        monkeypatch.delenv(setting, raising=False)
    return tmp_path


def load(capsys: pytest.CaptureFixture[str]) -> list[str]:
    assert main(["demo"]) == 0
    return capsys.readouterr().out.splitlines()


@pytest.fixture(scope="module")
def sqlite_demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    """One demo loaded into a SQLite store for the module, copied for each test: a load takes seconds."""
    made = tmp_path_factory.mktemp("demo")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("MARKETPLACE_DEMO_DATABASE_URL", f"sqlite:///{made / 'demo.db'}")
        env.setenv("MARKETPLACE_VAR_DIR", str(made))
        env.setenv("MARKETPLACE_JWT_SECRET", SECRET)
        env.delenv("MARKETPLACE_DATABASE_URL", raising=False)
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            assert main(["demo"]) == 0
    return made / "demo.db", printed.getvalue().splitlines()


@pytest.fixture
def loaded(demo_store: Path, database_url: str, request: pytest.FixtureRequest) -> Path:
    """The demo loaded into the test's store, its first load having printed what it loaded."""
    if database_url.startswith("sqlite"):
        template, printed = request.getfixturevalue("sqlite_demo")
        for suffix in ("", "-wal", "-shm"):
            if Path(f"{template}{suffix}").exists():
                shutil.copy(f"{template}{suffix}", f"{make_url(database_url).database}{suffix}")
    else:
        printed = load(request.getfixturevalue("capsys"))
    assert printed == LOADED
    return demo_store


def demo_settings(**env: str) -> Settings:
    return Settings.from_env({**os.environ, **DEMO, **env})


@pytest.fixture
def served(loaded: Path) -> Iterator[TestClient[Any]]:
    market = Marketplace(demo_settings())
    with TestClient(create_app(market)) as client:
        yield client
    market.close()


def statuses(client: TestClient[Any], query: str = "", **headers: str) -> set[str]:
    answer = client.get(f"/tenders{query}", headers=headers)
    assert answer.status_code == 200, answer.text
    return {tender["status"] for tender in answer.json()["items"]}


def listed(client: TestClient[Any]) -> set[str]:
    answer = client.get("/directory")
    assert answer.status_code == 200, answer.text
    return {entry["name"] for entry in answer.json()["items"]}


def test_the_demo_loads_into_its_own_store_once_however_often_it_runs(
    loaded: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    market = Marketplace(demo_settings())
    events = event_count(market)
    assert main(["demo"]) == 0
    assert capsys.readouterr().out.splitlines() == [line.replace(line.split()[1], "0", 1) for line in LOADED]
    assert event_count(market) == events
    market.close()
    assert not (loaded / "production.db").exists(), "the marketplace's own database is never the demo's"


def test_on_the_system_clock_the_demos_records_fall_in_its_past_and_the_clock_is_given_back(tmp_path: Path) -> None:
    market = Marketplace(
        Settings(database_url=f"sqlite:///{tmp_path / 'demo.db'}", var_dir=tmp_path, jwt_secret=SECRET)
    )
    clock, before = market.clock, datetime.now(timezone.utc)
    load_demo(market)
    assert market.clock is clock and market.commands.clock is clock
    with market.views() as session:
        published = [utc(moment) for moment in session.scalars(select(tenders.c.published_at)) if moment]
    assert before - HISTORY < min(published) < max(published) <= datetime.now(timezone.utc)
    assert min(published) < before - timedelta(weeks=10), "the oldest tender was published months ago"
    market.close()


def test_the_tender_list_shows_tenders_in_at_least_six_states(served: TestClient[Any]) -> None:
    shown = statuses(served)
    assert len(shown) >= 6, shown
    assert {"tendering", "closed", "evaluation", "complete", "cancelled"} <= shown
    assert statuses(served, "?status=draft", **OFFICER) == {"draft"}, "and a draft, for the council's eyes only"
    assert statuses(served, "?status=draft") == set()


def test_the_directory_lists_the_listed_micro_enterprises_but_not_the_pending_or_the_lapsed(
    served: TestClient[Any],
) -> None:
    assert listed(served) == {"Helping Hands Bishop's Castle", "Clun Valley Community Shop Ltd"}


def test_a_rebuild_check_of_the_demo_store_is_ok(
    loaded: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("MARKETPLACE_DEMO", "on")
    assert main(["rebuild", "--all", "--check", "--quiet"]) == 0
    report = capsys.readouterr().out.splitlines()
    assert report and all(": ok " in line for line in report), report


def test_a_clock_offset_moves_the_servers_now_and_the_chronograph_ends_a_standstill(
    loaded: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("MARKETPLACE_DEMO", "on")
    monkeypatch.setenv("MARKETPLACE_CLOCK_OFFSET", "3w")
    ahead = demo_settings().clock().now() - datetime.now(timezone.utc)
    assert timedelta(weeks=3) - timedelta(seconds=5) < ahead <= timedelta(weeks=3)
    assert main(["tick"]) == 0
    assert "standstill ended: 1" in capsys.readouterr().out
    assert main(["token", "--role", "commissioner", "--org", "GB-LAE-SHR", "--sub", "trainer"]) == 0
    token = capsys.readouterr().out.strip()
    app = create_app(settings=demo_settings())  # as each of serve's workers builds it: the clock from the settings
    with TestClient(app) as client:
        assert "standstill" not in statuses(client), "its standstill over, the award stands"
        drafts = statuses(client, "?status=draft", Authorization=f"Bearer {token}")
        assert drafts == {"draft"}, "a token issued now is good on the offset clock"
        assert listed(client) == {"Helping Hands Bishop's Castle"}, "Clun Valley's insurance has expired by then"
    app.state.market.close()


def test_a_clock_offset_is_refused_in_production_settings_and_off_a_demo_store(demo_store: Path) -> None:
    with pytest.raises(ValueError, match="refused in production settings") as refused:
        demo_settings(MARKETPLACE_CLOCK_OFFSET="10d", MARKETPLACE_DEV_TOKENS="off")
    assert str(refused.value) == OFFSET_IN_PRODUCTION
    with pytest.raises(ValueError, match="refused in production settings"):
        demo_settings(MARKETPLACE_CLOCK_OFFSET="10d", MARKETPLACE_DEV_SECRET="off")
    with pytest.raises(ValueError) as off_a_demo:
        demo_settings(MARKETPLACE_CLOCK_OFFSET="10d", MARKETPLACE_DEMO="off")
    assert str(off_a_demo.value) == OFFSET_OFF_A_DEMO
    assert demo_settings(MARKETPLACE_CLOCK_OFFSET="10d").clock_offset == timedelta(days=10)


def test_a_server_on_a_refused_offset_does_not_start(
    demo_store: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("MARKETPLACE_DEMO", "on")
    monkeypatch.setenv("MARKETPLACE_CLOCK_OFFSET", "10d")
    monkeypatch.setenv("MARKETPLACE_DEV_TOKENS", "off")
    with pytest.raises(SystemExit) as stopped:
        main(["serve", "--port", "18150"])
    assert stopped.value.code == 2
    assert "MARKETPLACE_CLOCK_OFFSET" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("written", "offset"),
    [("10d", timedelta(days=10)), ("+36h", timedelta(hours=36)), ("1w2d", timedelta(days=9)), ("", timedelta(0))],
)
def test_a_clock_offset_is_weeks_days_hours_and_minutes_forward(written: str, offset: timedelta) -> None:
    assert clock_offset(written) == offset


@pytest.mark.parametrize("written", ["-2d", "10 days", "2d1w", "d", "400d", "P10D"])
def test_a_clock_offset_that_is_not_forward_or_not_in_the_documented_form_is_refused(written: str) -> None:
    with pytest.raises(ValueError, match="MARKETPLACE_CLOCK_OFFSET must move the clock forward"):
        clock_offset(written)


def test_the_demo_store_is_never_the_marketplaces_own_database(demo_store: Path, database_url: str) -> None:
    with pytest.raises(ValueError, match="the demo needs a database of its own"):
        demo_settings(MARKETPLACE_DATABASE_URL=database_url)
