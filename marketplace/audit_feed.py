"""The event log as auditors read it: every event, JSON-safe, with bids' offers disclosed by marketplace.disclosure."""

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

from domain.base import ENVELOPE_FIELDS, Actor
from domain.organisations.organisation import organisation_uuid
from domain.tendering.bid import Bid
from domain.tendering.tender import Tender
from marketplace.disclosure import NONCE_FIELD, SEALED_FIELDS, Seal, sealed_note, sees_nonce, sees_offer
from marketplace.persistence import aggregate_log, read_log
from marketplace.service import Marketplace

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
    """Decides, once per bid within one request, what of its offers the reader may see (marketplace.disclosure)."""

    def __init__(self, market: Marketplace, reader: Actor | None) -> None:
        self.market = market
        self.reader = reader
        self._bids: dict[UUID, tuple[str, Seal]] = {}
        self._tenders: dict[str, Tender] = {}

    def bid(self, bid_id: UUID) -> tuple[str, Seal]:
        """The bid's bidder and its seal as they stand now."""
        if bid_id not in self._bids:
            bid = self.market.commands.load(Bid, bid_id)
            if bid.tender_id not in self._tenders:
                self._tenders[bid.tender_id] = self.market.commands.load(Tender, UUID(bid.tender_id))
            opened = self._tenders[bid.tender_id].opened_bids
            seal = Seal(opened is not None, bid.digest if opened and str(bid_id) in opened else None)
            self._bids[bid_id] = (bid.bidder, seal)
        return self._bids[bid_id]

    def redact(self, bid_id: UUID, data: dict[str, Any]) -> None:
        """Replace in place what the reader may not see of one bid event's data."""
        bidder, seal = self.bid(bid_id)
        if any(name in data for name in SEALED_FIELDS) and not sees_offer(
            self.reader, bidder, str(data.get("digest", "")), seal
        ):
            for name in SEALED_FIELDS:
                if name in data:
                    data[name] = sealed_note(seal)
        if NONCE_FIELD in data and not sees_nonce(self.reader, bidder):
            data[NONCE_FIELD] = "kept by the bidder"


def _item(sealer: Sealer, stored: StoredEvent, event: DomainEventProtocol[Any], position: int) -> AuditEvent:
    fields = vars(event)
    event_type = stored.topic.partition(":")[2]
    data = {name: json_safe(value) for name, value in fields.items() if name not in ENVELOPE_FIELDS}
    if event_type.startswith("Bid."):
        sealer.redact(UUID(str(stored.originator_id)), data)
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


def _items(market: Marketplace, reader: Actor | None, stored: Iterable[tuple[StoredEvent, int]]) -> list[AuditEvent]:
    sealer = Sealer(market, reader)
    mapper = market.app.mapper
    return [_item(sealer, s, mapper.to_domain_event(s), position) for s, position in stored]


def events_after(market: Marketplace, reader: Actor | None, after: int, limit: int) -> AuditPage:
    """Up to `limit` events in commit order, after the log position `after`, as the reader may see them."""
    with market.views() as session:
        notifications = read_log(session, market.app.recorder, after + 1, limit)
    events = _items(market, reader, ((n, n.id) for n in notifications))
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


def history(market: Marketplace, reader: Actor | None, kind: str, identifier: str) -> list[AuditEvent]:
    """Every event of one aggregate, in version order, as the reader may see them; empty when there is no
    such record of this kind."""
    aggregate_id = aggregate_uuid(kind, identifier)
    if aggregate_id is None:
        return []
    with market.views() as session:
        stored = aggregate_log(session, market.app.recorder, aggregate_id)
    if not stored or not stored[0].topic.partition(":")[2].startswith(KINDS[kind] + "."):
        return []
    return _items(market, reader, ((n, n.id) for n in stored))
