"""Expressions of interest: one row per expression, and the queries of the public register of expressions and
decisions, a body's own, the officers' work queue (the next deadline first, overdue flagged) and the clock's.

The row keeps what the expression says (`content`: its finances, evidence and plans, a staff group's members)
beside what the register publishes; the presenters show `content` only to the council and the body.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import JSON, Boolean, Column, Date, DateTime, Index, String, Table, Text, select
from sqlalchemy.orm import Session

from domain.challenge.expression import ACCEPTED, UNDECIDED, ExpressionOfInterest, ExpressionStatus, Outcome
from domain.working_days import uk_date
from projections.aggregate_rows import first_row, own_row, taken
from projections.batch import BatchProjection, Folds, Row, plain, utc
from projections.challenge.services import services
from projections.columns import ids, org_ids, version_columns
from projections.engine import metadata
from projections.pagination import fetch_page

CONTENT = (
    "group_name",
    "members",
    "partners",
    "financial_resources",
    "capability_evidence",
    "outcomes",
    "well_being",
    "users_needs",
    "staff_engagement",
    "area",
)

expressions_of_interest = Table(
    "expressions_of_interest",
    metadata,
    *ids("id", key=True),
    *ids("service_id"),
    *org_ids("council", "body"),
    Column("body_name", String(200), nullable=False),  # a staff group: its name, never its members'
    Column("body_kind", String(16), nullable=False),
    Column("legal_form", String(64), nullable=False),
    Column("content", JSON, nullable=False),  # what Schedule 1 asks: the council's and the body's only
    Column("window_id", String(8), nullable=False),
    Column("periods", JSON, nullable=False),
    Column("submitted_on", Date, nullable=False),
    Column("decision_due", Date, nullable=False),
    Column("acknowledged_on", Date),
    Column("status", String(24), nullable=False),
    Column("modification", Text, nullable=False),
    Column("modification_agreed", Boolean, nullable=False),
    Column("outcome", String(32), nullable=False),  # accepted | accepted-with-modification | rejected | ""
    Column("grounds", JSON, nullable=False),
    Column("reasons", Text, nullable=False),  # the decision's
    Column("decided_on", Date),
    Column("procurement_earliest", Date),
    Column("procurement_due_by", Date),
    Column("tender_id", String(36), nullable=False),
    Column("next_deadline", Date),  # the decision's, then the procurement's; none once neither is awaited
    Column("decision_overdue", Boolean, nullable=False),
    Column("procurement_overdue", Boolean, nullable=False),
    Column("submitted_at", DateTime(timezone=True), nullable=False),
    *version_columns(),
    Index("expressions_by_submission", "submitted_at", "id"),
    Index("expressions_by_deadline", "council", "next_deadline", "id"),
    Index("expressions_by_body", "body", "submitted_at", "id"),
    Index("expressions_by_service", "service_id", "submitted_at", "id"),
)


def _submitted(event: ExpressionOfInterest.Submitted) -> Row:
    return {
        "id": str(event.originator_id),
        **taken(event, "service_id", "council", "body", "body_name", "body_kind", "legal_form", "window_id"),
        "content": {name: plain(getattr(event, name)) for name in CONTENT},
        "periods": plain(event.periods),
        **taken(event, "submitted_on", "decision_due"),
        "acknowledged_on": None,
        "status": ExpressionStatus.SUBMITTED.value,
        "modification": "",
        "modification_agreed": False,
        "outcome": "",
        "grounds": [],
        "reasons": "",
        "decided_on": None,
        "procurement_earliest": None,
        "procurement_due_by": None,
        "tender_id": "",
        "next_deadline": event.decision_due,
        "decision_overdue": False,
        "procurement_overdue": False,
        "submitted_at": utc(event.timestamp),
        "events_folded": 0,
    }


def _day(event: Any) -> date:
    """The UK day of the event: what the register dates decisions by."""
    return uk_date(event.timestamp)


def _status(status: ExpressionStatus, **more: Any) -> Any:
    return lambda row, event: {"status": status.value, **more}


def _proposed(row: Row, event: ExpressionOfInterest.ModificationProposed) -> Row:
    return {"status": ExpressionStatus.MODIFICATION_PROPOSED.value, "modification": event.modification}


def _accepted(row: Row, event: ExpressionOfInterest.Accepted) -> Row:
    return {
        "status": ACCEPTED.value,
        **taken(event, "outcome", "procurement_earliest", "procurement_due_by"),
        "reasons": event.reason,
        "decided_on": _day(event),
        "next_deadline": event.procurement_due_by,
    }


def _rejected(row: Row, event: ExpressionOfInterest.Rejected) -> Row:
    decided = {"decided_on": _day(event), "next_deadline": None}
    return {
        "status": ExpressionStatus.REJECTED.value,
        "outcome": Outcome.REJECTED.value,
        "grounds": list(event.grounds),
        "reasons": event.reason,
        **decided,
    }


class ExpressionRegister(BatchProjection):
    name = "expressions_of_interest"
    tables = (expressions_of_interest,)
    own_rows = expressions_of_interest
    follows = (ExpressionOfInterest,)
    folds: Folds = {
        ExpressionOfInterest.Submitted: first_row(expressions_of_interest, _submitted),
        ExpressionOfInterest.Acknowledged: own_row(
            expressions_of_interest,
            lambda row, e: {"status": ExpressionStatus.ACKNOWLEDGED.value, "acknowledged_on": _day(e)},
        ),
        ExpressionOfInterest.ModificationProposed: own_row(expressions_of_interest, _proposed),
        ExpressionOfInterest.ModificationAgreed: own_row(
            expressions_of_interest, _status(ExpressionStatus.ACKNOWLEDGED, modification_agreed=True)
        ),
        ExpressionOfInterest.ModificationDeclined: own_row(
            expressions_of_interest, _status(ExpressionStatus.ACKNOWLEDGED, modification="")
        ),
        ExpressionOfInterest.Accepted: own_row(expressions_of_interest, _accepted),
        ExpressionOfInterest.Rejected: own_row(expressions_of_interest, _rejected),
        ExpressionOfInterest.Withdrawn: own_row(
            expressions_of_interest, _status(ExpressionStatus.WITHDRAWN, next_deadline=None)
        ),
        ExpressionOfInterest.DecisionOverdue: own_row(
            expressions_of_interest, lambda row, e: {"decision_overdue": True}
        ),
        ExpressionOfInterest.ProcurementOverdue: own_row(
            expressions_of_interest, lambda row, e: {"procurement_overdue": True}
        ),
        ExpressionOfInterest.ProcurementStarted: own_row(
            expressions_of_interest, lambda row, e: {"tender_id": e.tender_id, "next_deadline": None}
        ),
    }


def with_service(query: Any) -> Any:
    t = expressions_of_interest
    return query.add_columns(services.c.name.label("service_name")).join(services, services.c.id == t.c.service_id)


def find_expression(session: Session, expression_id: str) -> Row | None:
    t = expressions_of_interest
    row = session.execute(with_service(select(t)).where(t.c.id == expression_id)).mappings().first()
    return dict(row) if row else None


@dataclass(frozen=True)
class ExpressionFilters:
    service_id: str | None = None
    status: str | None = None
    outcome: str | None = None
    body: str | None = None  # a body's own


def search_expressions(
    session: Session, filters: ExpressionFilters, cursor: str | None = None, limit: int = 100
) -> tuple[list[Row], str | None]:
    """The register of expressions and decisions, in the order they were made, filtered."""
    t = expressions_of_interest
    query = with_service(select(t))
    for column, value in (
        (t.c.service_id, filters.service_id),
        (t.c.status, filters.status),
        (t.c.outcome, filters.outcome),
        (t.c.body, filters.body),
    ):
        if value is not None:
            query = query.where(column == value)
    return fetch_page(session, query, [t.c.submitted_at, t.c.id], cursor, limit)


def work_queue(
    session: Session, council: str, cursor: str | None = None, limit: int = 100
) -> tuple[list[Row], str | None]:
    """The council's expressions awaiting a decision or a procurement, the nearest deadline first (so the
    overdue, whose deadlines have passed, lead)."""
    t = expressions_of_interest
    query = with_service(select(t)).where(t.c.council == council, t.c.next_deadline.is_not(None))
    return fetch_page(session, query, [t.c.next_deadline, t.c.id], cursor, limit)


def overdue_to_flag(session: Session, today: date, limit: int = 1000) -> list[str]:
    """Expressions whose decision, or whose procurement, is overdue and not yet flagged by the clock."""
    t = expressions_of_interest
    undecided = t.c.status.in_([status.value for status in UNDECIDED]) & t.c.decision_overdue.is_(False)
    waiting = (t.c.status == ACCEPTED.value) & (t.c.tender_id == "") & t.c.procurement_overdue.is_(False)
    query = (
        select(t.c.id)
        .where(t.c.next_deadline < today, undecided | waiting)
        .order_by(t.c.next_deadline, t.c.id)
        .limit(limit)
    )
    return [str(found) for found in session.scalars(query)]
