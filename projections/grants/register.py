"""The grants register: one row per grant made (public: recipient, amount, dates, programme), and every movement
of its money (instalments paid, money recovered) as the transactions 360Giving publishes.

`amount_disbursed` is what the recipient holds of the council's money, paid minus reclaimed: always the sum of
the grant's transactions, since each reclaim is kept as a negative one, dated the day the money came back. A
clawback or repayment asked back moves nothing until its recovery is received (`Grant.Recovered`); a clawback or
repayment recorded before recoveries were payment records (`ClawedBack`, `UnderspendReturned.repaid`) moved it at
once, dated the day decided.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Column, Date, DateTime, Index, Integer, Numeric, String, Table, Text, select
from sqlalchemy.orm import Session

from domain.grants.grant import Grant
from domain.grants.terms import GrantStatus
from domain.working_days import uk_date
from projections.aggregate_rows import first_row, own_row, taken, unchanged
from projections.batch import BatchProjection, Folds, Row, Touched, plain, utc
from projections.columns import ids, org_ids, version_columns
from projections.engine import metadata
from projections.pagination import fetch_page, one_row, where_given

grants = Table(
    "grants",
    metadata,
    *ids("id", key=True),
    *ids("application_id", "programme_id"),
    Column("programme_code", String(40), nullable=False),
    Column("programme_title", String(200), nullable=False),
    *org_ids("funder", "recipient"),
    Column("recipient_name", String(200), nullable=False),
    Column("title", String(200), nullable=False),
    Column("description", Text, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("amount_awarded", Numeric(14, 2), nullable=False),  # the current award
    Column("amount_disbursed", Numeric(14, 2), nullable=False),  # paid minus reclaimed
    Column("award_date", Date, nullable=False),
    Column("planned_start", Date, nullable=False),
    Column("planned_end", Date, nullable=False),
    Column("actual_start", Date),
    Column("actual_end", Date),
    Column("locations", JSON, nullable=False),
    Column("conditions", JSON, nullable=False),  # key, text, discharged
    Column("schedule", JSON, nullable=False),  # key, amount, trigger, due, milestone, conditions, paid_on
    Column("returns", JSON, nullable=False),  # period -> submitted | accepted | returned
    Column("underspend_declared", Numeric(14, 2), nullable=False),
    Column("status", String(16), nullable=False),  # active | closed
    Column("made_at", DateTime(timezone=True), nullable=False),
    *version_columns(),
    Index("grants_by_award_date", "award_date", "id"),
    Index("grants_of_programme", "programme_id", "award_date", "id"),
    Index("grants_of_recipient", "recipient", "award_date", "id"),
)

grant_transactions = Table(
    "grant_transactions",
    metadata,
    Column("grant_id", String(36), primary_key=True),
    Column("seq", Integer, primary_key=True),  # the grant event's version: unique and in order
    Column("kind", String(24), nullable=False),  # instalment | clawback | underspend repaid (Grant.Recovered.cause)
    Column("amount", Numeric(14, 2), nullable=False),  # money out positive, money back negative
    Column("transaction_date", Date, nullable=False),
    Column("reference", String(200), nullable=False),
)


def _made(event: Grant.Made) -> Row:
    return {
        "id": str(event.originator_id),
        **taken(event, "application_id", "programme_id", "programme_code", "programme_title", "funder"),
        **taken(event, "recipient", "recipient_name", "title", "description", "currency", "award_date"),
        **taken(event, "planned_start", "planned_end"),
        "amount_awarded": event.amount,
        "amount_disbursed": Decimal(0),
        "actual_start": None,
        "actual_end": None,
        "locations": plain(event.locations),
        "conditions": [{**plain(c), "discharged": False} for c in event.conditions],
        "schedule": [{**plain(i), "paid_on": None} for i in event.schedule],
        "returns": {},
        "underspend_declared": Decimal(0),
        "status": GrantStatus.ACTIVE.value,
        "made_at": utc(event.timestamp),
        "events_folded": 0,
    }


def _discharged(row: Row, event: Grant.ConditionDischarged) -> Row:
    conditions = [{**c, "discharged": True} if c["key"] == event.condition else c for c in row["conditions"]]
    return {"conditions": conditions}


def _paid(row: Row, event: Grant.InstalmentPaid) -> Row:
    schedule = [{**i, "paid_on": str(event.paid_on)} if i["key"] == event.instalment else i for i in row["schedule"]]
    return {"schedule": schedule, "amount_disbursed": Decimal(row["amount_disbursed"]) + event.amount}


def _return(row: Row, period: str, status: str) -> Row:
    return {"returns": {**row["returns"], period: status}}


def _varied(row: Row, event: Grant.Varied) -> Row:
    changes = event.changes
    return {
        **({"amount_awarded": changes["amount"]} if "amount" in changes else {}),
        **({"planned_end": changes["planned_end"]} if "planned_end" in changes else {}),
    }


def _underspend_returned(row: Row, event: Grant.UnderspendReturned) -> Row:
    return {
        "amount_awarded": Decimal(row["amount_awarded"]) - event.amount,
        "amount_disbursed": Decimal(row["amount_disbursed"]) - event.repaid,
        "underspend_declared": Decimal(0),  # the declaration is settled
    }


def _reclaimed(row: Row, event: Grant.Recovered | Grant.ClawedBack) -> Row:
    """Money back (a recovery received; a clawback as recorded before): off the award and what the recipient holds."""
    return {
        "amount_awarded": Decimal(row["amount_awarded"]) - event.amount,
        "amount_disbursed": Decimal(row["amount_disbursed"]) - event.amount,
    }


def _closed(row: Row, event: Grant.Closed) -> Row:
    return {
        "status": GrantStatus.CLOSED.value,
        "actual_start": event.actual_start,
        "actual_end": event.actual_end,
        "amount_awarded": Decimal(row["amount_awarded"]) - event.released,
    }


def transaction(kind: str, sign: int, amount_of: str, date_of: str) -> Any:
    """The fold that keeps one movement of a grant's money, dated, as a row of its own: of the `kind` named, or
    (`kind` empty) of the kind the event's `cause` gives."""

    def fold(touched: Touched, event: Any) -> None:
        amount = getattr(event, amount_of)
        if not amount:
            return
        moved = getattr(event, date_of) if date_of else uk_date(event.timestamp)  # the UK day, as commands date
        touched["grant_transactions"].put(
            {
                "grant_id": str(event.originator_id),
                "seq": event.originator_version,
                "kind": kind or event.cause,
                "amount": sign * amount,
                "transaction_date": moved,
                "reference": getattr(event, "reference", ""),
            }
        )

    return fold


