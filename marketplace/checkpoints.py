"""Signed checkpoints: the audit chain's head as the service vouched for it, for outsiders to keep.

Whoever can write to the database can rewrite the events and recompute the chain table to match,
and `marketplace verify` would then find nothing wrong. A checkpoint, signed with an Ed25519 key
the database does not hold and kept by someone the council cannot overrule, is the anchor that
such a rewrite cannot meet: `marketplace verify --anchors FILE` recomputes the chain from the
events alone and checks it still leads to every kept checkpoint.

The signature is over `checkpoint_message`, a few lines of UTF-8 text (see docs/audit.md), so an
outsider can check one with any Ed25519 implementation, not only this code.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import os
import secrets
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import msgspec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
    load_pem_private_key,
    load_pem_public_key,
)
from sqlalchemy import Table, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from marketplace.audit import events_table, recomputed
from marketplace.service import Marketplace
from marketplace.settings import Settings
from projections.chain import GENESIS, audit_checkpoints, audit_signing_keys, chain_head

log = logging.getLogger(__name__)
DEVELOPMENT_KEY = "dev-signing-key.pem"


class Checkpoint(msgspec.Struct, frozen=True):
    """One signed head: `signature` is base64 Ed25519 over `checkpoint_message` of the other four fields."""

    position: int
    hash: str
    signed_at: str
    key_id: str
    signature: str


class PublicKey(msgspec.Struct, frozen=True):
    """A key that signed checkpoints: `key_id` is the hex SHA-256 of its 32 raw bytes."""

    key_id: str
    public_key: str  # PEM (SubjectPublicKeyInfo)


class CheckpointPage(msgspec.Struct, frozen=True):
    """Checkpoints in position order (oldest first), the keys to check them, and where to continue."""

    checkpoints: list[Checkpoint]
    public_keys: list[PublicKey]
    next_after: int


class ChainDiffers(Exception):
    """The events stored since the last checkpoint do not lead to the chain table's head: nothing is signed."""


def checkpoint_message(position: int, hash_: str, signed_at: str, key_id: str) -> bytes:
    """The canonical bytes a checkpoint's signature covers: fixed lines, one field each, so none can be confused."""
    lines = ("marketplace audit checkpoint v1", f"position {position}", f"hash {hash_}", f"signed_at {signed_at}")
    return "\n".join((*lines, f"key_id {key_id}", "")).encode()


def key_id(public_key: Ed25519PublicKey) -> str:
    return hashlib.sha256(public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)).hexdigest()


def public_pem(public_key: Ed25519PublicKey) -> str:
    return public_key.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo).decode()


def load_public_key(pem: str | bytes) -> Ed25519PublicKey:
    key = load_pem_public_key(pem.encode() if isinstance(pem, str) else pem)
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError("checkpoints are signed with Ed25519: this public key is another kind")
    return key


def _private_key(pem: bytes) -> Ed25519PrivateKey:
    key = load_pem_private_key(pem, password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError("MARKETPLACE_SIGNING_KEY must be an Ed25519 private key (PEM), not another kind")
    return key


def _create_once(path: Path, content: bytes) -> None:
    """Write a new file whole (mode 600), or keep the one a racing process wrote first: workers start at once."""
    path.parent.mkdir(parents=True, exist_ok=True)
    scratch = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    descriptor = os.open(scratch, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(content)
    try:
        os.link(scratch, path)
    except FileExistsError:
        pass
    finally:
        scratch.unlink()


def signing_key(settings: Settings) -> Ed25519PrivateKey:
    """The configured key, or a development key kept under var/ (with a warning), as for the JWT secret."""
    if settings.signing_key:  # an environment file may hold the PEM on one line, with \n for its line breaks
        return _private_key(settings.signing_key.replace("\\n", "\n").encode())
    path = Path(settings.var_dir) / DEVELOPMENT_KEY
    if not path.exists():
        generated = Ed25519PrivateKey.generate()
        _create_once(path, generated.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()))
    log.warning("MARKETPLACE_SIGNING_KEY is not set: signing checkpoints with the development key in %s", path)
    return _private_key(path.read_bytes())


class Signer:
    """Signs checkpoints with one private key."""

    def __init__(self, private_key: Ed25519PrivateKey) -> None:
        self._key = private_key
        public = private_key.public_key()
        self.public_key = PublicKey(key_id(public), public_pem(public))

    @classmethod
    def from_settings(cls, settings: Settings) -> Signer:
        return cls(signing_key(settings))

    def sign(self, position: int, hash_: str, signed_at: datetime) -> Checkpoint:
        at = signed_at.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        kid = self.public_key.key_id
        signature = self._key.sign(checkpoint_message(position, hash_, at, kid))
        return Checkpoint(position, hash_, at, kid, base64.b64encode(signature).decode())


def _last_checkpoint(connection: Connection) -> tuple[int, str]:
    query = select(audit_checkpoints.c.position, audit_checkpoints.c.hash).order_by(audit_checkpoints.c.position.desc())
    row = connection.execute(query.limit(1)).first()
    return (int(row[0]), str(row[1])) if row else (0, GENESIS)


def _confirm(connection: Connection, events: Table, last: tuple[int, str], head: tuple[int, str]) -> None:
    """The events stored since the last checkpoint, chained on from its hash, must lead to the head to be signed."""
    reached = last
    for step in recomputed(connection, events, after=last[0], start=last[1], upto=head[0]):
        reached = step
    if reached != head:
        raise ChainDiffers(
            f"the events after the checkpoint at position {last[0]} lead to {reached[1]} at position {reached[0]}, "
            f"not to the chain's head {head[1]} at position {head[0]}: run `marketplace verify`"
        )


def _insert_new(connection: Connection, table: Table, row: dict[str, Any]) -> None:
    """Insert unless a row with the key is there already (another process signed the same head)."""
    insert = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
    connection.execute(insert(table).values(row).on_conflict_do_nothing())


def sign_checkpoint(market: Marketplace, signer: Signer) -> Checkpoint | None:
    """Sign the chain's head if it moved since the last checkpoint (None if it did not) and store the checkpoint."""
    with market.views() as session:
        connection = session.connection()
        head, last = chain_head(session), _last_checkpoint(connection)
        if head[0] <= last[0]:
            return None
        _confirm(connection, events_table(market), last, head)
    checkpoint = signer.sign(head[0], head[1], market.clock.now())
    with market.engine.begin() as connection:  # writes only: SQLite takes its write lock at the first statement
        _insert_new(connection, audit_signing_keys, msgspec.structs.asdict(signer.public_key))
        _insert_new(connection, audit_checkpoints, msgspec.structs.asdict(checkpoint))
    log.info("signed checkpoint %d %s", checkpoint.position, checkpoint.hash)
    return checkpoint


def checkpoints_after(market: Marketplace, after: int, limit: int) -> CheckpointPage:
    """The checkpoints after a position, oldest first, with every key that signed checkpoints."""
    query = select(audit_checkpoints).where(audit_checkpoints.c.position > after).order_by(audit_checkpoints.c.position)
    with market.views() as session:
        rows = session.execute(query.limit(limit)).all()
        keys = session.execute(select(audit_signing_keys).order_by(audit_signing_keys.c.key_id)).all()
    checkpoints = [Checkpoint(int(p), str(h), str(at), str(k), str(sig)) for p, h, at, k, sig in rows]
    public_keys = [PublicKey(str(k), str(pem)) for k, pem in keys]
    return CheckpointPage(checkpoints, public_keys, checkpoints[-1].position if checkpoints else after)
