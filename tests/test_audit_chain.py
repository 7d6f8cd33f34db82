"""Tamper evidence: the hash chain over the stored events, `marketplace verify`, and GET /audit/chain/head.

Each test tampers with the events table directly, as someone with database access could, and
`marketplace verify` must name the first position where the history no longer matches the chain.
Someone with that access can also recompute the chain table to match (`rechain`): then only an
anchor kept outside, from GET /audit/chain/head or GET /audit/checkpoints, catches the rewrite.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
from litestar.testing import TestClient
from sqlalchemy import delete, insert, select, text, update

from domain.base import Role
from marketplace.audit import verify
from marketplace.service import Marketplace
from projections.chain import GENESIS, audit_chain, link
from tests.audit_support import (
    events_table,
    head_position,
    kept_checkpoints,
    run_verify,
    stored,
)
from tests.conftest import bearer, event_count, registration


def rechain(market: Marketplace) -> None:
    """What an attacker with database access does after rewriting events: recompute the chain table to match."""
    events = events_table(market)
    columns = (events.c.id, events.c.originator_id, events.c.originator_version, events.c.topic, events.c.state)
    with market.engine.begin() as connection:
        rows, current, links = connection.execute(select(*columns).order_by(events.c.id)).all(), GENESIS, []
        for position, originator_id, version, topic, state in rows:
            current = link(current, position, originator_id, version, topic, bytes(state))
            links.append({"position": position, "hash": current})
        connection.execute(delete(audit_chain))
        connection.execute(insert(audit_chain), links)
    assert verify(market).ok, "the chain table alone vouches for the rewritten history"


def kept_head(client: TestClient[Any]) -> str:
    """The head an auditor keeps outside, as `--anchor POSITION:HASH`."""
    head = client.get("/audit/chain/head", headers=bearer(Role.AUDITOR)).json()
    return f"{head['position']}:{head['hash']}"


def test_an_untouched_store_verifies_to_the_head_the_api_publishes(
    demo: Marketplace, client: TestClient[Any], cli: None, capsys: pytest.CaptureFixture[str]
) -> None:
    head = client.get("/audit/chain/head", headers=bearer(Role.AUDITOR))
    assert head.status_code == 200
    body = head.json()
    assert body["position"] == head_position(demo)
    assert len(body["hash"]) == 64 and body["hash"] != GENESIS
    assert run_verify(capsys) == (0, f"ok {body['position']} {body['hash']}")


def test_an_empty_store_verifies_at_genesis(market: Marketplace) -> None:
    assert str(verify(market)) == f"ok 0 {GENESIS}"


def test_the_chain_grows_with_every_event_and_keeps_its_anchors(demo: Marketplace, client: TestClient[Any]) -> None:
    auditor = bearer(Role.AUDITOR)
    anchor = client.get("/audit/chain/head", headers=auditor).json()
    assert client.post("/organisations", json=registration(), headers=bearer(Role.COMMISSIONER)).status_code == 201
    later = client.get("/audit/chain/head", headers=auditor).json()
    assert later["position"] > anchor["position"] and later["hash"] != anchor["hash"]
    with demo.views() as session:  # the anchor is still a link of the chain: the history before it is unchanged
        kept = session.execute(select(audit_chain.c.hash).where(audit_chain.c.position == anchor["position"]))
        assert kept.scalar_one() == anchor["hash"]
    assert verify(demo).ok


def test_a_changed_event_breaks_the_chain_at_its_position(
    demo: Marketplace, cli: None, capsys: pytest.CaptureFixture[str]
) -> None:
    events = events_table(demo)
    state = bytes(stored(demo, 5)["state"])
    tampered = state[:-1] + bytes([state[-1] ^ 1])
    with demo.engine.begin() as connection:
        connection.execute(update(events).where(events.c.id == 5).values(state=tampered))
    code, out = run_verify(capsys)
    assert code == 1
    assert out.startswith("broken at position 5: ") and "changed" in out


def test_a_changed_version_or_topic_breaks_the_chain_too(demo: Marketplace) -> None:
    events = events_table(demo)
    with demo.engine.begin() as connection:
        connection.execute(update(events).where(events.c.id == 7).values(topic=stored(demo, 7)["topic"] + "x"))
    verdict = verify(demo)
    assert (verdict.ok, verdict.position) == (False, 7)


def test_a_deleted_event_breaks_the_chain_at_its_position(
    demo: Marketplace, cli: None, capsys: pytest.CaptureFixture[str]
) -> None:
    events = events_table(demo)
    with demo.engine.begin() as connection:
        connection.execute(delete(events).where(events.c.id == 4))
    code, out = run_verify(capsys)
    assert code == 1
    assert out.startswith("broken at position 4: ") and "deleted" in out


def test_deleting_the_last_event_is_seen(demo: Marketplace) -> None:
    events, last = events_table(demo), head_position(demo)
    with demo.engine.begin() as connection:
        connection.execute(delete(events).where(events.c.id == last))
    verdict = verify(demo)
    assert (verdict.ok, verdict.position) == (False, last)
    assert "deleted" in verdict.problem


def test_reordered_events_break_the_chain_at_the_first_swapped_position(
    demo: Marketplace, cli: None, capsys: pytest.CaptureFixture[str]
) -> None:
    events = events_table(demo)
    third, sixth = stored(demo, 3)["state"], stored(demo, 6)["state"]
    assert third != sixth
    with demo.engine.begin() as connection:
        connection.execute(update(events).where(events.c.id == 3).values(state=sixth))
        connection.execute(update(events).where(events.c.id == 6).values(state=third))
    code, out = run_verify(capsys)
    assert code == 1
    assert out.startswith("broken at position 3: ")


def test_an_inserted_event_breaks_the_chain_at_its_position(
    demo: Marketplace, cli: None, capsys: pytest.CaptureFixture[str]
) -> None:
    events, forged = events_table(demo), head_position(demo) + 1
    copied = stored(demo, 2)
    with demo.engine.begin() as connection:
        connection.execute(insert(events).values(copied | {"id": forged, "originator_id": uuid4()}))
    code, out = run_verify(capsys)
    assert code == 1
    assert out.startswith(f"broken at position {forged}: ") and "inserted" in out


def test_an_events_version_is_part_of_its_link(demo: Marketplace) -> None:
    events = events_table(demo)
    with demo.engine.begin() as connection:
        version = stored(demo, 7)["originator_version"]
        connection.execute(update(events).where(events.c.id == 7).values(originator_version=version + 1000))
    verdict = verify(demo)
    assert (verdict.ok, verdict.position) == (False, 7)
    assert "changed" in verdict.problem


def test_kept_anchors_and_checkpoints_of_an_untouched_store_verify(
    demo: Marketplace, client: TestClient[Any], cli: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    early = kept_head(client)
    kept = kept_checkpoints(demo, client, tmp_path)
    assert client.post("/organisations", json=registration(), headers=bearer(Role.COMMISSIONER)).status_code == 201
    code, out = run_verify(capsys, "--anchor", early, "--anchor", f"0:{GENESIS}", "--anchors", str(kept))
    assert code == 0, out
    assert out.splitlines()[-1] == f"anchors ok: 2 kept, the last at position {head_position(demo) - 1}"


def test_a_truncated_tail_with_its_chain_rewritten_is_caught_by_a_kept_anchor(
    demo: Marketplace, client: TestClient[Any], cli: None, capsys: pytest.CaptureFixture[str]
) -> None:
    anchor, last = kept_head(client), head_position(demo)
    events = events_table(demo)
    with demo.engine.begin() as connection:
        connection.execute(delete(events).where(events.c.id > last - 3))
    rechain(demo)
    assert run_verify(capsys)[0] == 0, "without the anchor the rewrite passes"
    code, out = run_verify(capsys, "--anchor", anchor)
    assert code == 1
    assert f"anchor at position {last}: the stored history ends at position {last - 3}" in out


def test_a_changed_event_with_its_chain_rewritten_is_caught_by_a_kept_checkpoint(
    demo: Marketplace, client: TestClient[Any], cli: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    kept, last = kept_checkpoints(demo, client, tmp_path), head_position(demo)
    events = events_table(demo)
    state = bytes(stored(demo, 5)["state"])
    with demo.engine.begin() as connection:
        connection.execute(update(events).where(events.c.id == 5).values(state=state[:-1] + bytes([state[-1] ^ 1])))
    rechain(demo)
    code, out = run_verify(capsys, "--anchors", str(kept))
    assert code == 1
    assert f"anchor at position {last}: the stored events lead to " in out and "changed, inserted or deleted" in out


def test_an_inserted_event_with_its_chain_rewritten_is_caught_by_a_kept_anchor(
    demo: Marketplace, client: TestClient[Any], cli: None, capsys: pytest.CaptureFixture[str]
) -> None:
    anchor, last = kept_head(client), head_position(demo)
    events, copied = events_table(demo), stored(demo, 2)
    with demo.engine.begin() as connection:  # make room after position 5, as a forger must where ids have no gaps
        for position in range(last, 5, -1):
            connection.execute(update(events).where(events.c.id == position).values(id=position + 1))
        connection.execute(insert(events).values(copied | {"id": 6, "originator_id": uuid4()}))
    rechain(demo)
    code, out = run_verify(capsys, "--anchor", anchor)
    assert code == 1
    assert out.startswith(f"ok {last + 1} ") and f"anchor at position {last}: the stored events lead to " in out


def test_a_deleted_event_with_its_chain_rewritten_is_caught_by_a_kept_checkpoint(
    demo: Marketplace, client: TestClient[Any], cli: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    kept, last = kept_checkpoints(demo, client, tmp_path), head_position(demo)
    events = events_table(demo)
    with demo.engine.begin() as connection:
        connection.execute(delete(events).where(events.c.id == 4))
    rechain(demo)
    code, out = run_verify(capsys, "--anchors", str(kept))
    assert code == 1
    assert f"anchor at position {last}: the stored events lead to " in out


def test_a_kept_anchor_at_a_deleted_position_is_named(
    demo: Marketplace, client: TestClient[Any], cli: None, capsys: pytest.CaptureFixture[str]
) -> None:
    anchor, last = kept_head(client), head_position(demo)
    assert client.post("/organisations", json=registration(), headers=bearer(Role.COMMISSIONER)).status_code == 201
    events = events_table(demo)
    with demo.engine.begin() as connection:
        connection.execute(delete(events).where(events.c.id == last))
    rechain(demo)
    code, out = run_verify(capsys, "--anchor", anchor)
    assert code == 1
    assert f"anchor at position {last}: no stored event is at this position any more" in out


@pytest.mark.postgres
def test_the_chain_links_across_sequence_gaps_and_sees_an_event_inserted_into_one(
    demo: Marketplace, client: TestClient[Any]
) -> None:
    if demo.engine.dialect.name != "postgresql":
        pytest.skip("only PostgreSQL's sequences leave gaps")
    before = head_position(demo)
    with demo.engine.begin() as connection:  # what a rolled-back append leaves behind
        connection.execute(
            text("SELECT setval(pg_get_serial_sequence('marketplace_events', 'id'), :n)"), {"n": before + 5}
        )
    assert client.post("/organisations", json=registration(), headers=bearer(Role.COMMISSIONER)).status_code == 201
    assert head_position(demo) == before + 6
    assert verify(demo).ok
    events = events_table(demo)
    with demo.engine.begin() as connection:
        connection.execute(insert(events).values(stored(demo, 2) | {"id": before + 3, "originator_id": uuid4()}))
    verdict = verify(demo)
    assert (verdict.ok, verdict.position) == (False, before + 3)
    assert "never linked" in verdict.problem


def test_rebuilding_the_chain_gives_the_same_chain(demo: Marketplace) -> None:
    incremental = demo.projector.checksums(["audit_chain"])
    assert demo.projector.rebuild(["audit_chain"]) == incremental
    assert "audit_chain" not in demo.projector.rebuild(), "rebuilding every view leaves the evidence alone"
    assert demo.projector.checksums(["audit_chain"]) == incremental
    assert verify(demo).ok


def test_the_chain_head_is_for_auditors_and_council_officers_only(client: TestClient[Any]) -> None:
    for role in (Role.AUDITOR, Role.COMMISSIONER, Role.ADMIN):
        assert client.get("/audit/chain/head", headers=bearer(role)).status_code == 200
    assert client.get("/audit/chain/head", headers=bearer(Role.PROVIDER, "GB-CHC-1234567")).status_code == 403
    assert client.get("/audit/chain/head").status_code == 401


def test_the_auditor_reads_the_chain_but_writes_nothing(market: Marketplace, client: TestClient[Any]) -> None:
    auditor = bearer(Role.AUDITOR)
    assert client.get("/audit/chain/head", headers=auditor).json() == {"position": 0, "hash": GENESIS}
    assert client.post("/organisations", json=registration(), headers=auditor).status_code == 403
    assert client.post("/audit/chain/head", headers=auditor).status_code == 405
    assert event_count(market) == 0
