"""Business rules as small named objects, each with the message a user sees when broken.

A command checks its rules before it triggers any event, so a broken rule never
leaves a partial change behind.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import Enum
from typing import Generic, TypeVar

V = TypeVar("V")


class Refusal(Enum):
    """Why a command was refused: the API maps each kind to one HTTP status."""

    INVALID = "invalid"  # the request's values break a rule (422)
    CONFLICT = "conflict"  # the record's current state does not allow it (409)
    DUPLICATE = "duplicate"  # the record already exists (409)
    NOT_FOUND = "not_found"  # no such record (404)
    FORBIDDEN = "forbidden"  # the actor may not do this to this record (403)
    PRECONDITION_FAILED = "precondition_failed"  # the caller saw an older version (412)


class DomainError(Exception):
    """A refusal the user can act on: it names the rule, the field at fault and why."""

    def __init__(
        self, message: str, *, field: str | None = None, kind: Refusal = Refusal.INVALID, rule: str = ""
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.kind = kind
        self.rule = rule or type(self).__name__


class NotFound(DomainError):
    def __init__(self, what: str, key: object) -> None:
        super().__init__(f"No {what} with id {key}.", kind=Refusal.NOT_FOUND, rule="Exists")


class Rule:
    """A named business rule. Subclasses say when it is broken and what the user is told: a fixed `message` is a
    class attribute, one that names what was given a property."""

    field: str | None = None
    kind: Refusal = Refusal.INVALID

    def is_broken(self) -> bool:
        raise NotImplementedError

    @property
    def message(self) -> str:
        raise NotImplementedError


class StateRule(Rule):
    """A rule the record's current state keeps: broken, the command conflicts with the record (409), naming no
    field unless the rule says which."""

    kind: Refusal = Refusal.CONFLICT


@dataclass(frozen=True)
class ValueRule(Rule, Generic[V]):
    """A rule one given value keeps: broken, the request is refused (422) naming the field that gave it."""

    value: V
    field: str | None


@dataclass(frozen=True)
class InOrder(Rule):
    """One date (or time) before another (not `strict`: no later than it): the rules that order dates share it."""

    earlier: date
    later: date
    strict: bool = True

    def is_broken(self) -> bool:
        return self.later <= self.earlier if self.strict else self.later < self.earlier


def check(*rules: Rule) -> None:
    """Raise for the first broken rule, so commands read as a list of the rules they keep."""
    for rule in rules:
        if rule.is_broken():
            raise DomainError(rule.message, field=rule.field, kind=rule.kind, rule=type(rule).__name__)


@dataclass(frozen=True)
class ReasonGiven(Rule):
    """Every decision records why it was taken (auditability, PA2023 s.98 records)."""

    reason: str
    field: str | None = "reason"
    message = "A decision must record its reason (at least 3 characters)."

    def is_broken(self) -> bool:
        return len(self.reason.strip()) < 3


@dataclass(frozen=True)
class TextWithin(Rule):
    """Free text is present and not absurdly long."""

    value: str
    field: str | None
    max_length: int = 500
    min_length: int = 1

    def is_broken(self) -> bool:
        return not (self.min_length <= len(self.value.strip()) <= self.max_length)

    @property
    def message(self) -> str:
        return f"{self.field} must be between {self.min_length} and {self.max_length} characters."


@dataclass(frozen=True)
class StateAllows(StateRule):
    """A lifecycle guard: the command is only allowed from some states."""

    state: str
    allowed: frozenset[str]
    action: str

    def is_broken(self) -> bool:
        return self.state not in self.allowed

    @property
    def message(self) -> str:
        allowed = " or ".join(sorted(str(state).replace("_", " ") for state in self.allowed))
        state = str(self.state).replace("_", " ")
        return f"Cannot {self.action} now: its status is {state}, and that is done only when it is {allowed}."


class Positive(ValueRule[Decimal]):
    """An amount that must be more than nothing: a price, a rate."""

    def is_broken(self) -> bool:
        return self.value <= 0

    @property
    def message(self) -> str:
        return f"{self.field} must be more than zero."


@dataclass(frozen=True)
class NotAfterToday(InOrder):
    """A payment or a closure records what has happened: not a day in the future."""

    strict: bool = False
    field: str | None = "paid_on"

    @property
    def message(self) -> str:
        return f"{self.field} cannot be in the future."


@dataclass(frozen=True)
class FourEyes(Rule):
    """The person who raised, proposed or validated something never also approves it: a second person does."""

    raised_by: tuple[str, str]  # (organisation, subject)
    decider: tuple[str, str]
    did: str  # "proposed", "validated"
    what: str  # "approve", "decline"
    kind: Refusal = Refusal.FORBIDDEN

    def is_broken(self) -> bool:
        return self.raised_by == self.decider

    @property
    def message(self) -> str:
        return f"You {self.did} this; someone else must {self.what} it (four eyes)."
