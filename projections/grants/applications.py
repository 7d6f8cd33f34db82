"""Grant applications: one row per application, for the officers' work queue (by programme and status, ranked
by the moderated score) and for an applicant's own list.

A ranking needs each criterion's weight and scale, which the programme's terms hold: this view keeps its own
copy of every programme's criteria (folded from the programme's first event), so it never reads another view
and a rebuild of it alone comes out the same.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import JSON, Boolean, Column, Date, DateTime, Index, Numeric, String, Table, select
from sqlalchemy.orm import Session

from domain.grants.application import ApplicationStatus, GrantApplication
from domain.grants.programme import GrantProgramme
from projections.aggregate_rows import first_row, own_row, taken, updated
from projections.batch import BatchProjection, Folds, Row, Touched, originators, utc
from projections.columns import ids, org_ids, version_columns
from projections.engine import Envelope, metadata
from projections.pagination import fetch_page, one_row, where_given

CENT = Decimal("0.01")

grant_applications = Table(
    "grant_applications",
    metadata,
    *ids("id", key=True),
    *ids("programme_id"),
    *org_ids("applicant"),
    Column("applicant_name", String(200), nullable=False),
    Column("project_title", String(200), nullable=False),
    Column("amount_requested", Numeric(14, 2), nullable=False),
    Column("planned_start", Date, nullable=False),
    Column("planned_end", Date, nullable=False),
    Column("status", String(20), nullable=False),
    Column("assessors", JSON, nullable=False),  # subject -> assigned | no-conflict | conflict
    Column("scores", JSON, nullable=False),  # criterion -> {assessor: score}
    Column("agreed", JSON, nullable=False),  # criterion -> agreed score
    Column("moderated_score", Numeric(6, 2), nullable=False),  # weighted, out of 100, of the criteria agreed so far
    Column("rank_order", Numeric(6, 2), nullable=False),  # minus that score: keyset pages ascend, best first
    Column("moderation_complete", Boolean, nullable=False),
    Column("offer_amount", Numeric(14, 2)),
    Column("offer_expires", Date),
    Column("submitted_at", DateTime(timezone=True)),
    Column("decided_at", DateTime(timezone=True)),
    Column("drafted_at", DateTime(timezone=True), nullable=False),
    *version_columns(),
    Index("grant_applications_queue", "programme_id", "rank_order", "id"),
    Index("grant_applications_offers", "status", "offer_expires"),
    # every application, best first (work_queue): all, an applicant's, or those in one status
    Index("grant_applications_ranked", "rank_order", "id"),
    Index("grant_applications_ranked_by_applicant", "applicant", "rank_order", "id"),
    Index("grant_applications_ranked_by_status", "status", "rank_order", "id"),
)

application_criteria = Table(
    "grant_application_criteria",
    metadata,
    *ids("programme_id", key=True),
    Column("criteria", JSON, nullable=False),  # key -> {weight, scale}
)

S = ApplicationStatus


def _drafted(event: GrantApplication.Drafted) -> Row:
    return {
        "id": str(event.originator_id),
        **taken(event, "programme_id", "applicant", "applicant_name", "project_title", "amount_requested"),
        **taken(event, "planned_start", "planned_end"),
        "status": S.DRAFT.value,
        "assessors": {},
        "scores": {},
        "agreed": {},
        "moderated_score": Decimal(0),
        "rank_order": Decimal(0),
        "moderation_complete": False,
        "offer_amount": None,
        "offer_expires": None,
        "submitted_at": None,
        "decided_at": None,
        "drafted_at": utc(event.timestamp),
        "events_folded": 0,
    }


def _saved(row: Row, event: GrantApplication.DraftSaved) -> Row:
    names = ("project_title", "amount_requested", "planned_start", "planned_end")
    return {name: event.changes[name] for name in names if name in event.changes}


def _status(status: ApplicationStatus, decided: bool = False) -> Any:
    def change(row: Row, event: Any) -> Row:
        return {"status": status.value, **({"decided_at": utc(event.timestamp)} if decided else {})}

    return change


def _submitted(row: Row, event: GrantApplication.Submitted) -> Row:
    return {"status": S.SUBMITTED.value, "submitted_at": row["submitted_at"] or utc(event.timestamp)}


def _assessor(row: Row, subject: str, state: str) -> Row:
    return {"assessors": {**row["assessors"], subject: state}}


def _scored(row: Row, event: GrantApplication.Scored) -> Row:
    by_criterion = {**row["scores"].get(event.criterion, {}), event.assessor: event.score}
    return {"scores": {**row["scores"], event.criterion: by_criterion}}


def _offered(row: Row, event: GrantApplication.Offered) -> Row:
    return {
        "status": S.OFFERED.value,
        "offer_amount": event.amount,
        "offer_expires": event.expires,
        "decided_at": utc(event.timestamp),
    }


def moderated(touched: Touched, event: GrantApplication.Moderated) -> None:
    """The agreed score, and the weighted total of the criteria agreed so far."""
    rows = touched["grant_applications"]
    row = rows[str(event.originator_id)]
    criteria = touched["grant_application_criteria"][row["programme_id"]]["criteria"]
    agreed = {**row["agreed"], event.criterion: event.score}
    total = sum(
        (Decimal(score) / criteria[key]["scale"] * criteria[key]["weight"] for key, score in agreed.items()),
        Decimal(0),
    )
    rows.put(
        {
            **row,
            "agreed": agreed,
            "moderated_score": total.quantize(CENT, ROUND_HALF_UP),
            "rank_order": -total.quantize(CENT, ROUND_HALF_UP),
            "moderation_complete": set(agreed) == set(criteria),
            **updated(row, event),
        }
    )


def programme_criteria(touched: Touched, event: GrantProgramme.Drafted) -> None:
    weights = {c.key: {"weight": c.weight, "scale": c.scale} for c in event.criteria}
    touched["grant_application_criteria"].put({"programme_id": str(event.originator_id), "criteria": weights})


class GrantApplicationQueue(BatchProjection):
    name = "grant_applications"
    tables = (grant_applications, application_criteria)
    own_rows = grant_applications
    follows = (GrantProgramme, GrantApplication)
    folds: Folds = {
        GrantProgramme.Drafted: programme_criteria,
        GrantApplication.Drafted: first_row(grant_applications, _drafted),
        GrantApplication.DraftSaved: own_row(grant_applications, _saved),
        GrantApplication.Submitted: own_row(grant_applications, _submitted),
        GrantApplication.Withdrawn: own_row(grant_applications, _status(S.WITHDRAWN)),
        GrantApplication.ChangesRequested: own_row(grant_applications, _status(S.CHANGES_REQUESTED)),
        GrantApplication.AssessorAssigned: own_row(
            grant_applications, lambda row, e: _assessor(row, e.assessor, "assigned")
        ),
        GrantApplication.InterestsDeclared: own_row(
            grant_applications, lambda row, e: _assessor(row, e.assessor, "conflict" if e.conflict else "no-conflict")
        ),
        GrantApplication.Scored: own_row(grant_applications, _scored),
        GrantApplication.Moderated: moderated,
        GrantApplication.Offered: own_row(grant_applications, _offered),
        GrantApplication.Declined: own_row(grant_applications, _status(S.DECLINED, decided=True)),
        GrantApplication.OfferAccepted: own_row(grant_applications, _status(S.ACCEPTED)),
        GrantApplication.OfferDeclined: own_row(grant_applications, _status(S.OFFER_DECLINED)),
        GrantApplication.OfferLapsed: own_row(grant_applications, _status(S.LAPSED)),
    }
    ignores = (
        GrantProgramme.Published,
        GrantProgramme.WindowOpened,
        GrantProgramme.WindowClosed,
        GrantProgramme.WindowExtended,
        GrantProgramme.BudgetAdjusted,
        GrantProgramme.FundsCommitted,
        GrantProgramme.FundsReleased,
        GrantProgramme.Closed,
    )

    def load(self, session: Session, touched: Touched, batch: Sequence[Envelope]) -> None:
        """The batch's applications, and the criteria of the programmes they belong to."""
        applications = touched["grant_applications"]
        applications.load(session, "id", originators(batch, GrantApplication.Event))
        programmes = {row["programme_id"] for row in applications.values()}
        programmes |= {e.event.programme_id for e in batch if isinstance(e.event, GrantApplication.Drafted)}
        touched["grant_application_criteria"].load(session, "programme_id", programmes)


def find_application(session: Session, application_id: str) -> Row | None:
    return one_row(session, grant_applications.c.id, application_id)


def work_queue(
    session: Session,
    filters: tuple[tuple[Any, Any], ...] = (),
    cursor: str | None = None,
    limit: int = 100,
) -> tuple[list[Row], str | None]:
    """Applications best first (the programme's ranking once moderated), filtered by (column, value) pairs."""
    t = grant_applications
    query = where_given(select(t), *filters)
    return fetch_page(session, query, [t.c.rank_order, t.c.id], cursor, limit)


def offers_due_to_lapse(session: Session, today: date, limit: int = 1000) -> list[str]:
    """Offers still open after their expiry date: the chronograph lapses them."""
    t = grant_applications
    query = select(t.c.id).where(t.c.status == S.OFFERED.value, t.c.offer_expires < today).limit(limit)
    return [str(found) for found in session.scalars(query)]
