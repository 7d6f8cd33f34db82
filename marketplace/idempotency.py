"""Idempotency-Key: a retried POST returns the first outcome and writes nothing new.

A key belongs to its caller: the organisation, subject and role the token names, so two callers
who happen to share a subject (or a key) never see each other's outcomes. The fingerprint covers
the route and the body, so the same key sent to another route, or with another body, is refused.
The key's record is written in the command's own transaction, so a command and the memory of it
commit together or not at all. Keys are remembered for `Settings.idempotency_hours` (a client
retries within minutes), then forgotten: an expired record is replaced on reuse and the clock's
tick purges the rest, so the table does not grow for ever.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import NamedTuple

from sqlalchemy import BigInteger, Column, DateTime, Index, Integer, String, Table, delete, insert, select
from sqlalchemy.orm import Session

from domain.base import Actor
from marketplace.errors import IdempotencyKeyReused
from marketplace.outcome import Outcome
from marketplace.write_side import write_side

# Keyed by the whole caller. (Earlier versions kept `idempotency_keys`, keyed by subject alone; that
# table is no longer read, and a database that has it keeps it untouched.)
idempotency_records = Table(
    "idempotency_records",
    write_side,
    Column("organisation", String(200), primary_key=True),
    Column("subject", String(200), primary_key=True),
    Column("role", String(32), primary_key=True),
    Column("key", String(200), primary_key=True),
    Column("fingerprint", String(64), nullable=False),
    Column("aggregate_id", String(36), nullable=False),
    Column("version", Integer, nullable=False),
    Column("position", BigInteger, nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Index("ix_idempotency_records_recorded_at", "recorded_at"),
)
_TABLE = idempotency_records.c


class Claim(NamedTuple):
    """One caller's request under one Idempotency-Key: who (the key is theirs alone), the key, and what the
    request was (its fingerprint: the route and body), so a key reused for another request is refused."""

    actor: Actor
    key: str
    fingerprint: str


def lock_name(actor: Actor, key: str) -> str:
    """What concurrent retries of one key by one caller serialise on."""
    return f"{actor.organisation}\n{actor.subject}\n{actor.role.value}\n{key}"


def _of(actor: Actor, key: str) -> list[object]:
    return [
        _TABLE.organisation == actor.organisation,
        _TABLE.subject == actor.subject,
        _TABLE.role == actor.role.value,
        _TABLE.key == key,
    ]


def recall(session: Session, claim: Claim, now: datetime, keep: timedelta) -> Outcome | None:
    """The outcome this caller first recorded under this key, if still remembered; a key reused for
    another request (another route or body) is refused. An expired record is forgotten here."""
    actor, key, fingerprint = claim
    row = session.execute(select(idempotency_records).where(*_of(actor, key))).first()  # type: ignore[arg-type]
    if row is None:
        return None
    if row.recorded_at is not None and _aware(row.recorded_at) < now - keep:
        session.execute(delete(idempotency_records).where(*_of(actor, key)))  # type: ignore[arg-type]
        return None
    if row.fingerprint != fingerprint:
        raise IdempotencyKeyReused()
    return Outcome(row.aggregate_id, row.version, row.position, replayed=True)


def remember(session: Session, claim: Claim, outcome: Outcome, now: datetime) -> None:
    session.execute(
        insert(idempotency_records).values(
            organisation=claim.actor.organisation,
            subject=claim.actor.subject,
            role=claim.actor.role.value,
            key=claim.key,
            fingerprint=claim.fingerprint,
            aggregate_id=str(outcome.aggregate_id),
            version=outcome.version,
            position=outcome.position,
            recorded_at=now,
        )
    )


def purge(session: Session, now: datetime, keep: timedelta) -> int:
    """Forget every key recorded longer ago than `keep`; how many were forgotten."""
    result = session.execute(delete(idempotency_records).where(_TABLE.recorded_at < now - keep))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def _aware(moment: datetime) -> datetime:
    """SQLite gives the stored time back without its offset; every time stored here is UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
