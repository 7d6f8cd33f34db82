"""The notices the councils have published, one row each, in the order published: the open data of payments, contract
performance, changes and terminations, read by anyone."""

from __future__ import annotations

from typing import NamedTuple

from sqlalchemy import JSON, Boolean, Column, Date, DateTime, Index, String, Table, Text, select
from sqlalchemy.orm import Session

from domain.notices.notice import Notice
from projections.aggregate_rows import first_row, taken
from projections.batch import BatchProjection, Folds, Row, plain, utc
from projections.columns import ids, org_ids, version_columns
from projections.engine import metadata
from projections.pagination import fetch_page, one_row, where_given

notices = Table(
    "notices",
    metadata,
    *ids("id", key=True),
    *org_ids("publisher"),
    Column("kind", String(32), nullable=False),
    Column("covers", String(120), nullable=False),  # the period, or the contract and the occasion
    Column("contract_id", String(36)),  # the contract a contract's notice is about
    Column("content", JSON, nullable=False),  # what it says, as published
    Column("approved_by", JSON, nullable=False),  # the named officer: subject, name, job title
    Column("reason", Text, nullable=False),
    Column("published_on", Date, nullable=False),
    Column("due_by", Date),
    Column("late", Boolean, nullable=False),  # published after the day the law wanted it by
    Column("published_at", DateTime(timezone=True), nullable=False),
    *version_columns(),
    Index("notices_newest", "published_at", "id"),
    Index("notices_kind", "kind", "published_at", "id"),
    Index("notices_contract", "contract_id", "published_at", "id"),
)


def _published(event: Notice.Published) -> Row:
    return {
        "id": str(event.originator_id),
        **taken(event, "publisher", "kind", "covers", "reason", "published_on", "due_by"),
        "contract_id": event.contract_id or None,
        "content": plain(event.content),
        "approved_by": plain(event.approved_by),
        "late": event.due_by is not None and event.published_on > event.due_by,
        "published_at": utc(event.timestamp),
        "events_folded": 0,
    }


class NoticeRegister(BatchProjection):
    name = "notices"
    tables = (notices,)
    own_rows = notices
    follows = (Notice,)
    folds: Folds = {Notice.Published: first_row(notices, _published)}


def find_notice(session: Session, notice_id: str) -> Row | None:
    return one_row(session, notices.c.id, notice_id)


class NoticeQuery(NamedTuple):
    """What a reader asks of the register: a kind, a publisher, a contract (None: any)."""

    kind: str | None = None
    publisher: str | None = None
    contract_id: str | None = None


def search_notices(
    session: Session, asked: NoticeQuery, cursor: str | None = None, limit: int = 100
) -> tuple[list[Row], str | None]:
    """In the order published, filtered as asked."""
    t = notices
    filters = ((t.c.kind, asked.kind), (t.c.publisher, asked.publisher), (t.c.contract_id, asked.contract_id))
    return fetch_page(session, where_given(select(t), *filters), [t.c.published_at, t.c.id], cursor, limit)
