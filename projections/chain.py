"""The audit chain: a hash chain over the stored notification log, one link per stored event.

link(n) = SHA-256(link(n-1) || canonical bytes of the stored event), the genesis link being 64 zeros.
The canonical bytes are the stored fields (position, originator id, version, topic, state), each
length-prefixed so no two different events can encode alike. The chain hashes the bytes as stored
(compressed, encrypted: whatever the store holds), never the decoded event, so `marketplace verify`
can recompute it from the events table alone. It links consecutive *stored* events, whatever their
positions: PostgreSQL's sequence may skip ids after a rolled-back append.

The chain table alone proves nothing to someone who can rewrite it: `audit_checkpoints` keeps the
head as the service signed it at intervals (marketplace/checkpoints.py), for outsiders to keep.
Checkpoints and the keys that signed them are evidence, not a view: no projection owns them, so no
rebuild drops them.
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Sequence
from typing import Any

from sqlalchemy import BigInteger, Column, String, Table, Text, bindparam, select
from sqlalchemy.orm import Session

from projections.batch import BatchProjection, Folds, Touched, domain_aggregates
from projections.engine import Envelope, metadata

GENESIS = "0" * 64

audit_chain = Table(
    "audit_chain",
    metadata,
    Column("position", BigInteger, primary_key=True),
    Column("hash", String(64), nullable=False),
)

audit_checkpoints = Table(
    "audit_checkpoints",
    metadata,
    Column("position", BigInteger, primary_key=True),
    Column("hash", String(64), nullable=False),
    Column("signed_at", String(32), nullable=False),  # RFC 3339 UTC, exactly the text that was signed
    Column("key_id", String(64), nullable=False),
    Column("signature", String(128), nullable=False),  # base64 of the Ed25519 signature
)

audit_signing_keys = Table(
    "audit_signing_keys",
    metadata,
    Column("key_id", String(64), primary_key=True),  # hex SHA-256 of the raw public key
    Column("public_key", Text, nullable=False),  # PEM (SubjectPublicKeyInfo)
)


_LENGTH = struct.Struct(">Q").pack  # each field is preceded by its length, 8 bytes big-endian


def link(  # noqa: PLR0913, PLR0917 - one stored event's fields, in the order hashed (as marketplace/audit.py reads them)
    previous: str, position: int, originator_id: Any, originator_version: int, topic: str, state: bytes
) -> str:
    """The next link of the chain: the previous link's hash and one stored event's fields, each length-prefixed
    (`marketplace verify` runs this for every stored event: bytes formatting, no intermediate concatenations)."""
    digest = hashlib.sha256(bytes.fromhex(previous))
    for field in (b"%d" % position, str(originator_id).encode(), b"%d" % originator_version, topic.encode(), state):
        digest.update(_LENGTH(len(field)))
        digest.update(field)
    return digest.hexdigest()


_LAST_BEFORE = select(audit_chain).where(audit_chain.c.position < bindparam("first"))
_LAST_BEFORE = _LAST_BEFORE.order_by(audit_chain.c.position.desc()).limit(1)
_HEAD = select(audit_chain.c.position, audit_chain.c.hash).order_by(audit_chain.c.position.desc()).limit(1)


def chain_head(session: Session) -> tuple[int, str]:
    """The last link: its position and hash (position 0 and the genesis hash when nothing is chained)."""
    row = session.execute(_HEAD).first()
    return (int(row[0]), str(row[1])) if row else (0, GENESIS)


def fold_link(touched: Touched, event: Any) -> None:
    """The next link: the previous one is the last the batch holds (read before it, or linked in it)."""
    rows, stored = touched[audit_chain.name], touched.envelope.stored
    if stored is None:
        raise ValueError(f"position {touched.envelope.position}: the audit chain needs the stored notification")
    previous = rows.last()
    current = link(
        previous["hash"] if previous else GENESIS,
        stored.id,
        stored.originator_id,
        stored.originator_version,
        stored.topic,
        stored.state,
    )
    rows.put({"position": stored.id, "hash": current})


class AuditChain(BatchProjection):
    """Links every stored event, in notification order, into the chain.

    Follows every aggregate and folds every stored event whatever its class (`object`): a class no aggregate
    names is still a link, or `marketplace verify` would find the chain broken. `follows` is worked out when
    the view is made, from every aggregate the domain defines."""

    name = "audit_chain"
    tables = (audit_chain,)
    is_evidence = True
    folds: Folds = {object: fold_link}

    def __init__(self) -> None:
        self.follows = domain_aggregates()

    def load(self, session: Session, touched: Touched, batch: Sequence[Envelope]) -> None:
        touched[audit_chain.name].read(session, _LAST_BEFORE, {"first": batch[0].position})
