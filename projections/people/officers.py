"""The council's people register: one row per officer (their team, job, whether they are still here), and its
queries. The row's id is made from the subject (domain/people/officer.py), so who someone is reads by primary key."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, DateTime, Index, String, Table, Text, select
from sqlalchemy.orm import Session

from domain.people.officer import ACTIVE, LEFT, Officer, officer_uuid
from projections.aggregate_rows import first_row, own_row, taken
from projections.batch import BatchProjection, Folds, Row, utc
from projections.columns import ids, org_ids, version_columns
from projections.engine import metadata
from projections.pagination import fetch_page, one_row, where_given

officers = Table(
    "officers",
    metadata,
    *ids("id", key=True),  # officer_uuid(subject)
    Column("subject", String(200), nullable=False, unique=True),
    *org_ids("council"),
    Column("name", String(200), nullable=False),
    Column("job_title", String(200), nullable=False),
    Column("team", String(200), nullable=False),
    Column("active", Boolean, nullable=False),
    Column("joined_at", DateTime(timezone=True), nullable=False),  # registered, or last rejoined
    Column("left_at", DateTime(timezone=True)),
    Column("left_reason", Text, nullable=False),
    Column("registered_at", DateTime(timezone=True), nullable=False),
    *version_columns(),
    Index("officers_by_name", "council", "name", "subject"),
    Index("officers_by_team", "council", "team", "name", "subject"),
)


def _registered(event: Officer.Registered) -> Row:
    return {
        "id": str(event.originator_id),
        **taken(event, "subject", "council", "name", "job_title", "team"),
        "active": True,
        "joined_at": utc(event.timestamp),
        "left_at": None,
        "left_reason": "",
        "registered_at": utc(event.timestamp),
        "events_folded": 0,
    }


def _left(row: Row, event: Officer.Left) -> Row:
    return {"active": False, "left_at": utc(event.effective), "left_reason": event.reason}


def _rejoined(row: Row, event: Officer.Rejoined) -> Row:
    return {"active": True, "joined_at": utc(event.timestamp), "left_at": None, "left_reason": ""}


class OfficerRegister(BatchProjection):
    name = "officers"
    tables = (officers,)
    own_rows = officers
    follows = (Officer,)
    folds: Folds = {
        Officer.Registered: first_row(officers, _registered),
        Officer.DetailsChanged: own_row(officers, lambda row, event: dict(event.changes)),
        Officer.Left: own_row(officers, _left),
        Officer.Rejoined: own_row(officers, _rejoined),
    }


def status_of(row: Row) -> str:
    return ACTIVE.value if row["active"] else LEFT.value


def find_officer(session: Session, subject: str) -> Row | None:
    """The officer with this subject, by primary key, whichever council they work for."""
    return one_row(session, officers.c.id, str(officer_uuid(subject)))


def search_officers(  # noqa: PLR0913 - each keyword is one filter, as its route passes it
    session: Session,
    council: str,
    *,
    team: str | None = None,
    active: bool | None = None,
    cursor: str | None = None,
    limit: int = 100,
) -> tuple[list[Row], str | None]:
    """One council's officers by name, filtered by team and whether they are still here; keyset pages."""
    c = officers.c
    query = where_given(select(officers).where(c.council == council), (c.team, team), (c.active, active))
    return fetch_page(session, query, [c.name, c.subject], cursor, limit)
