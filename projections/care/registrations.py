"""Care micro-enterprise registrations: the public directory, the commissioners' work queue, the evidence.

Three tables folded together from one position: one row per registration (with the earliest expiry of
the evidence its listing stands on), one row per piece of evidence (its check, and whether it is the
newest for its slot and whether the listing stands on it), and the facets the directory searches by
(service, postcode district, parish). Whether a listing is in date is never folded: the directory
compares the stored earliest expiry with the time of the request, so it is right by the clock even
before the chronograph records anything.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Index,
    Integer,
    Numeric,
    String,
    Table,
    Text,
    and_,
    delete,
    exists,
    insert,
    or_,
    select,
)
from sqlalchemy.orm import Session

from domain.base import MarketplaceAggregate
from domain.care.micro_enterprise import APPLIED, FAILED, LISTED, PASSED, PENDING, SUSPENDED
from domain.care.registration import Registration
from domain.working_days import uk_date
from projections.batch import Row, Rows, bumped, plain, utc
from projections.engine import Envelope, Projection, metadata
from projections.pagination import fetch_page

registrations = Table(
    "registrations",
    metadata,
    Column("id", String(36), primary_key=True),  # the Registration aggregate's id
    Column("organisation", String(80), nullable=False, unique=True),  # org-id.guide
    Column("name", String(200), nullable=False),
    Column("status", String(16), nullable=False),  # applied | rejected | listed | suspended | withdrawn
    Column("suspended_from", String(16), nullable=False),
    Column("services", JSON, nullable=False),
    Column("districts", JSON, nullable=False),
    Column("parishes", JSON, nullable=False),
    Column("weekly_capacity_hours", Integer, nullable=False),
    Column("available_hours", Integer, nullable=False),
    Column("hourly_rate", Numeric(10, 2), nullable=False),
    Column("workers", Integer, nullable=False),
    Column("cqc_regulated", Boolean, nullable=False),
    Column("evidence_expires_on", Date),  # the earliest expiry of the evidence the listing stands on
    Column("unchecked", Integer, nullable=False),  # pieces of evidence waiting for a check
    Column("clock_standing", String(16), nullable=False),  # what the chronograph last recorded ...
    Column("clock_for", Date),  # ... for which earliest expiry
    Column("decision_reason", Text),  # the reason of the latest decision
    Column("decided_at", DateTime(timezone=True)),
    Column("applied_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("version", Integer, nullable=False),
    Column("events_folded", Integer, nullable=False),
    Index("registrations_by_status", "status", "name", "id"),
    Index("registrations_by_expiry", "status", "evidence_expires_on", "id"),
)

registration_evidence = Table(
    "registration_evidence",
    metadata,
    Column("registration_id", String(36), primary_key=True),
    Column("evidence_id", String(16), primary_key=True),
    Column("seq", Integer, nullable=False),  # E2 before E10
    Column("kind", String(40), nullable=False),
    Column("name", String(200), nullable=False),
    Column("reference", String(100), nullable=False),
    Column("slot", String(260), nullable=False),
    Column("issued", Date, nullable=False),
    Column("expires", Date),
    Column("amount", Numeric(14, 2)),
    Column("check_result", String(8), nullable=False),  # pending | passed | failed
    Column("check_note", Text),
    Column("checked_by", String(200)),
    Column("checked_at", DateTime(timezone=True)),
    Column("submitted_at", DateTime(timezone=True), nullable=False),
    Column("latest", Boolean, nullable=False),  # the newest piece for its slot
    Column("effective", Boolean, nullable=False),  # the newest to pass its check: the listing stands on it
    Index("registration_evidence_by_expiry", "effective", "expires", "registration_id", "seq"),
)

registration_offers = Table(
    "registration_offers",
    metadata,
    Column("registration_id", String(36), primary_key=True),
    Column("facet", String(16), primary_key=True),  # service | district | parish
    Column("value", String(100), primary_key=True),  # parishes in case-folded form
    Index("registration_offers_by_value", "facet", "value", "registration_id"),
)

DECISIONS = {
    Registration.Approved: LISTED,
    Registration.Rejected: "rejected",
    Registration.Withdrawn: "withdrawn",
}


def _applied(event: Registration.Applied) -> Row:
    return {
        "id": str(event.originator_id),
        "organisation": event.organisation,
        "name": event.name,
        "status": APPLIED,
        "suspended_from": "",
        "services": plain(event.services),
        "districts": plain(event.districts),
        "parishes": plain(event.parishes),
        "weekly_capacity_hours": event.weekly_capacity_hours,
        "available_hours": event.available_hours,
        "hourly_rate": event.hourly_rate,
        "workers": event.workers,
        "cqc_regulated": event.cqc_regulated,
        "evidence_expires_on": None,
        "unchecked": 0,
        "clock_standing": "",
        "clock_for": None,
        "decision_reason": None,
        "decided_at": None,
        "applied_at": utc(event.timestamp),
        "events_folded": 0,
    }


def _registration_changes(row: Row, event: Any) -> Row:
    if isinstance(event, Registration.Resubmitted):
        return {
            **row,
            **{k: plain(v) if isinstance(v, list) else v for k, v in event.changes.items()},
            "status": APPLIED,
        }
    if isinstance(event, Registration.AvailabilityUpdated):
        return {**row, "available_hours": event.available_hours}
    if isinstance(event, (Registration.RenewalDue, Registration.Lapsed)):
        standing = "lapsed" if isinstance(event, Registration.Lapsed) else "renewal-due"
        return {**row, "clock_standing": standing, "clock_for": event.expires_on}
    if isinstance(event, MarketplaceAggregate.Decision):
        decided = {**row, "decision_reason": event.reason, "decided_at": utc(event.timestamp)}
        if isinstance(event, Registration.Suspended):
            return {**decided, "status": SUSPENDED, "suspended_from": row["status"]}
        if isinstance(event, Registration.Reinstated):
            return {**decided, "status": row["suspended_from"], "suspended_from": ""}
        return {**decided, "status": DECISIONS[type(event)]}
    return row


def _evidence_of(evidence: Rows, registration_id: str) -> list[Row]:
    return [row for row in evidence.values() if row["registration_id"] == registration_id]


def _add_evidence(evidence: Rows, event: Registration.EvidenceAdded) -> None:
    registration_id, item = str(event.originator_id), event.evidence
    for row in _evidence_of(evidence, registration_id):
        if row["slot"] == item.slot and row["latest"]:
            evidence.put({**row, "latest": False})
    evidence.put(
        {
            "registration_id": registration_id,
            "evidence_id": item.evidence_id,
            "seq": int(item.evidence_id[1:]),
            "kind": item.kind,
            "name": item.name,
            "reference": item.reference,
            "slot": item.slot,
            "issued": item.issued,
            "expires": item.expires,
            "amount": item.amount,
            "check_result": PENDING,
            "check_note": None,
            "checked_by": None,
            "checked_at": None,
            "submitted_at": utc(event.timestamp),
            "latest": True,
            "effective": False,
        }
    )


def _record_check(evidence: Rows, event: Registration.CheckRecorded) -> None:
    registration_id = str(event.originator_id)
    checked = evidence[(registration_id, event.evidence_id)]
    if event.passed:
        for row in _evidence_of(evidence, registration_id):
            if row["slot"] == checked["slot"] and row["effective"]:
                evidence.put({**row, "effective": False})
    outcome = {"check_result": PASSED if event.passed else FAILED, "check_note": event.note}
    who = {"checked_by": event.actor.subject, "checked_at": utc(event.timestamp)}
    evidence.put({**evidence[(registration_id, event.evidence_id)], **outcome, **who, "effective": event.passed})


def _evidence_summary(evidence: Rows, registration_id: str) -> Row:
    rows = _evidence_of(evidence, registration_id)
    expiries = [row["expires"] for row in rows if row["effective"] and row["expires"] is not None]
    return {
        "evidence_expires_on": min(expiries, default=None),
        "unchecked": sum(1 for row in rows if row["latest"] and row["check_result"] == PENDING),
    }


def fold_registration(main: Rows, evidence: Rows, event: Any) -> None:
    registration_id = str(event.originator_id)
    row = _applied(event) if isinstance(event, Registration.Applied) else main.get(registration_id)
    assert row is not None, "a registration event before its application"
    if isinstance(event, Registration.EvidenceAdded):
        _add_evidence(evidence, event)
    elif isinstance(event, Registration.CheckRecorded):
        _record_check(evidence, event)
    row = {**_registration_changes(row, event), **_evidence_summary(evidence, registration_id)}
    main.put({**bumped(row, event), "updated_at": utc(event.timestamp)})


def offers(row: Row | None) -> set[tuple[str, str]]:
    """What the directory searches a registration by."""
    if row is None:
        return set()
    found = {("service", service) for service in row["services"]}
    found |= {("district", district) for district in row["districts"]}
    return found | {("parish", parish.casefold()) for parish in row["parishes"]}


class RegistrationViews(Projection):
    name = "registrations"
    tables = (registrations, registration_evidence, registration_offers)
    handles = (Registration.Event,)

    def apply(self, session: Session, batch: Sequence[Envelope]) -> None:
        events = [envelope.event for envelope in batch]
        ids = {str(event.originator_id) for event in events}
        main, evidence = Rows(registrations), Rows(registration_evidence)
        main.load(session, "id", ids)
        evidence.load(session, "registration_id", ids)
        before = {registration_id: offers(main.get(registration_id)) for registration_id in ids}
        for event in events:
            fold_registration(main, evidence, event)
        main.flush(session)
        evidence.flush(session)
        moved = sorted(i for i in ids if offers(main.get(i)) != before[i])
        if moved:
            session.execute(delete(registration_offers).where(registration_offers.c.registration_id.in_(moved)))
            rows = [
                {"registration_id": i, "facet": facet, "value": value}
                for i in moved
                for facet, value in sorted(offers(main.get(i)))
            ]
            if rows:
                session.execute(insert(registration_offers), rows)


# --- queries ------------------------------------------------------------------------------------------------------


def find_registration(session: Session, registration_id: str) -> dict[str, Any] | None:
    row = session.execute(select(registrations).where(registrations.c.id == registration_id)).mappings().first()
    return dict(row) if row else None


def evidence_of(session: Session, registration_id: str) -> list[dict[str, Any]]:
    """Every piece of evidence sent, in the order sent."""
    query = select(registration_evidence).where(registration_evidence.c.registration_id == registration_id)
    return [dict(row) for row in session.execute(query.order_by(registration_evidence.c.seq)).mappings()]


def in_date(today: date) -> Any:
    """A listing is in date while none of the evidence it stands on has expired (by the request's clock)."""
    return or_(registrations.c.evidence_expires_on.is_(None), registrations.c.evidence_expires_on > today)


def _offers(facet: str, value: str) -> Any:
    return exists().where(
        registration_offers.c.registration_id == registrations.c.id,
        registration_offers.c.facet == facet,
        registration_offers.c.value == value,
    )


def search_directory(
    session: Session,
    now: datetime,
    *,
    service: str | None = None,
    district: str | None = None,
    parish: str | None = None,
    min_hours: int | None = None,
    cursor: str | None = None,
    limit: int = 100,
) -> tuple[list[dict[str, Any]], str | None]:
    """Listed micro-enterprises whose evidence is in date at `now`, by name, one keyset page at a time."""
    query = select(registrations).where(registrations.c.status == LISTED, in_date(uk_date(now)))
    for facet, value in (("service", service), ("district", district), ("parish", parish)):
        if value:
            query = query.where(_offers(facet, value.casefold() if facet == "parish" else value))
    if min_hours is not None:
        query = query.where(registrations.c.available_hours >= min_hours)
    return fetch_page(session, query, [registrations.c.name, registrations.c.id], cursor, limit)


def is_in_directory(session: Session, registration_id: str, now: datetime) -> bool:
    query = select(registrations.c.id).where(
        registrations.c.id == registration_id, registrations.c.status == LISTED, in_date(uk_date(now))
    )
    return session.execute(query).first() is not None


def awaiting_checks(
    session: Session, cursor: str | None = None, limit: int = 100
) -> tuple[list[dict[str, Any]], str | None]:
    """Applications waiting for checks or a decision, and renewed evidence waiting for its check; oldest first."""
    waiting = or_(
        registrations.c.status == APPLIED,
        and_(registrations.c.unchecked > 0, registrations.c.status.in_([LISTED, SUSPENDED])),
    )
    query = select(registrations).where(waiting)
    return fetch_page(session, query, [registrations.c.applied_at, registrations.c.id], cursor, limit)


def expiring_evidence(
    session: Session, now: datetime, within_days: int, cursor: str | None = None, limit: int = 100
) -> tuple[list[dict[str, Any]], str | None]:
    """Evidence that listed or suspended registrations stand on, expiring within the window (or expired)."""
    e, r = registration_evidence, registrations
    query = (
        select(e, r.c.organisation, r.c.name.label("provider_name"), r.c.status.label("registration_status"))
        .join(r, r.c.id == e.c.registration_id)
        .where(
            e.c.effective,
            e.c.expires <= uk_date(now) + timedelta(days=within_days),
            r.c.status.in_([LISTED, SUSPENDED]),
        )
    )
    return fetch_page(session, query, [e.c.expires, e.c.registration_id, e.c.seq], cursor, limit)


def suspended(session: Session, cursor: str | None = None, limit: int = 100) -> tuple[list[dict[str, Any]], str | None]:
    query = select(registrations).where(registrations.c.status == SUSPENDED)
    return fetch_page(session, query, [registrations.c.decided_at, registrations.c.id], cursor, limit)


def listings_expiring(
    session: Session, before: date, cursor: str | None = None, limit: int = 500
) -> tuple[list[dict[str, Any]], str | None]:
    """Listed registrations whose earliest expiry is on or before `before`: what the chronograph looks at."""
    query = select(registrations).where(registrations.c.status == LISTED, registrations.c.evidence_expires_on <= before)
    columns = [registrations.c.evidence_expires_on, registrations.c.id]
    return fetch_page(session, query, columns, cursor, limit)
