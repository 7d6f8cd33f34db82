"""Grant programmes: one row per programme, with its budget ledger (committed and remaining), and its queries.

What a programme has disbursed is its grants' money, kept by the grants register (projections/grants/register.py):
a read sums it for the programmes it shows, so no view folds another aggregate's events into this row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Index,
    Integer,
    Numeric,
    Select,
    String,
    Table,
    Text,
    func,
    select,
)
from sqlalchemy.orm import Session

from domain.grants.programme import CLOSED, DRAFT, PUBLISHED, GrantProgramme, ProgrammeStatus, WindowRecorded
from projections.aggregate_rows import first_row, own_row, taken
from projections.batch import BatchProjection, Folds, Row, plain, utc
from projections.columns import ids, org_ids, version_columns
from projections.engine import metadata
from projections.grants.register import grants
from projections.pagination import fetch_page, one_row, where_one_of

grant_programmes = Table(
    "grant_programmes",
    metadata,
    *ids("id", key=True),
    Column("code", String(40), nullable=False, unique=True),
    *org_ids("owner"),
    Column("title", String(200), nullable=False),
    Column("description", Text, nullable=False),
    Column("priority", String(64), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("budget", Numeric(14, 2), nullable=False),
    Column("committed", Numeric(14, 2), nullable=False),  # open offers and grants
    Column("opens", DateTime(timezone=True), nullable=False),
    Column("closes", DateTime(timezone=True), nullable=False),
    Column("minimum_award", Numeric(14, 2), nullable=False),
    Column("maximum_award", Numeric(14, 2), nullable=False),
    Column("legal_forms", JSON, nullable=False),
    Column("size_classes", JSON, nullable=False),
    Column("funds_legal_forms", Text, nullable=False),  # ",code,code," ("" funds any): what a search filters on
    Column("funds_sizes", Text, nullable=False),
    Column("vcse_only", Boolean, nullable=False),
    Column("postcode_areas", JSON, nullable=False),
    Column("criteria", JSON, nullable=False),
    Column("assessors_needed", Integer, nullable=False),
    Column("payment_basis", String(16), nullable=False),
    Column("status", String(16), nullable=False),  # draft | published | closed
    Column("window_recorded", String(16), nullable=False),  # not-open | open | closed, as the chronograph saw it
    Column("drafted_at", DateTime(timezone=True), nullable=False),
    *version_columns(),
    Index("grant_programmes_by_closing", "status", "closes", "id"),
    Index("grant_programmes_by_closes", "closes", "id"),  # the public list: every status but draft
)


def _drafted(event: GrantProgramme.Drafted) -> Row:
    eligibility = event.eligibility
    return {
        "id": str(event.originator_id),
        **taken(event, "code", "owner", "title", "description", "priority", "currency", "budget"),
        "committed": Decimal(0),
        "opens": utc(event.opens),
        "closes": utc(event.closes),
        **taken(event, "minimum_award", "maximum_award", "assessors_needed", "payment_basis"),
        "legal_forms": plain(eligibility.legal_forms),
        "size_classes": plain(eligibility.size_classes),
        "funds_legal_forms": codes(eligibility.legal_forms),
        "funds_sizes": codes(eligibility.size_classes),
        "vcse_only": eligibility.vcse_only,
        "postcode_areas": plain(eligibility.postcode_areas),
        "criteria": plain(event.criteria),
        "status": DRAFT,
        "window_recorded": WindowRecorded.NOT_OPEN.value,
        "drafted_at": utc(event.timestamp),
        "events_folded": 0,
    }


def codes(allowed: Sequence[str]) -> str:
    """A code list as one text a search can match a code in with LIKE, on SQLite and PostgreSQL alike."""
    return f",{','.join(allowed)}," if allowed else ""


def _status(status: str) -> Any:
    return lambda row, event: {"status": status}


def _window(recorded: str) -> Any:
    return lambda row, event: {"window_recorded": recorded}


def _extended(row: Row, event: GrantProgramme.WindowExtended) -> Row:
    recorded = WindowRecorded.OPEN.value if row["window_recorded"] == WindowRecorded.CLOSED else row["window_recorded"]
    return {"closes": utc(event.closes), "window_recorded": recorded}


def _committed(row: Row, event: GrantProgramme.FundsCommitted) -> Row:
    return {"committed": Decimal(row["committed"]) + event.amount}


def _released(row: Row, event: GrantProgramme.FundsReleased) -> Row:
    return {"committed": Decimal(row["committed"]) - event.amount}


class GrantProgrammeBoard(BatchProjection):
    name = "grant_programmes"
    tables = (grant_programmes,)
    own_rows = grant_programmes
    follows = (GrantProgramme,)
    folds: Folds = {
        GrantProgramme.Drafted: first_row(grant_programmes, _drafted),
        GrantProgramme.Published: own_row(grant_programmes, _status(PUBLISHED)),
        GrantProgramme.WindowOpened: own_row(grant_programmes, _window(WindowRecorded.OPEN.value)),
        GrantProgramme.WindowClosed: own_row(grant_programmes, _window(WindowRecorded.CLOSED.value)),
        GrantProgramme.WindowExtended: own_row(grant_programmes, _extended),
        GrantProgramme.BudgetAdjusted: own_row(grant_programmes, lambda row, event: {"budget": event.budget}),
        GrantProgramme.FundsCommitted: own_row(grant_programmes, _committed),
        GrantProgramme.FundsReleased: own_row(grant_programmes, _released),
        GrantProgramme.Closed: own_row(grant_programmes, _status(CLOSED)),
    }


def with_money(session: Session, rows: list[Row]) -> list[Row]:
    """The programmes with what their grants have disbursed, and what of the budget remains uncommitted."""
    ids_shown = [row["id"] for row in rows]
    disbursed: dict[str, Decimal] = {}
    if ids_shown:
        query = (
            select(grants.c.programme_id, func.sum(grants.c.amount_disbursed))
            .where(grants.c.programme_id.in_(ids_shown))
            .group_by(grants.c.programme_id)
        )
        disbursed = {programme: Decimal(total or 0) for programme, total in session.execute(query)}
    return [
        {
            **row,
            "disbursed": disbursed.get(row["id"], Decimal(0)),
            "remaining": Decimal(row["budget"]) - Decimal(row["committed"]),
        }
        for row in rows
    ]


def find_programme(session: Session, programme_id: str) -> Row | None:
    row = one_row(session, grant_programmes.c.id, programme_id)
    return with_money(session, [row])[0] if row else None


def search_programmes(
    session: Session, filters: ProgrammeFilters, cursor: str | None = None, limit: int = 100
) -> tuple[list[Row], str | None]:
    """Programmes by closing time, filtered; drafts only when asked for (the council's)."""
    t = grant_programmes
    if not filters.statuses:
        return [], None  # no status asked for (a draft, of another's asking): what `status IN ()` finds
    query = where_one_of(select(t), t.c.status, filters.statuses, list(ProgrammeStatus))
    if filters.priority is not None:
        query = query.where(t.c.priority == filters.priority)
    if filters.open_at is not None:
        query = query.where(t.c.status == PUBLISHED, t.c.opens <= filters.open_at, t.c.closes > filters.open_at)
    if filters.shut_at is not None:
        query = query.where((t.c.status != PUBLISHED) | (t.c.opens > filters.shut_at) | (t.c.closes <= filters.shut_at))
    query = filters.eligible(query)
    rows, next_cursor = fetch_page(session, query, [t.c.closes, t.c.id], cursor, limit)
    return with_money(session, rows), next_cursor


@dataclass(frozen=True)
class ProgrammeFilters:
    """What the public list of programmes is filtered by: priority, open now, and whom it funds."""

    statuses: tuple[str, ...] = (PUBLISHED, CLOSED)
    priority: str | None = None
    open_at: datetime | None = None  # open for applications at this moment
    shut_at: datetime | None = None  # not open for applications at this moment
    legal_form: str | None = None
    size: str | None = None
    vcse: bool | None = None

    def eligible(self, query: Select[Any]) -> Select[Any]:
        """The programmes that fund an organisation of this legal form, size and VCSE standing (each given)."""
        t = grant_programmes
        for column, code in ((t.c.funds_legal_forms, self.legal_form), (t.c.funds_sizes, self.size)):
            if code is not None:
                query = query.where((column == "") | column.like(f"%,{code},%"))
        if self.vcse is False:
            query = query.where(t.c.vcse_only.is_(False))
        return query


def windows_due(session: Session, now: datetime, limit: int = 1000) -> list[str]:
    """Published programmes whose window opening or closing the chronograph has yet to record."""
    t = grant_programmes
    query = (
        select(t.c.id)
        .where(t.c.status == PUBLISHED)
        .where(
            ((t.c.window_recorded == WindowRecorded.NOT_OPEN.value) & (t.c.opens <= now))
            | ((t.c.window_recorded == WindowRecorded.OPEN.value) & (t.c.closes <= now))
        )
        .limit(limit)
    )
    return [str(row) for row in session.scalars(query)]
