"""What every event records: who acted, for which organisation, in what role, and when.

Decisions also record why. Aggregates trigger events through `record` and `decide`
so no event can be written without its actor, and no decision without its reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any, ClassVar
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate

from domain.rules import ReasonGiven, check
from domain.working_days import uk_date


class Role(StrEnum):
    PROVIDER = "provider"
    COMMISSIONER = "commissioner"
    AUDITOR = "auditor"
    ADMIN = "admin"
    SYSTEM = "system"  # the clock (scheduler) and data loads


@dataclass(frozen=True)
class Actor:
    """The person (subject) acting, for an organisation, in a role; on a decision, the delegated authority it
    was made under (domain/authority: the scheme's entry and its limit, in words)."""

    subject: str
    organisation: str
    role: Role
    authority: str = ""

    OMITTED_WHEN_DEFAULT: ClassVar[tuple[str, ...]] = ("authority",)  # stored only on decisions made under one

    def __post_init__(self) -> None:
        object.__setattr__(self, "role", Role(self.role))  # stored events hold the role's code

    @property
    def person(self) -> tuple[str, str]:
        """Who it is, whatever authority they act under: the same person acting twice is the same person."""
        return self.organisation, self.subject


@dataclass(frozen=True)
class Context:
    """The circumstances of one command: who, when, and the request it belongs to."""

    actor: Actor
    now: datetime
    correlation_id: str = ""

    @property
    def today(self) -> date:
        """The UK calendar day of the command."""
        return uk_date(self.now)

    def stamp(self) -> dict[str, Any]:
        """The fields every event carries, with the event's time taken from the injected clock."""
        return {"actor": self.actor, "correlation_id": self.correlation_id, "timestamp": self.now}


# Fields every event carries besides what it says: shown beside its data in audit reads, not inside it.
ENVELOPE_FIELDS = frozenset(
    {"originator_id", "originator_version", "originator_topic", "timestamp", "actor", "correlation_id", "reason"}
)


class MarketplaceAggregate(Aggregate):
    """Base aggregate whose events all carry the actor and the request's correlation id."""

    class Event(Aggregate.Event):
        actor: Actor
        correlation_id: str

    class Created(Event, Aggregate.Created):
        pass

    class Decision(Event):
        """An event that decides something about a record, so it must say why."""

        reason: str

        def summary(self) -> str:
            """What it decided, in words, as the decision log says it: by default its name (`LotCancelled`:
            "lot cancelled"); a decision whose terms matter says more."""
            return words(type(self).__name__)

    def record(self, event_class: type[Aggregate.Event], ctx: Context, **fields: Any) -> None:
        self.trigger_event(event_class, **ctx.stamp(), **fields)

    def decide(self, event_class: type[Decision], ctx: Context, reason: str, **fields: Any) -> None:
        check(ReasonGiven(reason))
        self.trigger_event(event_class, **ctx.stamp(), reason=reason.strip(), **fields)


def event_classes(aggregate: type[MarketplaceAggregate]) -> tuple[type[MarketplaceAggregate.Event], ...]:
    """The events an aggregate can record: its nested event classes, without the bases every aggregate gets
    (`Event`, `Created`, `Decision`), which are never triggered themselves."""
    return tuple(
        value
        for name, value in vars(aggregate).items()
        if isinstance(value, type)
        and issubclass(value, MarketplaceAggregate.Event)
        and name not in {"Event", "Created", "Decision"}
    )


def words(name: str) -> str:
    """A class name as words: `ContractConcluded` is "contract concluded"."""
    return "".join(f" {c.lower()}" if c.isupper() and i else c.lower() for i, c in enumerate(name))


def new_id() -> UUID:
    return uuid4()
