"""Idempotency-Key: a retried POST returns the first outcome and writes nothing new.

The key's record is written in the command's own transaction, so a command and
the memory of it commit together or not at all.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Column, DateTime, Integer, MetaData, String, Table, insert, select
from sqlalchemy.orm import Session

from marketplace.errors import IdempotencyKeyReused
from marketplace.outcome import Outcome

write_side = MetaData()

idempotency_keys = Table(
    "idempotency_keys",
    write_side,
    Column("subject", String(200), primary_key=True),
    Column("key", String(200), primary_key=True),
    Column("fingerprint", String(64), nullable=False),
    Column("aggregate_id", String(36), nullable=False),
    Column("version", Integer, nullable=False),
    Column("position", BigInteger, nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
)


def recall(session: Session, subject: str, key: str, fingerprint: str) -> Outcome | None:
    """The outcome first recorded under this key, if any; refuse a key reused for another request."""
    row = session.execute(
        select(idempotency_keys).where(idempotency_keys.c.subject == subject, idempotency_keys.c.key == key)
    ).first()
    if row is None:
        return None
    if row.fingerprint != fingerprint:
        raise IdempotencyKeyReused()
    return Outcome(row.aggregate_id, row.version, row.position, replayed=True)


def remember(session: Session, subject: str, key: str, fingerprint: str, outcome: Outcome, now: datetime) -> None:
    session.execute(
        insert(idempotency_keys).values(
            subject=subject,
            key=key,
            fingerprint=fingerprint,
            aggregate_id=str(outcome.aggregate_id),
            version=outcome.version,
            position=outcome.position,
            recorded_at=now,
        )
    )
