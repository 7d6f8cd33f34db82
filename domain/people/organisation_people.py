"""An organisation's people: who may act for it in the marketplace, and as what (owner, bid-writer, finance).

One record per organisation, since its rules are about all of its people at once: each subject is in it once;
the first person is an owner; from then on only its owners (and the council's admins) keep it; and it always
keeps an owner, so it is never left with nobody to keep it. An organisation has few people (its users here, not
its staff), so the whole list is one aggregate, and two owners changing it at once are told to retry rather than
both succeed.

Lifecycle: started with its first person, an owner (by any provider signed in for the organisation, or a council
admin) -> people added, their name or role changed -> a person left, a decision with its reason and the moment
(their rights end when it is recorded) -> rejoined, with a reason, and so on.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from domain.base import Actor, Context, MarketplaceAggregate, Role
from domain.organisations.organisation import given
from domain.people.rules import (
    ChangesSomething,
    FirstPersonAnOwner,
    KeptByAnOwner,
    LeavingAfterJoining,
    LeavingNotAhead,
    OwnerRemains,
    WithinMostPeople,
    checked_subject,
    checked_text,
)
from domain.people.terms import Leaving, OrganisationRole, PersonChange, PersonDetails
from domain.rules import DomainError, Refusal, StateAllows, check
from domain.values import choice, moment, org_id

ACTIVE, LEFT = "active", "left"
OWNER = OrganisationRole.OWNER.value


def people_uuid(organisation: str) -> UUID:
    """One organisation, one record of its people."""
    return uuid5(NAMESPACE_URL, f"https://org-id.guide/{organisation}#people")


@dataclass(frozen=True)
class Person:
    """One person of the organisation, as the record holds them now (not stored: folded from its events)."""

    subject: str
    name: str
    role: str
    added_at: datetime
    joined_at: datetime  # added, or last rejoined
    status: str = ACTIVE
    left_at: datetime | None = None
    left_reason: str = ""

    @property
    def active(self) -> bool:
        return self.status == ACTIVE


def checked_person(details: dict[str, Any]) -> dict[str, Any]:
    checked = checked_text(details, "name")
    if checked.get("role") is not None:
        checked["role"] = choice(OrganisationRole, checked["role"], "role")
    return checked


def is_kept_by(actor: Actor, organisation: str, people: dict[str, Person]) -> bool:
    """A council admin, or an owner among the organisation's people, signed in for it (none yet: any provider)."""
    if actor.role == Role.ADMIN:
        return True
    if actor.role != Role.PROVIDER or actor.organisation != organisation:
        return False
    found = people.get(actor.subject)
    return not people or (found is not None and found.active and found.role == OWNER)


