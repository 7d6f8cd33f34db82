"""The event log as auditors read it: every event, JSON-safe, with sealed bids kept sealed until the deadline."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any
from uuid import UUID

import msgspec
from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import StoredEvent

from domain.base import ENVELOPE_FIELDS
from domain.bid import Bid
from domain.organisation import organisation_uuid
from domain.tender import Tender
from marketplace.persistence import aggregate_log, read_log
from marketplace.service import Marketplace

BID_TOPIC = "domain.bid:Bid."
SEALED_FIELDS = ("prices", "responses")
KINDS: dict[str, str] = {
    "organisation": "Organisation",
    "tender": "Tender",
    "bid": "Bid",
    "evaluation": "Evaluation",
    "contract": "Contract",
    "registration": "Registration",
}


class AuditActor(msgspec.Struct):
    subject: str
    organisation: str
    role: str


class AuditEvent(msgspec.Struct):
    position: int
    time: str
    aggregate_kind: str
    aggregate_id: str
    version: int
    event_type: str
    actor: AuditActor | None
    correlation_id: str
    reason: str | None
    data: dict[str, Any]


class AuditPage(msgspec.Struct):
    events: list[AuditEvent]
    next_after: int


def json_safe(value: Any) -> Any:
    """Decimals, UUIDs and times as strings; dataclasses as objects; collections as arrays."""
    if value is None or isinstance(value, bool | int | float | str):
        return value.value if isinstance(value, Enum) else value
    if isinstance(value, Enum):
        return json_safe(value.value)
    if isinstance(value, Decimal | UUID):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: json_safe(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(json_safe(k)): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [json_safe(v) for v in value]
        return sorted(items, key=str) if isinstance(value, set | frozenset) else items
    return str(value)


class Sealer:
    """Decides, once per tender within one request, whether its bids' content may be shown yet."""

    def __init__(self, market: Marketplace) -> None:
        self.market = market
        self.tender_of_bid: dict[UUID, UUID] = {}
        self.deadline_of_tender: dict[UUID, datetime] = {}

    def sealed_until(self, bid_id: UUID, tender_id: str | None) -> datetime | None:
        """The deadline when the bid's tender is still sealed, else None."""
        if bid_id not in self.tender_of_bid:
            if tender_id is None:
                tender_id = self.market.commands.load(Bid, bid_id).tender_id
            self.tender_of_bid[bid_id] = UUID(tender_id)
        tender = self.tender_of_bid[bid_id]
        if tender not in self.deadline_of_tender:
            self.deadline_of_tender[tender] = self.market.commands.load(Tender, tender).tender_deadline
        deadline = self.deadline_of_tender[tender]
        return None if self.market.clock.now() >= deadline else deadline


def _item(sealer: Sealer, stored: StoredEvent, event: DomainEventProtocol[Any], position: int) -> AuditEvent:
    fields = vars(event)
    event_type = stored.topic.partition(":")[2]
    data = {name: json_safe(value) for name, value in fields.items() if name not in ENVELOPE_FIELDS}
    if stored.topic.startswith(BID_TOPIC) and any(name in data for name in SEALED_FIELDS):
        deadline = sealer.sealed_until(UUID(str(stored.originator_id)), fields.get("tender_id"))
        if deadline is not None:
            for name in SEALED_FIELDS:
                if name in data:
                    data[name] = f"sealed until {deadline.isoformat()}"
    actor = fields.get("actor")
    reason = fields.get("reason")
    return AuditEvent(
        position=position,
        time=json_safe(fields["timestamp"]),
        aggregate_kind=event_type.partition(".")[0],
        aggregate_id=str(stored.originator_id),
        version=stored.originator_version,
        event_type=event_type,
        actor=AuditActor(actor.subject, actor.organisation, str(actor.role)) if actor is not None else None,
        correlation_id=str(fields.get("correlation_id", "")),
        reason=reason if isinstance(reason, str) else None,
        data=data,
    )


def _items(market: Marketplace, stored: Iterable[tuple[StoredEvent, int]]) -> list[AuditEvent]:
    sealer = Sealer(market)
    mapper = market.app.mapper
    return [_item(sealer, s, mapper.to_domain_event(s), position) for s, position in stored]


def events_after(market: Marketplace, after: int, limit: int) -> AuditPage:
    """Up to `limit` events in commit order, after the log position `after`."""
    with market.views() as session:
        notifications = read_log(session, market.app.recorder, after + 1, limit)
    events = _items(market, ((n, n.id) for n in notifications))
    return AuditPage(events=events, next_after=notifications[-1].id if notifications else after)


def aggregate_uuid(kind: str, identifier: str) -> UUID | None:
    """The aggregate id a path names: org-id.guide identifiers for organisations, UUIDs otherwise."""
    if kind not in KINDS:
        return None
    if kind == "organisation":
        return organisation_uuid(identifier)
    try:
        return UUID(identifier)
    except ValueError:
        return None


def history(market: Marketplace, kind: str, identifier: str) -> list[AuditEvent]:
    """Every event of one aggregate, in version order; empty when there is no such record of this kind."""
    aggregate_id = aggregate_uuid(kind, identifier)
    if aggregate_id is None:
        return []
    with market.views() as session:
        stored = aggregate_log(session, market.app.recorder, aggregate_id)
    if not stored or not stored[0].topic.partition(":")[2].startswith(KINDS[kind] + "."):
        return []
    return _items(market, ((n, n.id) for n in stored))
