"""Letters as their readers ask for them: newest first, filtered, in keyset pages; one by its id."""

from __future__ import annotations

from typing import Any, NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.base import Actor
from marketplace.notifications.access import readable_by
from marketplace.notifications.letters import letters
from marketplace.notifications.post import MAX_ATTEMPTS
from projections.pagination import Row, fetch_page, where_given


class LetterQuery(NamedTuple):
    organisation: str | None = None  # told to this organisation
    record_id: str | None = None  # about this record


def status_of(row: Row) -> str:
    """sent; no-address (nobody to send it to); undeliverable (tried 12 times); else queued."""
    if row["sent_at"] is not None:
        return "sent"
    if row["email"] is None:
        return "no-address"
    return "undeliverable" if row["attempts"] >= MAX_ATTEMPTS else "queued"


def search_letters(
    session: Session, reader: Actor, asked: LetterQuery, cursor: str | None, limit: int
) -> tuple[list[Row], str | None]:
    """In the order the decisions were made; only what the reader may read."""
    t = letters.c
    query = where_given(select(letters).where(readable_by(reader)), (t.organisation, asked.organisation))
    query = where_given(query, (t.record_id, asked.record_id))
    return fetch_page(session, query, [t.position, t.id], cursor, limit)


def find_letter(session: Session, reader: Actor, letter: str) -> dict[str, Any] | None:
    """The letter, if the reader may read it (else none: a letter not theirs is, to them, not there)."""
    found = session.execute(select(letters).where(letters.c.id == letter, readable_by(reader))).mappings().first()
    return dict(found) if found else None
