"""A database made by the previous version still loads, verifies and rebuilds to the same checksums."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient

from api.app import create_app
from domain.base import Role
from marketplace.audit import verify
from marketplace.service import Marketplace
from tests.conftest import bearer
from tests.previous_version import DATABASE, EXPECTED, settings_for, stored_events


@pytest.fixture
def previous(tmp_path: Path) -> Any:
    copy = tmp_path / "previous.db"
    shutil.copyfile(DATABASE, copy)
    market = Marketplace(settings_for(copy))
    yield market, json.loads(EXPECTED.read_text())
    market.close()


def test_the_previous_versions_events_rebuild_to_the_checksums_it_recorded(previous: Any) -> None:
    market, expected = previous
    assert stored_events(market) == expected["events"]
    assert recorded(market.projector.checksums(), expected) == expected["checksums"]  # its views as it left them
    assert recorded(market.projector.rebuild(), expected) == expected["checksums"]  # as this version folds them


def recorded(checksums: dict[str, str], expected: dict[str, Any]) -> dict[str, str]:
    """The checksums of the views the previous version had (views added since start empty over its events)."""
    return {name: checksums[name] for name in expected["checksums"]}


def test_the_previous_versions_history_verifies_and_every_record_reads(previous: Any) -> None:
    market, _ = previous
    assert verify(market).ok
    with TestClient(create_app(market)) as client:
        events = client.get("/audit/events?limit=1000", headers=bearer(Role.AUDITOR)).json()["events"]
        assert len(events) == stored_events(market) and all(e["actor"] for e in events)
        records = Counter((e["aggregate_kind"].lower(), e["aggregate_id"]) for e in events)
        for (kind, record), count in records.items():
            if kind == "organisation":
                continue  # named by its identifier in paths, read below
            history = client.get(f"/audit/{kind}/{record}/history", headers=bearer(Role.AUDITOR))
            assert history.status_code == 200 and len(history.json()) == count, (kind, record)
        organisation = client.get("/audit/organisation/GB-CHC-1102345/history", headers=bearer(Role.AUDITOR))
        assert organisation.status_code == 200 and organisation.json()[0]["event_type"] == "Organisation.Registered"