class GrantsRegister(BatchProjection):
    name = "grants"
    tables = (grants, grant_transactions)
    own_rows = grants
    follows = (Grant,)
    folds: Folds = {
        Grant.Made: first_row(grants, _made),
        Grant.ConditionDischarged: own_row(grants, _discharged),
        Grant.InstalmentPaid: (
            own_row(grants, _paid),
            transaction("instalment", 1, "amount", "paid_on"),
        ),
        Grant.ReturnSubmitted: own_row(grants, lambda row, event: _return(row, event.period, "submitted")),
        Grant.ReturnReviewed: own_row(grants, lambda row, event: _return(row, event.period, event.outcome)),
        Grant.Varied: own_row(grants, _varied),
        Grant.UnderspendDeclared: own_row(
            grants, lambda row, e: {"underspend_declared": Decimal(row["underspend_declared"]) + e.amount}
        ),
        Grant.UnderspendReturned: (
            own_row(grants, _underspend_returned),
            transaction("underspend repaid", -1, "repaid", ""),
        ),
        Grant.ClawedBack: (own_row(grants, _reclaimed), transaction("clawback", -1, "amount", "")),
        Grant.ClawbackDecided: own_row(grants, unchanged),  # asked back: nothing moves until it is received
        Grant.Recovered: (own_row(grants, _reclaimed), transaction("", -1, "amount", "received_on")),
        Grant.Closed: own_row(grants, _closed),
    }


def find_grant(session: Session, grant_id: str) -> Row | None:
    return one_row(session, grants.c.id, grant_id)


def grants_register(
    session: Session,
    filters: tuple[tuple[Any, Any], ...] = (),
    cursor: str | None = None,
    limit: int = 100,
) -> tuple[list[Row], str | None]:
    """Grants by award date, filtered by (column, value) pairs given (programme, recipient, status)."""
    query = where_given(select(grants), *filters)
    return fetch_page(session, query, [grants.c.award_date, grants.c.id], cursor, limit)


def transactions_of(session: Session, grant_ids: list[str]) -> dict[str, list[Row]]:
    """Each grant's transactions, in order."""
    found: dict[str, list[Row]] = {grant_id: [] for grant_id in grant_ids}
    if grant_ids:
        t = grant_transactions
        query = select(t).where(t.c.grant_id.in_(grant_ids)).order_by(t.c.grant_id, t.c.seq)
        for row in session.execute(query).mappings():
            found[row["grant_id"]].append(dict(row))
    return found
