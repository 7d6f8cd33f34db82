"""Whether a decider holds the authority a decision needs, under the scheme of delegation in force.

An officer holds every entry that names them, their team or their role; the entry with the highest limit decides
(no limit beats any). A decision of a value beyond it is refused, naming the limit and where it comes from, so the
decision goes to an officer who holds more (or, when the entry says so, is held for such an officer to approve:
domain/authority/held_decision.py). While the scheme has no entry for a kind of decision, the default
holds: the council's officers decide it, with no limit, as they did before the council recorded its scheme.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from domain.authority.delegation import Decider
from domain.base import Role
from domain.rules import DomainError, Refusal

DEFAULT = "the default scheme: council officers, no limit"
OFFICER_ROLES = frozenset({Role.COMMISSIONER.value, Role.ADMIN.value})


@dataclass(frozen=True)
class Entry:
    """One entry in force, as the scheme's view holds it."""

    delegation_id: str
    subjects: Sequence[str]
    teams: Sequence[str]
    roles: Sequence[str]
    source: str
    up_to: Decimal | None
    holds: bool = False  # beyond its limit, a decision is held for approval rather than refused

    def held_by(self, decider: Decider) -> bool:
        return decider.subject in self.subjects or decider.team in self.teams or decider.role in self.roles

    def covers(self, value: Decimal | None) -> bool:
        return self.up_to is None or value is None or value <= self.up_to

    @property
    def limit(self) -> str:
        return "no limit" if self.up_to is None else f"up to £{self.up_to:,.2f}"

    def said(self, decision: str) -> str:
        """The authority in words, as the decision log shows it."""
        return f"delegation {self.delegation_id} ({self.source}): {decision}, {self.limit}"


class OverLimit(DomainError):
    """A decision beyond the decider's delegated limit: refused (403), or, when their entry holds decisions beyond
    it, for an officer whose delegation covers it to approve."""

    def __init__(self, message: str, entry: Entry, decision: str, value: Decimal) -> None:
        super().__init__(message, kind=Refusal.FORBIDDEN, rule="WithinDelegatedLimit")
        self.holds = entry.holds
        self.limit = entry.said(decision)
        self.decision = decision
        self.value = value


def _reach(entry: Entry) -> Decimal:
    return Decimal("Infinity") if entry.up_to is None else entry.up_to


def authority(entries: Sequence[Entry], decider: Decider, decision: str, value: Decimal | None) -> str:
    """The authority the decider takes the decision under, in words; refused (403) when they hold none that
    covers its value."""
    if not entries:
        if decider.role in OFFICER_ROLES:
            return DEFAULT
        raise DomainError(f"Only council officers may {decision}.", kind=Refusal.FORBIDDEN, rule="DelegatedAuthority")
    held = sorted((entry for entry in entries if entry.held_by(decider)), key=_reach, reverse=True)
    if not held:
        raise DomainError(
            f"You hold no delegation to {decision} in the council's scheme of delegation.",
            kind=Refusal.FORBIDDEN,
            rule="DelegatedAuthority",
        )
    best = held[0]
    if value is not None and not best.covers(value):
        raise OverLimit(
            f"This decision is worth £{value:,.2f}; your delegated authority to {decision} is {best.limit} "
            f"({best.source}). It is for an officer whose delegation covers it.",
            best,
            decision,
            value,
        )
    return best.said(decision)
