"""The decision log: every decision with who made it, when, why, and what it decided.

A decision is any event the domain marks as one (it must carry a reason): verifications,
publications, amendments, awards, cancellations, contract variations and endings, registration
decisions, and those of grants and Community Right to Challenge as they arrive. The log is
append-only, one row per decision in commit order, so it pages and exports by position.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import JSON, BigInteger, Column, DateTime, String, Table, Text, select
from sqlalchemy.orm import Session

from domain.base import ENVELOPE_FIELDS, MarketplaceAggregate
from projections.batch import BatchProjection, Folds, Touched, domain_aggregates, followed_classes, plain, utc
from projections.columns import list_index
from projections.engine import Envelope, metadata
from projections.organisations.directory import organisations
from projections.pagination import Row, fetch_page, where_given

decision_log = Table(
    "decision_log",
    metadata,
    Column("position", BigInteger, primary_key=True),  # where in the event log: the log's order
    Column("decided_at", DateTime(timezone=True), nullable=False),
    Column("record_kind", String(32), nullable=False),  # organisation, tender, contract, registration, ...
    Column("record_id", String(80), nullable=False),  # the aggregate's id (organisations: named when read)
    Column("version", BigInteger, nullable=False),  # the record's version the decision made
    Column("decision", String(64), nullable=False),  # e.g. tender.awarded
    Column("summary", Text, nullable=False),  # what it decided, in words
    Column("actor_subject", String(200), nullable=False),
    Column("actor_organisation", String(80), nullable=False),
    Column("actor_role", String(32), nullable=False),
    Column("reason", Text, nullable=False),
    Column("correlation_id", String(200), nullable=False),
    Column("details", JSON, nullable=False),  # the decision's own fields, as plain JSON
    list_index("decision_log_by_time", "decided_at", "position"),
    # Each filter of the log seeks its own decisions in the log's order (GET /audit/decisions?kind=...).
    list_index("decision_log_by_kind", "record_kind", "position"),
    list_index("decision_log_by_decision", "decision", "position"),
    list_index("decision_log_by_actor", "actor_subject", "position"),
    list_index("decision_log_by_organisation", "actor_organisation", "position"),
)


class Naming(NamedTuple):
    """How the log names one kind of decision: its record's kind and the decision (what it decided, in words,
    is the event's own `summary`)."""

    record_kind: str
    decision: str


def _snake(name: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() and i else c.lower() for i, c in enumerate(name))


NAMINGS: dict[type, Naming] = {}


def naming(event_class: type) -> Naming:
    """From the class's qualified name, `Aggregate.Event`; worked out once per class (a rebuild folds thousands)."""
    found = NAMINGS.get(event_class)
    if found is None:
        kind, _, what = event_class.__qualname__.partition(".")
        found = NAMINGS[event_class] = Naming(_snake(kind), f"{_snake(kind)}.{_snake(what)}")
    return found


DECISION = MarketplaceAggregate.Decision
AUTHORITY = "authority"  # the key in `details` under which a delegated decision names its authority


def decision_classes() -> list[type]:
    """Every event class the domain marks as a decision (the subclasses of `MarketplaceAggregate.Decision`)."""
    found, pending = [], list(MarketplaceAggregate.Decision.__subclasses__())
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if "." in cls.__qualname__ and cls.__name__ != "Decision":  # each aggregate's own base is no decision
            found.append(cls)
    return found


def decision_vocabulary() -> tuple[frozenset[str], frozenset[str]]:
    """The record kinds and decision names the log can hold: what its filters may ask for."""
    names = [naming(cls) for cls in decision_classes()]
    return frozenset(n.record_kind for n in names), frozenset(n.decision for n in names)


def decision_row(envelope: Envelope) -> Row:
    event: Any = envelope.event
    named = naming(type(event))
    return {
        "position": envelope.position,
        "decided_at": utc(event.timestamp),
        "record_kind": named.record_kind,
        "record_id": str(event.originator_id),
        "version": event.originator_version,
        "decision": named.decision,
        "summary": event.summary(),
        "actor_subject": event.actor.subject,
        "actor_organisation": event.actor.organisation,
        "actor_role": str(event.actor.role),
        "reason": event.reason,
        "correlation_id": event.correlation_id,
        "details": _details(event),
    }


def _details(event: Any) -> Any:
    """The decision's own fields; and the delegated authority it was made under, when it was (domain/authority),
    kept with them so decisions made before the scheme of delegation keep the rows they had."""
    details = plain({k: v for k, v in vars(event).items() if k not in ENVELOPE_FIELDS})
    return {**details, AUTHORITY: event.actor.authority} if event.actor.authority else details


def fold_decision(touched: Touched, event: Any) -> None:
    touched[decision_log.name].put(decision_row(touched.envelope))


class DecisionLog(BatchProjection):
    """Follows every aggregate, those yet to be written too, so it names no event class: it folds each that derives
    from `MarketplaceAggregate.Decision` and ignores the rest, both worked out when the view is made from every
    aggregate the domain defines. Append-only: a batch reads nothing, only adds its decisions' rows."""

    name = "decision_log"
    tables = (decision_log,)
    folds: Folds = {DECISION: fold_decision}

    def __init__(self) -> None:
        self.follows = domain_aggregates()
        self.ignores = tuple(kind for kind in followed_classes(self.follows) if not issubclass(kind, DECISION))


def search_decisions(  # noqa: PLR0913 - each keyword is one filter of the log, as its routes pass it
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
    """Decisions in the order they were made, filtered; one keyset page at a time.

    An organisation is named by its org-id.guide identifier, as its own GET names it: its later events do not
    repeat the identifier, so it is read from the directory (the identifier never changes once registered).
    """
    c = decision_log.c
    identifier = organisations.c.identifier.label("organisation_identifier")
    query = select(decision_log, identifier).outerjoin(organisations, organisations.c.id == c.record_id)
    filters = (c.record_kind, record_kind), (c.decision, decision), (c.actor_subject, actor)
    query = where_given(query, *filters, (c.actor_organisation, organisation))
    if decided_from is not None:
        query = query.where(c.decided_at >= utc(decided_from))
    if decided_before is not None:
        query = query.where(c.decided_at < utc(decided_before))
    rows, next_cursor = fetch_page(session, query, [c.position], cursor, limit)
    for row in rows:
        row["record_id"] = row.pop("organisation_identifier") or row["record_id"]
    return rows, next_cursor
