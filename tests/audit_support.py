"""What the tamper-evidence tests share: the events table as stored, `marketplace verify`, kept checkpoints.

Used by `test_audit_chain.py` and `test_audit_checkpoints.py`, which tamper with the same store the same way;
their `demo` and `cli` fixtures are in `conftest.py`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient
from sqlalchemy import Table, func, select

from marketplace.checkpoints import Signer, sign_checkpoint
from marketplace.cli import main
from marketplace.service import Marketplace


def events_table(market: Marketplace) -> Table:
    table = market.app.recorder.events_record_cls.__table__  # type: ignore[attr-defined]
    assert isinstance(table, Table) and table.name == "marketplace_events"
    return table


def stored(market: Marketplace, position: int) -> dict[str, Any]:
    events = events_table(market)
    with market.engine.connect() as connection:
        return dict(connection.execute(select(events).where(events.c.id == position)).mappings().one())


def head_position(market: Marketplace) -> int:
    events = events_table(market)
    with market.engine.connect() as connection:
        return int(connection.execute(select(func.max(events.c.id))).scalar_one())


def run_verify(capsys: pytest.CaptureFixture[str], *options: str) -> tuple[int, str]:
    capsys.readouterr()
    code = main(["verify", *options])
    return code, capsys.readouterr().out.strip()


def kept_checkpoints(market: Marketplace, client: TestClient[Any], folder: Path) -> Path:
    """The service signs its head; an outsider keeps what GET /audit/checkpoints publishes, in a file of its own."""
    assert sign_checkpoint(market, Signer.from_settings(market.settings)) is not None
    answer = client.get("/audit/checkpoints")
    assert answer.status_code == 200 and answer.json()["checkpoints"]
    kept = folder / "kept-checkpoints.json"
    kept.write_text(answer.text)
    return kept
