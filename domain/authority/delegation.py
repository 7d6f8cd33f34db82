"""The scheme of delegation: who may take which decision for the council, and up to which value.

A council writes its scheme down in its constitution (the contract procedure rules and the scheme of delegation
to officers). Here each entry of it is a record: the kind of decision, the officers who hold it (named people,
teams, or every officer of a role), the most it lets them decide (no limit: any value), and where in the
constitution it comes from. An admin records an entry and revokes it, each with a reason. An officer decides a
decision of a kind within the highest limit any entry they hold gives; beyond it, the decision is for someone
whose entry covers it: refused, or (when the entry says so) held until such an officer approves it. While the
scheme has no entry for a kind, the default holds: council officers decide it, with no limit
(domain/authority/scheme.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from uuid import uuid4

from domain.base import Context, MarketplaceAggregate, Role
from domain.rules import DomainError, StateAllows, TextWithin, check
from domain.values import choice, money


class DecisionKind(StrEnum):
    """The decisions the scheme delegates: each is checked against it wherever it is taken."""

    AWARD_CONTRACT = "award-contract"
    VARY_CONTRACT = "vary-contract"
    OFFER_GRANT = "offer-grant"
    DECIDE_CHALLENGE = "decide-expression-of-interest"
    VERIFY_ORGANISATION = "verify-organisation"
    APPROVE_REGISTRATION = "approve-registration"


class DelegatedDecision:
    """A delegated decision as a value (each context's frozen dataclass: AwardLot, VaryContract, OfferGrant), which
    a held decision stores whole to carry out when approved: it says why, as every decision must."""

    reason: str


VALUED = frozenset({DecisionKind.AWARD_CONTRACT, DecisionKind.VARY_CONTRACT, DecisionKind.OFFER_GRANT})


class BeyondLimit(StrEnum):
    """What happens to a decision its decider's limit does not cover: refused, or held until an officer whose
    delegation covers it approves it (domain/authority/held_decision.py)."""

    REFUSED = "refused"
    HELD = "held-for-approval"


class DelegationStatus(StrEnum):
    IN_FORCE = "in-force"
    REVOKED = "revoked"


@dataclass(frozen=True)
class Holders:
    """Who holds an entry: named officers (subjects), teams of the people register, or every officer of a role."""

    subjects: list[str] = field(default_factory=list)
    teams: list[str] = field(default_factory=list)
    roles: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class DelegationTerms:
    """One entry of the scheme: the decision, its holders, the most they may decide (None: any value) and the
    constitution's paragraph it comes from."""

    decision: str  # a DecisionKind code
    holders: Holders
    source: str  # e.g. "Contract Procedure Rules 4.2: Heads of Service"
    up_to: Decimal | None = None
    beyond_limit: BeyondLimit = BeyondLimit.REFUSED


@dataclass(frozen=True)
class Decider:
    """Who is deciding, as the scheme asks: the person, the team the people register has them in, their role."""

    subject: str
    team: str
    role: str


def checked_holders(holders: Holders) -> Holders:
    names = [subject.strip() for subject in holders.subjects]
    teams = [team.strip() for team in holders.teams]
    roles = [choice(Role, role, "holders.roles") for role in holders.roles]
    if Role.SYSTEM.value in roles or Role.PROVIDER.value in roles or Role.AUDITOR.value in roles:
        raise DomainError("Decisions are delegated to council officers only.", field="holders.roles")
    for text in (*names, *teams):
        check(TextWithin(text, "holders", 200))
    if not (names or teams or roles):
        raise DomainError("Name who holds the delegation.", field="holders", rule="HoldersNamed")
    return Holders(names, teams, roles)


class Delegation(MarketplaceAggregate):
    owner: str  # the council whose scheme it is
    decision: str
    subjects: list[str]
    teams: list[str]
    roles: list[str]
    source: str
    up_to: Decimal | None
    beyond_limit: str = BeyondLimit.REFUSED
    status: DelegationStatus = DelegationStatus.IN_FORCE

    class Recorded(MarketplaceAggregate.Created):
        owner: str
        decision: str
        subjects: list[str]
        teams: list[str]
        roles: list[str]
        source: str
        up_to: Decimal | None
        beyond_limit: str = BeyondLimit.REFUSED  # entries recorded before holds existed refused

    @classmethod
    def record_entry(cls, ctx: Context, terms: DelegationTerms) -> Delegation:
        decision = choice(DecisionKind, terms.decision, "decision")
        up_to = money(terms.up_to, "up_to") if terms.up_to is not None else None
        if up_to is not None and decision not in VALUED:
            raise DomainError(f"A decision to {decision} has no value to limit.", field="up_to", rule="Valued")
        beyond = choice(BeyondLimit, terms.beyond_limit, "beyond_limit")
        if beyond == BeyondLimit.HELD and up_to is None:
            raise DomainError("A delegation with no limit has nothing beyond it to hold.", field="beyond_limit")
        check(TextWithin(terms.source, "source", 500, 3))
        holders = checked_holders(terms.holders)
        return cls._create(
            cls.Recorded,
            id=uuid4(),
            **ctx.stamp(),
            owner=ctx.actor.organisation,
            decision=decision,
            subjects=holders.subjects,
            teams=holders.teams,
            roles=holders.roles,
            source=terms.source.strip(),
            up_to=up_to,
            beyond_limit=beyond,
        )

    def held_by(self, decider: Decider) -> bool:
        return self.status == DelegationStatus.IN_FORCE and (
            decider.subject in self.subjects or decider.team in self.teams or decider.role in self.roles
        )

    class Revoked(MarketplaceAggregate.Decision):
        def apply(self, delegation: Delegation) -> None:
            delegation.status = DelegationStatus.REVOKED

    def revoke(self, ctx: Context, reason: str) -> None:
        check(StateAllows(self.status, frozenset({DelegationStatus.IN_FORCE}), "revoke a delegation"))
        self.decide(self.Revoked, ctx, reason)
