"""The decision log: every decision with who made it, when, why, and what it decided.

A decision is any event the domain marks as one (it must carry a reason): verifications,
publications, amendments, awards, cancellations, contract variations and endings, registration
decisions, and those of grants and Community Right to Challenge as they arrive. The log is
append-only, one row per decision in commit order, so it pages and exports by position.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, DateTime, Index, String, Table, Text, select
from sqlalchemy.orm import Session

from domain.base import MarketplaceAggregate
from domain.contract import Contract
from domain.organisation import Organisation
from domain.tender import Tender
from projections.batch import plain, utc
from projections.engine import Envelope, Projection, metadata, upsert
from projections.pagination import Row, fetch_page

decision_log = Table(
    "decision_log",
    metadata,
    Column("position", BigInteger, primary_key=True),  # where in the event log: the log's order
    Column("decided_at", DateTime(timezone=True), nullable=False),
    Column("record_kind", String(32), nullable=False),  # organisation, tender, contract, registration, ...
    Column("record_id", String(80), nullable=False),  # what the record's own GET takes
    Column("version", BigInteger, nullable=False),  # the record's version the decision made
    Column("decision", String(64), nullable=False),  # e.g. tender.awarded
    Column("summary", Text, nullable=False),  # what it decided, in words
    Column("actor_subject", String(200), nullable=False),
    Column("actor_organisation", String(80), nullable=False),
    Column("actor_role", String(32), nullable=False),
    Column("reason", Text, nullable=False),
    Column("correlation_id", String(200), nullable=False),
    Column("details", JSON, nullable=False),  # the decision's own fields, as plain JSON
    Index("decision_log_by_time", "decided_at", "position"),
)

# Organisations are named by their org-id.guide identifier, which their later events do not repeat.
organisation_identifiers = Table(
    "decision_log_organisations",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("identifier", String(80), nullable=False),
)

ENVELOPE = frozenset({"originator_id", "originator_version", "timestamp", "actor", "correlation_id", "reason"})
Describe = Callable[[Any], str]


def _amended(event: Tender.Amended) -> str:
    return f"amendment {event.amendment} to the published terms: {', '.join(sorted(event.terms)) or 'none'}"


def _awarded(event: Tender.Awarded) -> str:
    award = event.award
    return (
        f"lot {award.lot_id} awarded to {award.supplier.name} ({award.supplier.identifier}), "
        f"bid {award.bid_id}, value GBP {award.value}"
    )


def _varied(event: Contract.Varied) -> str:
    return "varied: " + ", ".join(f"{name} to {value}" for name, value in sorted(event.changes.items()))


DESCRIPTIONS: dict[str, Describe] = {
    "Organisation.Verified": lambda e: "organisation verified",
    "Organisation.Deactivated": lambda e: "organisation deactivated",
    "Tender.ConflictsAssessmentRecorded": lambda e: (
        "conflicts of interest found, mitigated" if e.conflicts_found else "no conflicts of interest found"
    ),
    "Tender.Published": lambda e: "tender notice published",
    "Tender.Amended": _amended,
    "Tender.Awarded": _awarded,
    "Tender.LotCancelled": lambda e: f"lot {e.lot_id} cancelled",
    "Tender.Cancelled": lambda e: "tender cancelled",
    "Contract.Varied": _varied,
    "Contract.Ended": lambda e: f"contract {e.how}, effective {e.effective}",
    "Registration.Approved": lambda e: "registration approved: listed in the directory",
    "Registration.Rejected": lambda e: "registration rejected",
    "Registration.Suspended": lambda e: "registration suspended: out of the directory",
    "Registration.Reinstated": lambda e: "registration reinstated",
    "Registration.Withdrawn": lambda e: "registration withdrawn",
}


def decision_name(event: Any) -> str:
    """`Aggregate.Event`, from the event's qualified class name."""
    return str(type(event).__qualname__)


def _snake(name: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() and i else c.lower() for i, c in enumerate(name))


def decision_row(envelope: Envelope, identifiers: dict[str, str]) -> Row:
    event: Any = envelope.event
    kind, _, what = decision_name(event).partition(".")
    record_id = str(event.originator_id)
    describe = DESCRIPTIONS.get(decision_name(event), lambda e: _snake(what).replace("_", " "))
    return {
        "position": envelope.position,
        "decided_at": utc(event.timestamp),
        "record_kind": _snake(kind),
        "record_id": identifiers.get(record_id, record_id),
        "version": event.originator_version,
        "decision": f"{_snake(kind)}.{_snake(what)}",
        "summary": describe(event),
        "actor_subject": event.actor.subject,
        "actor_organisation": event.actor.organisation,
        "actor_role": str(event.actor.role),
        "reason": event.reason,
        "correlation_id": event.correlation_id,
        "details": plain({k: v for k, v in vars(event).items() if k not in ENVELOPE}),
    }


class DecisionLog(Projection):
    name = "decision_log"
    tables = (decision_log, organisation_identifiers)
    handles = (MarketplaceAggregate.Decision, Organisation.Registered)

    def apply(self, session: Session, batch: Sequence[Envelope]) -> None:
        named = {
            str(e.event.originator_id): e.event.identifier
            for e in batch
            if isinstance(e.event, Organisation.Registered)
        }
        if named:
            upsert(session, organisation_identifiers, [{"id": k, "identifier": v} for k, v in named.items()])
        decisions = [e for e in batch if isinstance(e.event, MarketplaceAggregate.Decision)]
        organisations = {str(e.event.originator_id) for e in decisions if isinstance(e.event, Organisation.Event)}
        unnamed = organisations - set(named)
        if unnamed:
            query = select(organisation_identifiers).where(organisation_identifiers.c.id.in_(unnamed))
            named |= {row.id: row.identifier for row in session.execute(query)}
        if decisions:
            upsert(session, decision_log, [decision_row(e, named) for e in decisions])


def search_decisions(
    session: Session,
    *,
    record_kind: str | None = None,
    decision: str | None = None,
    actor: str | None = None,
    organisation: str | None = None,
    decided_from: datetime | None = None,
    decided_before: datetime | None = None,
    cursor: str | None = None,
    limit: int = 100,
) -> tuple[list[Row], str | None]:
    """Decisions in the order they were made, filtered; one keyset page at a time."""
    c = decision_log.c
    query = select(decision_log)
    for column, wanted in (
        (c.record_kind, record_kind),
        (c.decision, decision),
        (c.actor_subject, actor),
        (c.actor_organisation, organisation),
    ):
        if wanted is not None:
            query = query.where(column == wanted)
    if decided_from is not None:
        query = query.where(c.decided_at >= utc(decided_from))
    if decided_before is not None:
        query = query.where(c.decided_at < utc(decided_before))
    return fetch_page(session, query, [c.position], cursor, limit)
