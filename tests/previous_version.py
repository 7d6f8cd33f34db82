"""A database made by an earlier version of the service, kept so later versions prove they still read it.

`make_database` ran the platform, tendering and care registration journeys on a SQLite file and recorded
the views' checksums beside it (tests/fixtures/previous-version.*). The file is kept as that version wrote
it: a later version must load its events and rebuild its views to the same checksums (stored events are
never rewritten; a class that moves must be upcast). Run it again only to make a new fixture on purpose:

    .venv/bin/python -m tests.previous_version
"""

from __future__ import annotations

import json
import subprocess
from datetime import UTC, datetime
from pathlib import Path

from litestar.testing import TestClient
from sqlalchemy import text

from api.app import create_app
from marketplace.clock import FixedClock
from marketplace.service import Marketplace
from marketplace.settings import Settings
from tests.conftest import SECRET

FIXTURES = Path(__file__).parent / "fixtures"
DATABASE = FIXTURES / "previous-version.db"
EXPECTED = FIXTURES / "previous-version.json"
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def settings_for(path: Path) -> Settings:
    return Settings(
        database_url=f"sqlite:///{path}", jwt_secret=SECRET, var_dir=path.parent, tick_seconds=0, write_rate=0
    )


def stored_events(market: Marketplace) -> int:
    with market.engine.connect() as connection:
        return int(connection.execute(text("SELECT count(*) FROM marketplace_events")).scalar_one())


def make_database(path: Path = DATABASE) -> dict[str, object]:
    """Run the journeys into a new SQLite file; what a later version must find again in it."""
    from tests.conftest import registration
    from tests.journeys import platform_journey, tendering_journey
    from tests.test_api_registrations import MICRO, checked_application, provider

    path.unlink(missing_ok=True)
    clock = FixedClock(START)
    market = Marketplace(settings_for(path), clock)
    with TestClient(create_app(market)) as client:
        tendering_journey(client, market, clock)
        platform_journey(client)
        micro = registration(MICRO, name="Clun Valley Carers", legal_form="community-interest-company", size="micro")
        assert client.post("/organisations", json=micro, headers=provider(MICRO)).status_code == 201
        approved = client.post(
            f"{checked_application(client)}/approve", json={"reason": "All checks passed"}, headers=_officer()
        )
        assert approved.status_code == 200, approved.text
    expected: dict[str, object] = {
        "made_by": _commit(),
        "events": stored_events(market),
        "checksums": market.projector.checksums(),
    }
    market.close()
    for leftover in path.parent.glob("dev-*"):
        leftover.unlink()
    return expected


def _commit() -> str:
    made = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True, check=False)
    return made.stdout.strip()


def _officer() -> dict[str, str]:
    from tests.test_api_registrations import OFFICER

    return OFFICER


if __name__ == "__main__":
    FIXTURES.mkdir(exist_ok=True)
    EXPECTED.write_text(json.dumps(make_database(), indent=2, sort_keys=True) + "\n")
    print(f"wrote {DATABASE} and {EXPECTED}")
