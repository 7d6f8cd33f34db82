"""The event log as auditors read it: every event, JSON-safe, with what a reader may not see redacted by its
aggregate's declared redactor (a bid's sealed offer: marketplace/tendering/sealing.py)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any
from uuid import UUID

from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import StoredEvent

from domain.base import ENVELOPE_FIELDS, Actor
from marketplace.capability import Redactor
from marketplace.persistence import aggregate_log, read_log
from marketplace.service import Marketplace


@dataclasses.dataclass(frozen=True, slots=True)
class AuditActor:
    subject: str
    organisation: str
    role: str


@dataclasses.dataclass(frozen=True, slots=True)
class AuditEvent:
    """One stored event as an audit read shows it: its envelope beside its data, its data as the reader may see it."""

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


@dataclasses.dataclass(frozen=True, slots=True)
class AuditPage:
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


class Redactors:
    """Each record kind's redactor (its declaration's), made at most once per audit read."""

    def __init__(self, market: Marketplace, reader: Actor | None) -> None:
        self.market = market
        self.reader = reader
        self._made: dict[str, Redactor | None] = {}

    def redact(self, event_type: str, aggregate_id: UUID, data: dict[str, Any]) -> None:
        """Replace in place what the reader may not see of one event's data."""
        aggregate = event_type.partition(".")[0]
        if aggregate not in self._made:
            declaration = next((d for d in self.market.declarations if d.aggregate.__name__ == aggregate), None)
            make = declaration.redactor if declaration is not None else None
            self._made[aggregate] = make(self.market, self.reader) if make is not None else None
        redactor = self._made[aggregate]
        if redactor is not None:
            redactor.redact(aggregate_id, data)


def _item(redactors: Redactors, stored: StoredEvent, event: DomainEventProtocol[Any], position: int) -> AuditEvent:
    fields = vars(event)
    event_type = stored.topic.partition(":")[2]
    data = {name: json_safe(value) for name, value in fields.items() if name not in ENVELOPE_FIELDS}
    redactors.redact(event_type, UUID(str(stored.originator_id)), data)
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
    redactors = Redactors(market, reader)
    mapper = market.app.mapper
    return [_item(redactors, s, mapper.to_domain_event(s), position) for s, position in stored]


def events_after(market: Marketplace, reader: Actor | None, after: int, limit: int) -> AuditPage:
    """Up to `limit` events in commit order, after the log position `after`, as the reader may see them."""
    with market.views() as session:
        notifications = read_log(session, market.app.recorder, after + 1, limit)
    events = _items(market, reader, ((n, n.id) for n in notifications))
    return AuditPage(events=events, next_after=notifications[-1].id if notifications else after)


def history(market: Marketplace, reader: Actor | None, kind: str, identifier: str) -> list[AuditEvent]:
    """Every event of one aggregate, in version order, as the reader may see them; empty when there is no
    such record of this kind."""
    declaration = market.declaration(kind)
    aggregate_id = declaration.identify(identifier) if declaration is not None else None
    if declaration is None or aggregate_id is None:
        return []
    with market.views() as session:
        stored = aggregate_log(session, market.app.recorder, aggregate_id)
    if not stored or not stored[0].topic.partition(":")[2].startswith(declaration.event_prefix):
        return []
    return _items(market, reader, ((n, n.id) for n in stored))
