"""Care micro-enterprise registrations: the public directory, the commissioners' work queue, the evidence.

Three tables folded together from one position: one row per registration (with the earliest expiry of
the evidence its listing stands on), one row per piece of evidence (its check, and whether it is the
newest for its slot and whether the listing stands on it), and the facets the directory searches by
(service, postcode district, parish). Whether a listing is in date is never folded: the directory
compares the stored earliest expiry with the time of the request, so it is right by the clock even
before the chronograph records anything.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
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
    exists,
    or_,
    select,
)
from sqlalchemy.orm import Session

from domain.care.micro_enterprise import APPLIED, FAILED, LISTED, PASSED, PENDING, SUSPENDED
from domain.care.registration import Registration
from domain.working_days import uk_date
from projections.aggregate_rows import Change, first_row, own_row, taken, unchanged, updated
from projections.batch import BatchProjection, Folds, Row, Rows, Touched, originators, plain, utc
from projections.columns import ids
from projections.engine import Envelope, metadata
from projections.pagination import fetch_page, one_row
from projections.search.directory import DIRECTORY_SEARCH
from projections.search.index import ranked_page

registrations = Table(
    "registrations",
    metadata,
    *ids("id", key=True),  # the Registration aggregate's id
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
    Index("registrations_by_decision", "status", "decided_at", "id"),  # the suspended, in the order decided
    Index("registrations_unchecked", "status", "unchecked"),  # listings with renewed evidence awaiting its check
)

registration_evidence = Table(
    "registration_evidence",
    metadata,
    *ids("registration_id", key=True),
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
    *ids("registration_id", key=True),
    Column("facet", String(16), primary_key=True),  # service | district | parish
    Column("value", String(100), primary_key=True),  # parishes in case-folded form
    Index("registration_offers_by_value", "facet", "value", "registration_id"),
)


def _applied(event: Registration.Applied) -> Row:
    return {
        "id": str(event.originator_id),
        **taken(event, "organisation", "name"),
        "status": APPLIED,
        "suspended_from": "",
        "services": plain(event.services),
        "districts": plain(event.districts),
        "parishes": plain(event.parishes),
        **taken(event, "weekly_capacity_hours", "available_hours", "hourly_rate", "workers", "cqc_regulated"),
        "evidence_expires_on": None,
        "unchecked": 0,
        "clock_standing": "",
        "clock_for": None,
        "decision_reason": None,
        "decided_at": None,
        "applied_at": utc(event.timestamp),
        "events_folded": 0,
    }


def _resubmitted(row: Row, event: Registration.Resubmitted) -> Row:
    return {**{k: plain(v) if isinstance(v, list) else v for k, v in event.changes.items()}, "status": APPLIED}


def _clock(standing: str) -> Change:
    """What the chronograph last recorded, and for which earliest expiry."""
    return lambda row, event: {"clock_standing": standing, "clock_for": event.expires_on}


def _decided(status: Callable[[Row], Row]) -> Change:
    """A decision: its reason and time, and the status it leaves (given the row before it)."""
    return lambda row, event: {"decision_reason": event.reason, "decided_at": utc(event.timestamp), **status(row)}


def _evidence_of(evidence: Rows, registration_id: str) -> list[Row]:
    return [row for row in evidence.values() if row["registration_id"] == registration_id]


def fold_evidence(touched: Touched, event: Registration.EvidenceAdded) -> None:
    """A new piece is the latest for its slot; the one it replaces no longer is."""
    evidence, registration_id, item = touched[registration_evidence.name], str(event.originator_id), event.evidence
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


def fold_check(touched: Touched, event: Registration.CheckRecorded) -> None:
    """A piece that passes is what the listing stands on for its slot, in place of the one before."""
    evidence, registration_id = touched[registration_evidence.name], str(event.originator_id)
    checked = evidence[(registration_id, event.evidence_id)]
    if event.passed:
        for row in _evidence_of(evidence, registration_id):
            if row["slot"] == checked["slot"] and row["effective"]:
                evidence.put({**row, "effective": False})
    outcome = {"check_result": PASSED if event.passed else FAILED, "check_note": event.note}
    who = {"checked_by": event.actor.subject, "checked_at": utc(event.timestamp)}
    evidence.put({**evidence[(registration_id, event.evidence_id)], **outcome, **who, "effective": event.passed})


def fold_summary(touched: Touched, event: Any) -> None:
    """The registration after its evidence changed: the earliest expiry it stands on, and the pieces unchecked."""
    rows, evidence = touched[registrations.name], touched[registration_evidence.name]
    row = rows[str(event.originator_id)]
    pieces = _evidence_of(evidence, row["id"])
    expiries = [piece["expires"] for piece in pieces if piece["effective"] and piece["expires"] is not None]
    unchecked = sum(1 for piece in pieces if piece["latest"] and piece["check_result"] == PENDING)
    rows.put({**row, "evidence_expires_on": min(expiries, default=None), "unchecked": unchecked, **updated(row, event)})


def offers(row: Row) -> set[tuple[str, str]]:
    """What the directory searches a registration by."""
    found = {("service", service) for service in row["services"]}
    found |= {("district", district) for district in row["districts"]}
    return found | {("parish", parish.casefold()) for parish in row["parishes"]}


def fold_offers(touched: Touched, event: Any) -> None:
    """Applying and resubmitting change what the directory searches by: its offers follow the row."""
    rows, registration_id = touched[registration_offers.name], str(event.originator_id)
    wanted = offers(touched[registrations.name][registration_id])
    for row in rows.values():
        if row["registration_id"] == registration_id and (row["facet"], row["value"]) not in wanted:
            rows.remove(rows.key_of(row))
    for facet, value in sorted(wanted):
        if rows.get((registration_id, facet, value)) is None:
            rows.put({"registration_id": registration_id, "facet": facet, "value": value})


class RegistrationViews(BatchProjection):
    name = "registrations"
    tables = (registrations, registration_evidence, registration_offers)
    own_rows = registrations
    follows = (Registration,)
    folds: Folds = {
        Registration.Applied: (first_row(registrations, _applied), fold_offers),
        Registration.Resubmitted: (own_row(registrations, _resubmitted), fold_offers),
        Registration.EvidenceAdded: (fold_evidence, fold_summary),
        Registration.CheckRecorded: (fold_check, fold_summary),
        Registration.Restored: own_row(registrations, unchanged),  # the directory compares expiries by the clock
        Registration.AvailabilityUpdated: own_row(registrations, lambda row, e: {"available_hours": e.available_hours}),
        Registration.RenewalDue: own_row(registrations, _clock("renewal-due")),
        Registration.Lapsed: own_row(registrations, _clock("lapsed")),
        Registration.Approved: own_row(registrations, _decided(lambda row: {"status": LISTED})),
        Registration.Rejected: own_row(registrations, _decided(lambda row: {"status": "rejected"})),
        Registration.Withdrawn: own_row(registrations, _decided(lambda row: {"status": "withdrawn"})),
        Registration.Suspended: own_row(
            registrations, _decided(lambda row: {"status": SUSPENDED, "suspended_from": row["status"]})
        ),
        Registration.Reinstated: own_row(
            registrations, _decided(lambda row: {"status": row["suspended_from"], "suspended_from": ""})
        ),
    }

    def load(self, session: Session, touched: Touched, batch: Sequence[Envelope]) -> None:
        super().load(session, touched, batch)
        checked = originators(batch, (Registration.EvidenceAdded, Registration.CheckRecorded))
        touched[registration_evidence.name].load(session, "registration_id", checked)
        resubmitted = originators(batch, Registration.Resubmitted)
        touched[registration_offers.name].load(session, "registration_id", resubmitted)


# --- queries ------------------------------------------------------------------------------------------------------


def find_registration(session: Session, registration_id: str) -> dict[str, Any] | None:
    return one_row(session, registrations.c.id, registration_id)


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


def search_directory(  # noqa: PLR0913 - each keyword is one filter of the directory, as its route passes it
    session: Session,
    now: datetime,
    *,
    service: str | None = None,
    district: str | None = None,
    parish: str | None = None,
    min_hours: int | None = None,
    words: Sequence[str] = (),
    cursor: str | None = None,
    limit: int = 100,
) -> tuple[list[dict[str, Any]], str | None]:
    """Listed micro-enterprises whose evidence is in date at `now`, by name, one keyset page at a time; given search
    words, those that match every word, best match first (projections/search)."""
    query = select(registrations).where(registrations.c.status == LISTED, in_date(uk_date(now)))
    for facet, value in (("service", service), ("district", district), ("parish", parish)):
        if value:
            query = query.where(_offers(facet, value.casefold() if facet == "parish" else value))
    if min_hours is not None:
        query = query.where(registrations.c.available_hours >= min_hours)
    if words:
        return ranked_page(session, query, registrations.c.id, DIRECTORY_SEARCH, words, cursor=cursor, limit=limit)
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
