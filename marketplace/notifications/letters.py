"""Letters: the decisions an organisation must be told of, addressed to it at its contact email.

Each context declares its letters beside its aggregate (`Letter` in marketplace/capability.py): an invoice's
dispute to its supplier (PA2023 s.68), a decision on an expression of interest to its relevant body (Localism
Act 2011 s.83), a grant application's decision to its applicant, a registration's to its provider. The postman
reads the decision log past its cursor and addresses one letter per decision and organisation concerned, at the
contact email the organisations view holds then; the letter says what was decided, when, by whom and why, and
where the record is read.

Letters are what was sent, so they are kept beside the event store (marketplace/write_side.py), not folded: a
rebuild of the views never addresses them again. Addressing a batch and moving the cursor past it commit together,
so a letter is addressed exactly once however many servers run the postman.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any
from uuid import NAMESPACE_URL, uuid5

from sqlalchemy import BigInteger, Column, Connection, DateTime, Index, Integer, String, Table, Text, func, select
from sqlalchemy.exc import IntegrityError

from marketplace.capability import Declaration, Letter
from marketplace.write_side import write_side
from projections.decisions import decision_log
from projections.organisations.directory import organisations

letters = Table(
    "letters",
    write_side,
    Column("id", String(36), primary_key=True),  # uuid5 of the decision's position and the organisation told
    Column("position", BigInteger, nullable=False),  # the decision's in the log
    Column("organisation", String(80), nullable=False),  # who is told (org-id.guide)
    Column("email", String(254)),  # its contact email when addressed; none: nobody to send it to
    Column("sender", String(80), nullable=False),  # the organisation whose decision it tells (the council)
    Column("decision", String(64), nullable=False),
    Column("record_kind", String(32), nullable=False),
    Column("record_id", String(80), nullable=False),
    Column("path", String(200), nullable=False),  # where the record is read, under the public URL
    Column("subject", Text, nullable=False),
    Column("body", Text, nullable=False),
    Column("decided_at", DateTime(timezone=True), nullable=False),
    Column("addressed_at", DateTime(timezone=True), nullable=False),
    Column("attempts", Integer, nullable=False),  # times sending was tried
    Column("next_try_at", DateTime(timezone=True)),  # unsent: not before then
    Column("sent_at", DateTime(timezone=True)),
    Column("failure", Text),  # what the mail server said when it last refused, or could not be reached
    Index("letters_to", "organisation", "position", "id"),
    Index("letters_from", "sender", "position", "id"),
    Index("letters_in_order", "position", "id"),  # every letter, as an auditor reads them
    Index("letters_about", "record_id", "position", "id"),
    Index("letters_unsent", "sent_at", "next_try_at", "position"),
)

# How far the postman has read the decision log: one row.
letter_cursor = Table(
    "letter_cursor",
    write_side,
    Column("name", String(16), primary_key=True),
    Column("position", BigInteger, nullable=False),
)

CURSOR = "decisions"
BATCH = 500
# A decision older than this when the postman first reads it is passed over: news that late is no notice, and a
# database with a long history, when letters first start, does not mail its whole past.
STALE = timedelta(days=30)


def declared_letters(declarations: Iterable[Declaration]) -> dict[str, Letter]:
    """The letters every declaration asks for, by the decision that sends them."""
    return {letter.decision: letter for declaration in declarations for letter in declaration.letters}


def letter_id(position: int, organisation: str) -> str:
    return str(uuid5(NAMESPACE_URL, f"marketplace:letter:{position}:{organisation}"))


def address_letters(connection: Connection, wanted: Mapping[str, Letter], public_url: str, now: datetime) -> int:
    """Address the letters for the decisions logged past the cursor (one batch); return how many. Commits or rolls
    back with the connection's transaction: a second postman that read the same cursor fails on the letters' keys."""
    start = connection.scalar(select(letter_cursor.c.position).where(letter_cursor.c.name == CURSOR))
    head = connection.scalar(select(func.max(decision_log.c.position))) or 0
    if start is not None and start >= head:
        return 0
    log = decision_log.c
    logged = (
        select(decision_log)
        .where(log.position > (start or 0), log.position <= head, log.decision.in_(list(wanted)))
        .where(log.decided_at >= now - STALE)
        .order_by(log.position)
        .limit(BATCH)
    )
    rows = [dict(row) for row in connection.execute(logged).mappings()]
    reached = rows[-1]["position"] if len(rows) == BATCH else head
    made = [letter for row in rows for letter in _letters(connection, wanted[row["decision"]], row, public_url, now)]
    if made:
        connection.execute(letters.insert(), made)
    _move_cursor(connection, start, reached)
    return len(made)


def _move_cursor(connection: Connection, start: int | None, reached: int) -> None:
    if start is None:
        connection.execute(letter_cursor.insert().values(name=CURSOR, position=reached))
        return
    moved = connection.execute(
        letter_cursor.update()
        .where(letter_cursor.c.name == CURSOR, letter_cursor.c.position == start)
        .values(position=reached)
    )
    if moved.rowcount != 1:  # another postman moved it first: its letters stand, these are rolled back
        raise IntegrityError("letter cursor moved", None, Exception("letter cursor moved"))


def _letters(
    connection: Connection, letter: Letter, row: Mapping[str, Any], public_url: str, now: datetime
) -> list[dict[str, Any]]:
    told = sorted(set(connection.scalars(select(letter.to).where(letter.by == row["record_id"]))))
    emails: dict[str, str] = dict(
        connection.execute(  # type: ignore[arg-type]  # rows of two columns
            select(organisations.c.identifier, organisations.c.contact_email).where(
                organisations.c.identifier.in_(told)
            )
        ).all()
    )
    path = letter.path.format(id=row["record_id"])
    subject = f"{row['record_kind'].replace('_', ' ').capitalize()} {row['summary']}"
    body = _body(row, subject, f"{public_url}{path}", letter.because)
    return [
        {
            "id": letter_id(row["position"], organisation),
            "position": row["position"],
            "organisation": organisation,
            "email": emails.get(organisation) or None,
            "sender": row["actor_organisation"],
            "decision": row["decision"],
            "record_kind": row["record_kind"],
            "record_id": row["record_id"],
            "path": path,
            "subject": subject,
            "body": body,
            "decided_at": row["decided_at"],
            "addressed_at": now,
            "attempts": 0,
            "next_try_at": now,
        }
        for organisation in told
    ]


def _body(row: Mapping[str, Any], subject: str, link: str, because: str) -> str:
    decided: datetime = row["decided_at"]
    return (
        f"{subject}.\n\n"
        f"Decided on {decided:%d %B %Y at %H:%M} UTC by {row['actor_organisation']} ({row['actor_role']}).\n"
        f"Reason: {row['reason']}\n\n"
        f"The record, as it now stands and as it stood at each step: {link}\n\n"
        f"You are told because {because}.\n"
    )