class OrganisationPeople(MarketplaceAggregate):
    organisation: str
    people: dict[str, Person] = field(default_factory=dict)  # subject -> person

    class Started(MarketplaceAggregate.Created):
        organisation: str
        subject: str
        name: str
        role: str

        def apply(self, record: OrganisationPeople) -> None:
            record.people = {self.subject: Person(self.subject, self.name, self.role, self.timestamp, self.timestamp)}

    @classmethod
    def start(cls, ctx: Context, organisation: str, first: PersonDetails) -> OrganisationPeople:
        """The organisation's first person, an owner, added by a provider signed in for it or a council admin."""
        identifier = org_id(organisation)
        check(KeptByAnOwner(is_kept_by(ctx.actor, identifier, {}), identifier))
        person = checked_person(given(first) | {"subject": checked_subject(first.subject)})
        check(FirstPersonAnOwner(person["role"]))
        return cls._create(cls.Started, id=people_uuid(identifier), **ctx.stamp(), organisation=identifier, **person)

    def _kept(self, ctx: Context) -> None:
        check(KeptByAnOwner(is_kept_by(ctx.actor, self.organisation, self.people), self.organisation))

    def person(self, subject: str) -> Person:
        found = self.people.get(subject)
        if found is None:
            raise DomainError(
                f"{subject} is not among {self.organisation}'s people.", kind=Refusal.NOT_FOUND, rule="Exists"
            )
        return found

    def owners(self, *, without: str = "") -> int:
        """How many active owners it has (not counting `without`)."""
        return sum(1 for p in self.people.values() if p.active and p.role == OWNER and p.subject != without)

    class PersonAdded(MarketplaceAggregate.Event):
        subject: str
        name: str
        role: str

        def apply(self, record: OrganisationPeople) -> None:
            added = Person(self.subject, self.name, self.role, self.timestamp, self.timestamp)
            record.people = {**record.people, self.subject: added}

    def add(self, ctx: Context, details: PersonDetails) -> None:
        self._kept(ctx)
        subject = checked_subject(details.subject)
        if subject in self.people:
            state = "who left: record that they rejoined" if not self.people[subject].active else "already"
            raise DomainError(
                f"{subject} is among {self.organisation}'s people {state}.", kind=Refusal.DUPLICATE, rule="Unique"
            )
        check(WithinMostPeople(len(self.people)))
        self.record(self.PersonAdded, ctx, **checked_person(given(details)))

    class PersonChanged(MarketplaceAggregate.Event):
        subject: str
        changes: dict[str, Any]

        def apply(self, record: OrganisationPeople) -> None:
            changed = replace(record.people[self.subject], **self.changes)
            record.people = {**record.people, self.subject: changed}

    def change(self, ctx: Context, subject: str, change: PersonChange) -> None:
        """A person's name or role changed: only what changes is recorded; the last owner stays one."""
        self._kept(ctx)
        person = self.person(subject)
        check(StateAllows(person.status, frozenset({ACTIVE}), "change a person's details"))
        changes = {k: v for k, v in checked_person(given(change)).items() if getattr(person, k) != v}
        check(ChangesSomething(changes))
        if person.role == OWNER and changes.get("role", OWNER) != OWNER:
            check(OwnerRemains(self.owners(without=subject)))
        self.record(self.PersonChanged, ctx, subject=subject, changes=changes)

    class PersonLeft(MarketplaceAggregate.Decision):
        subject: str
        effective: datetime

        def apply(self, record: OrganisationPeople) -> None:
            gone = replace(record.people[self.subject], status=LEFT, left_at=self.effective, left_reason=self.reason)
            record.people = {**record.people, self.subject: gone}

        def summary(self) -> str:
            return f"{self.subject} left, effective {self.effective.isoformat()}"

    def leave(self, ctx: Context, subject: str, leaving: Leaving) -> None:
        """The person left: from now on they may not act for the organisation."""
        self._kept(ctx)
        person = self.person(subject)
        effective = ctx.now if leaving.effective is None else moment(leaving.effective, "effective")
        check(
            StateAllows(person.status, frozenset({ACTIVE}), "record that a person left"),
            LeavingNotAhead(effective, ctx.now),
            LeavingAfterJoining(effective, person.joined_at),
        )
        if person.role == OWNER:
            check(OwnerRemains(self.owners(without=subject)))
        self.decide(self.PersonLeft, ctx, leaving.reason, subject=subject, effective=effective)

    class PersonRejoined(MarketplaceAggregate.Decision):
        subject: str
        role: str

        def apply(self, record: OrganisationPeople) -> None:
            left = record.people[self.subject]
            back = replace(left, role=self.role, joined_at=self.timestamp, status=ACTIVE, left_at=None, left_reason="")
            record.people = {**record.people, self.subject: back}

        def summary(self) -> str:
            return f"{self.subject} rejoined as {self.role}"

    def rejoin(self, ctx: Context, subject: str, reason: str, role: str | None = None) -> None:
        """A person who left is back, in the role they had unless another is given."""
        self._kept(ctx)
        person = self.person(subject)
        check(StateAllows(person.status, frozenset({LEFT}), "record that a person rejoined"))
        rejoined_as = person.role if role is None else choice(OrganisationRole, role, "role")
        self.decide(self.PersonRejoined, ctx, reason, subject=subject, role=rejoined_as)
