"""Signed checkpoints of the audit chain: signing, GET /audit/checkpoints, the signing key, and kept files.

A checkpoint is only worth keeping if an outsider can check it without this code: the signature
tests rebuild the signed message from its documented format and check it with `cryptography` alone.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import msgspec
import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
    load_pem_public_key,
)
from litestar.testing import TestClient
from sqlalchemy import select, update

from api.app import create_app
from domain.base import Role
from marketplace.checkpoints import ChainDiffers, Signer, checkpoints_after, sign_checkpoint
from marketplace.cli import main
from marketplace.clock import FixedClock
from marketplace.service import Marketplace
from marketplace.settings import Settings
from projections.chain import audit_chain
from tests.audit_support import events_table, head_position, kept_checkpoints, run_verify, stored
from tests.conftest import bearer, registration


def pem_of(key: Ed25519PrivateKey) -> str:
    return key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()).decode()


def signed_message(checkpoint: dict[str, Any]) -> bytes:
    """The canonical bytes as docs/audit.md describes them."""
    fields = ("position", "hash", "signed_at", "key_id")
    lines = ["marketplace audit checkpoint v1", *(f"{name} {checkpoint[name]}" for name in fields)]
    return ("\n".join(lines) + "\n").encode()


def add_organisation(client: TestClient[Any], identifier: str = "GB-CHC-1234567") -> None:
    answer = client.post("/organisations", json=registration(identifier), headers=bearer(Role.COMMISSIONER))
    assert answer.status_code == 201


def sign(market: Marketplace) -> dict[str, Any] | None:
    signed = sign_checkpoint(market, Signer.from_settings(market.settings))
    return None if signed is None else {"position": signed.position, "hash": signed.hash}


def test_checkpoints_are_public_and_each_signature_verifies_with_the_published_key(
    demo: Marketplace, client: TestClient[Any]
) -> None:
    sign(demo)
    add_organisation(client)
    sign(demo)
    page = client.get("/audit/checkpoints")  # no token
    assert page.status_code == 200
    body = page.json()
    (published,) = body["public_keys"]
    key = load_pem_public_key(published["public_key"].encode())
    assert isinstance(key, Ed25519PublicKey)
    assert published["key_id"] == hashlib.sha256(key.public_bytes(Encoding.Raw, PublicFormat.Raw)).hexdigest()
    first, second = body["checkpoints"]
    assert first["position"] < second["position"] == head_position(demo) == body["next_after"]
    with demo.views() as session:
        chained = dict(session.execute(select(audit_chain.c.position, audit_chain.c.hash)).tuples().all())
    for checkpoint in body["checkpoints"]:
        assert checkpoint["hash"] == chained[checkpoint["position"]]
        assert checkpoint["signed_at"] == "2026-03-02T09:00:00Z" and checkpoint["key_id"] == published["key_id"]
        key.verify(base64.b64decode(checkpoint["signature"]), signed_message(checkpoint))


def test_checkpoints_are_paged_by_position_oldest_first(demo: Marketplace, client: TestClient[Any]) -> None:
    signed = [sign(demo)]
    for identifier in ("GB-CHC-1000001", "GB-CHC-1000002"):
        add_organisation(client, identifier)
        signed.append(sign(demo))
    positions = [checkpoint["position"] for checkpoint in signed if checkpoint]
    first = client.get("/audit/checkpoints", params={"limit": 2}).json()
    assert [c["position"] for c in first["checkpoints"]] == positions[:2] and first["next_after"] == positions[1]
    rest = client.get("/audit/checkpoints", params={"after": first["next_after"]}).json()
    assert [c["position"] for c in rest["checkpoints"]] == positions[2:]
    empty = client.get("/audit/checkpoints", params={"after": positions[-1]}).json()
    assert empty["checkpoints"] == [] and empty["next_after"] == positions[-1]
    assert client.get("/audit/checkpoints", params={"limit": 0}).status_code == 400


def test_a_checkpoint_is_signed_only_when_the_head_has_moved(
    demo: Marketplace, client: TestClient[Any], cli: None, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert main(["checkpoint"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["position"] == head_position(demo) and set(printed) >= {"hash", "signed_at", "key_id", "signature"}
    assert main(["checkpoint"]) == 0
    assert capsys.readouterr().out.startswith("not signed: the chain's head is already checkpointed")
    assert sign(demo) is None
    add_organisation(client)
    latest = sign(demo)
    assert latest is not None and latest["position"] == head_position(demo)
    assert client.get("/audit/checkpoints").json()["checkpoints"][-1]["hash"] == latest["hash"]


def test_an_empty_chain_is_not_signed(market: Marketplace, client: TestClient[Any]) -> None:
    assert sign(market) is None
    assert client.get("/audit/checkpoints").json() == {"checkpoints": [], "public_keys": [], "next_after": 0}


def test_the_signer_refuses_a_head_the_stored_events_do_not_lead_to(
    demo: Marketplace, cli: None, capsys: pytest.CaptureFixture[str]
) -> None:
    events = events_table(demo)
    with demo.engine.begin() as connection:
        connection.execute(update(events).where(events.c.id == 3).values(topic=stored(demo, 3)["topic"] + "x"))
    with pytest.raises(ChainDiffers, match="run `marketplace verify`"):
        sign(demo)
    capsys.readouterr()
    assert main(["checkpoint"]) == 1
    assert capsys.readouterr().err.startswith("not signed: the events after the checkpoint at position 0 lead to")
    assert checkpoints_after(demo, 0, 10).checkpoints == []


def test_the_development_key_is_made_under_var_with_a_warning_and_reused(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    path = settings.var_dir / "dev-signing-key.pem"
    assert not path.exists()
    with caplog.at_level(logging.WARNING, logger="marketplace.checkpoints"):
        first = Signer.from_settings(settings)
    assert path.exists() and path.stat().st_mode & 0o777 == 0o600
    assert "MARKETPLACE_SIGNING_KEY is not set" in caplog.text and str(path) in caplog.text
    made = path.read_bytes()
    assert Signer.from_settings(settings).public_key == first.public_key
    assert path.read_bytes() == made
    assert not [name for name in path.parent.iterdir() if name.name.startswith(".dev-signing-key")]


def test_a_configured_pem_key_signs_the_checkpoints(
    settings: Settings, clock: FixedClock, caplog: pytest.LogCaptureFixture
) -> None:
    key = Ed25519PrivateKey.generate()
    fingerprint = hashlib.sha256(key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)).hexdigest()
    one_line = pem_of(key).replace("\n", "\\n")  # as an environment file holds it
    for pem in (pem_of(key), one_line):
        configured = replace(settings, signing_key=pem)
        with caplog.at_level(logging.WARNING):
            assert Signer.from_settings(configured).public_key.key_id == fingerprint
    assert "MARKETPLACE_SIGNING_KEY is not set" not in caplog.text
    assert not (settings.var_dir / "dev-signing-key.pem").exists()
    market = Marketplace(replace(settings, signing_key=pem_of(key)), clock)
    try:
        with TestClient(create_app(market)) as client:
            add_organisation(client)
            assert sign(market) is not None
            assert [k["key_id"] for k in client.get("/audit/checkpoints").json()["public_keys"]] == [fingerprint]
    finally:
        market.close()


def test_a_signing_key_that_is_not_ed25519_is_refused(settings: Settings) -> None:
    other = ec.generate_private_key(ec.SECP256R1())
    pem = other.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()).decode()
    with pytest.raises(ValueError, match="must be an Ed25519 private key"):
        Signer.from_settings(replace(settings, signing_key=pem))


def test_a_forged_checkpoint_in_an_anchors_file_is_refused(
    demo: Marketplace, client: TestClient[Any], cli: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    kept = kept_checkpoints(demo, client, tmp_path)
    page = json.loads(kept.read_text())
    genuine = page["checkpoints"][0]
    forged = genuine | {"position": genuine["position"] - 1}  # vouching for an earlier head, with the old signature
    kept.write_text(json.dumps(page | {"checkpoints": [genuine, forged]}))
    code, out = run_verify(capsys, "--anchors", str(kept))
    assert code == 1
    assert f"checkpoint at position {forged['position']}: the signature does not verify (forged or altered)" in out
    assert f"anchors ok: 1 kept, the last at position {genuine['position']}" in out, "the genuine one still anchors"


def test_a_checkpoint_signed_by_another_key_is_refused_when_the_service_key_is_pinned(
    demo: Marketplace, client: TestClient[Any], cli: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    kept = kept_checkpoints(demo, client, tmp_path)
    page = json.loads(kept.read_text())
    service_key = tmp_path / "service.pem"
    service_key.write_text(page["public_keys"][0]["public_key"])
    forger = Signer(Ed25519PrivateKey.generate())
    forged = forger.sign(page["checkpoints"][0]["position"], "f" * 64, demo.clock.now())
    forged_page = {
        "checkpoints": [msgspec.structs.asdict(forged)],
        "public_keys": [msgspec.structs.asdict(forger.public_key)],
    }
    with kept.open("w") as file:  # one page per line, as `curl >> FILE` keeps them
        file.write(json.dumps(page) + "\n" + json.dumps(forged_page) + "\n")
    code, out = run_verify(capsys, "--anchors", str(kept), "--public-key", str(service_key))
    assert code == 1
    untrusted = forger.public_key.key_id
    assert f"checkpoint at position {forged.position}: signed by key {untrusted}, not a trusted key" in out
    code, out = run_verify(capsys, "--anchors", str(kept))
    assert code == 1, "unpinned, the forger's own key is trusted, but its checkpoint still misses the history"
    assert f"anchor at position {forged.position}: the stored events lead to " in out


def test_an_anchors_file_may_mix_position_hash_lines_and_appended_pages(
    demo: Marketplace, client: TestClient[Any], cli: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = json.loads(kept_checkpoints(demo, client, tmp_path).read_text())
    head = client.get("/audit/chain/head", headers=bearer(Role.AUDITOR)).json()
    kept = tmp_path / "kept.txt"
    lines = [
        "# kept by the auditor",
        "",
        json.dumps(page),
        f"3:{stored_link(demo, 3)}",
        f"{head['position']}:{head['hash']}",
    ]
    kept.write_text("\n".join(lines) + "\n")
    code, out = run_verify(capsys, "--anchors", str(kept))
    assert (code, out.splitlines()[-1]) == (0, f"anchors ok: 2 kept, the last at position {head['position']}")


def stored_link(market: Marketplace, position: int) -> str:
    with market.views() as session:
        return str(session.execute(select(audit_chain.c.hash).where(audit_chain.c.position == position)).scalar_one())


def test_an_unreadable_anchor_is_a_usage_error(
    demo: Marketplace, cli: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["verify", "--anchor", "12:not-a-hash"])
    assert exited.value.code == 2 and "is not POSITION:HASH" in capsys.readouterr().err
    empty = tmp_path / "empty.txt"
    empty.write_text("# nothing kept yet\n")
    assert main(["verify", "--anchors", str(empty)]) == 2
    assert "holds no anchor or checkpoint" in capsys.readouterr().err


def test_rebuilding_leaves_the_checkpoints(demo: Marketplace) -> None:
    signed = sign(demo)
    demo.projector.rebuild()
    demo.projector.rebuild(["audit_chain"])
    assert [(c.position, c.hash) for c in checkpoints_after(demo, 0, 10).checkpoints] == [
        (signed["position"], signed["hash"])  # type: ignore[index]
    ]


def test_the_chronograph_signs_the_head_at_intervals_when_it_moved(settings: Settings, clock: FixedClock) -> None:
    market = Marketplace(replace(settings, checkpoint_seconds=0.05), clock)

    def signed_within(seconds: float, count: int) -> list[int]:
        deadline = time.monotonic() + seconds
        while len(found := [c.position for c in checkpoints_after(market, 0, 100).checkpoints]) < count:
            if time.monotonic() > deadline:
                break
            time.sleep(0.02)
        return found

    try:
        with TestClient(create_app(market)) as client:
            add_organisation(client, "GB-CHC-1000001")
            assert signed_within(5, 1) == [head_position(market)]
            time.sleep(0.3)
            assert len(signed_within(0, 1)) == 1, "nothing new to sign while the head stays put"
            add_organisation(client, "GB-CHC-1000002")
            assert signed_within(5, 2)[-1] == head_position(market)
    finally:
        market.close()
