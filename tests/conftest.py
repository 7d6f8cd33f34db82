"""Shared fixtures: a real database (SQLite file, or PostgreSQL when configured), a fixed clock, tokens."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import create_engine, make_url, text

from api.app import create_app, serve_another
from domain.base import Actor, Role
from marketplace.clock import FixedClock
from marketplace.demo import load_organisations
from marketplace.notifications.mail import MailSettings
from marketplace.service import Marketplace
from marketplace.settings import Settings
from marketplace.tokens import issue_token

SECRET = "test-secret-" + "x" * 32
COUNCIL = "GB-LAE-SHR"


def worker_database(url: str) -> str:
    """Each xdist worker resets its own database (`<name>_gw0`, ...), made on first use beside the one named."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not url or not worker:
        return url
    base = make_url(url)
    name = f"{base.database}_{worker}"
    engine = create_engine(base, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        found = connection.execute(text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}).first()
        if found is None:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


POSTGRES_URL = worker_database(os.environ.get("MARKETPLACE_TEST_POSTGRES_URL", ""))


_EMPTY_EVERY_TABLE = text(
    """DO $$ DECLARE found record; BEGIN
    FOR found IN SELECT tablename FROM pg_tables WHERE schemaname = 'public' LOOP
        EXECUTE format('DELETE FROM %I', found.tablename);
    END LOOP;
    FOR found IN SELECT sequencename FROM pg_sequences WHERE schemaname = 'public' LOOP
        EXECUTE format('ALTER SEQUENCE %I RESTART', found.sequencename);
    END LOOP;
    END $$"""
)
_SCHEMA_MADE: set[str] = set()  # the databases whose schema this process dropped and made afresh


def reset_postgres(url: str) -> None:
    """Every PostgreSQL test starts from empty tables and restarted sequences. The schema is dropped and made
    afresh on a process's first use of the database (a schema left by an older version may differ) and whenever
    emptying fails; otherwise its tables are emptied, a quarter of the time of making them again (each test's
    Marketplace makes any table a test dropped)."""
    engine = create_engine(url)
    try:
        if url in _SCHEMA_MADE:
            try:
                with engine.begin() as connection:
                    connection.execute(_EMPTY_EVERY_TABLE)
                return
            except Exception:
                _SCHEMA_MADE.discard(url)
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        _SCHEMA_MADE.add(url)
    finally:
        engine.dispose()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """A module marked `request_layer` tests what the API refuses or answers before any database is asked
    (decoding, tokens, query parameters, the OpenAPI document): once, on SQLite, is enough."""
    once = [item for item in items if item.get_closest_marker("request_layer") and _on_postgres(item)]
    if once:
        config.hook.pytest_deselected(items=once)
        items[:] = [item for item in items if item not in once]


def _on_postgres(item: pytest.Item) -> bool:
    callspec = getattr(item, "callspec", None)
    return callspec is not None and callspec.params.get("database_url") == "postgres"


_send = TestClient.send


def _send_and_check_refusals(client: TestClient[Any], request: Any, **kwargs: Any) -> Any:
    """Every refusal or failure the suite receives must be problem+json (RFC 9457), whatever the route."""
    response = _send(client, request, **kwargs)
    if response.status_code >= 400 and request.method != "HEAD":
        kind = response.headers.get("content-type", "")
        assert kind == "application/problem+json", f"{request.method} {request.url} {response.status_code}: {kind}"
        assert {"type", "title", "status", "detail"} <= response.json().keys(), response.text
    return response


@pytest.fixture(autouse=True)
def every_refusal_is_problem_json(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(TestClient, "send", _send_and_check_refusals)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'marketplace.db'}"
    if not POSTGRES_URL:
        pytest.skip("MARKETPLACE_TEST_POSTGRES_URL is not set")
    reset_postgres(POSTGRES_URL)
    return POSTGRES_URL


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    # write_rate=0: the suites write hundreds of times with one token; tests/test_api_throttle.py sets a limit
    return Settings(
        database_url=database_url,
        jwt_secret=SECRET,
        var_dir=tmp_path,
        tick_seconds=0,
        write_rate=0,
        mail=MailSettings(post_seconds=0),  # a test posts letters when it means to
    )


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc))


@pytest.fixture
def market(settings: Settings, clock: FixedClock) -> Iterator[Marketplace]:
    market = Marketplace(settings, clock)
    yield market
    market.close()


APPS: dict[str, Litestar] = {}  # one app per settings in each worker: building one costs more than most tests


def app_for(market: Marketplace) -> Litestar:
    """An app serving this marketplace: the worker's app for its settings, pointed at it (api.app.serve_another).
    Settings whose app keeps state of its own between requests (a write limit's buckets) get a new app."""
    settings = market.settings
    if settings.write_rate > 0:
        return create_app(market)
    key = repr(replace(settings, database_url="", var_dir=Path()))
    app = APPS.get(key)
    if app is None:
        app = APPS[key] = create_app(market)
    else:
        serve_another(app, market)
    return app


@pytest.fixture
def client(market: Marketplace) -> Iterator[TestClient[Any]]:
    with TestClient(app_for(market)) as client:
        yield client


def bearer(role: Role, organisation: str = COUNCIL, subject: str = "") -> dict[str, str]:
    actor = Actor(subject or f"{role.value}-1", organisation, role)
    return {"Authorization": f"Bearer {issue_token(SECRET, actor)}"}


@pytest.fixture
def commissioner() -> dict[str, str]:
    return bearer(Role.COMMISSIONER, COUNCIL, "cathy")


@pytest.fixture
def auditor() -> dict[str, str]:
    return bearer(Role.AUDITOR, COUNCIL, "audrey")


def registration(identifier: str = "GB-CHC-1234567", **overrides: Any) -> dict[str, Any]:
    """A valid registration body, with any field replaced."""
    body: dict[str, Any] = {
        "identifier": identifier,
        "name": "Shropshire Rural Befrienders",
        "legal_form": "charitable-trust",
        "size": "small",
        "vcse": True,
        "address": {"line1": "4 Mill Street", "town": "Ludlow", "postcode": "SY8 1BB"},
        "contact": {"name": "Ann Example", "email": "ann@example.org"},
    }
    body.update(overrides)
    return body


def event_count(market: Marketplace) -> int:
    """Stored events (not the highest id: PostgreSQL sequences skip ids after a failed append)."""
    with market.engine.connect() as connection:
        return int(connection.execute(text("SELECT count(*) FROM marketplace_events")).scalar_one())


@pytest.fixture
def demo(market: Marketplace) -> Marketplace:
    """The demo's organisations loaded: a store with history to tamper with (the CLI's tests load the whole demo)."""
    load_organisations(market)
    assert event_count(market) >= 13
    return market


@pytest.fixture
def cli(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`marketplace ...` run in this process uses the test's database and var/ (so its development keys)."""
    monkeypatch.setenv("MARKETPLACE_DATABASE_URL", database_url)
    monkeypatch.setenv("MARKETPLACE_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("MARKETPLACE_JWT_SECRET", SECRET)


@pytest.fixture
def fund(market: Marketplace, clock: FixedClock) -> Any:
    """The Community Resilience Fund: £50,000, awards of £1,000 to £20,000, VCSE only, in SY and TF, open 28 days
    (tests/grants_fixtures.py)."""
    from tests.grants_fixtures import funded

    return funded(market, clock)
