"""An officer in the council's people register: who may act for the council, in which team and job.

Lifecycle: registered by an admin (the subject their sign-in token carries, the council they work for, their name,
job title and team) -> details changed, any number of times -> left, a decision with its reason and the moment they
left (their rights end when it is recorded, and never before it was) -> rejoined, with a reason, and so on. A
subject is registered once: the record's id is made from it, so a second registration collides in the event store.
Events already recorded keep the actor as they were: nothing is written back to them.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from domain.base import Context, MarketplaceAggregate
from domain.organisations.organisation import given
from domain.people.rules import ChangesSomething, LeavingAfterJoining, LeavingNotAhead, checked_subject, checked_text
from domain.people.terms import Leaving, OfficerChange, OfficerDetails
from domain.rules import StateAllows, check
from domain.values import moment, org_id

DETAILS = ("name", "job_title", "team")


class OfficerStatus(StrEnum):
    ACTIVE = "active"
    LEFT = "left"


ACTIVE, LEFT = OfficerStatus.ACTIVE, OfficerStatus.LEFT


def officer_uuid(subject: str) -> UUID:
    """One subject, one officer's record."""
    return uuid5(NAMESPACE_URL, f"urn:marketplace:officer:{subject}")


class Officer(MarketplaceAggregate):
    subject: str
    council: str  # the council's org-id.guide identifier
    name: str
    job_title: str
    team: str
    status: OfficerStatus = ACTIVE
    rejoined_at: datetime | None = None
    left_at: datetime | None = None
    left_reason: str = ""

    class Registered(MarketplaceAggregate.Created):
        subject: str
        council: str
        name: str
        job_title: str
        team: str

    @classmethod
    def register(cls, ctx: Context, details: OfficerDetails) -> Officer:
        """An admin registers an officer of the council they act for."""
        subject = checked_subject(details.subject)
        council = org_id(ctx.actor.organisation, "council")
        fields = checked_text(given(details), *DETAILS)
        return cls._create(cls.Registered, id=officer_uuid(subject), **ctx.stamp(), **fields, council=council)

    @property
    def active(self) -> bool:
        return self.status == ACTIVE

    @property
    def joined_at(self) -> datetime:
        """When they joined: registered, or last rejoined."""
        return self.rejoined_at or self.created_on

    class DetailsChanged(MarketplaceAggregate.Event):
        changes: dict[str, Any]

        def apply(self, officer: Officer) -> None:
            for name, value in self.changes.items():
                setattr(officer, name, value)

    def change_details(self, ctx: Context, change: OfficerChange) -> None:
        """Only what actually changes is recorded, so the history shows real edits."""
        check(StateAllows(self.status, frozenset({ACTIVE}), "change an officer's details"))
        changes = {k: v for k, v in checked_text(given(change), *DETAILS).items() if getattr(self, k) != v}
        check(ChangesSomething(changes))
        self.record(self.DetailsChanged, ctx, changes=changes)

    class Left(MarketplaceAggregate.Decision):
        effective: datetime

        def apply(self, officer: Officer) -> None:
            officer.status = LEFT
            officer.left_at = self.effective
            officer.left_reason = self.reason

        def summary(self) -> str:
            return f"officer left, effective {self.effective.isoformat()}"

    def leave(self, ctx: Context, leaving: Leaving) -> None:
        """The officer left: from now on they may not act, whatever their token says."""
        effective = ctx.now if leaving.effective is None else moment(leaving.effective, "effective")
        check(
            StateAllows(self.status, frozenset({ACTIVE}), "record that an officer left"),
            LeavingNotAhead(effective, ctx.now),
            LeavingAfterJoining(effective, self.joined_at),
        )
        self.decide(self.Left, ctx, leaving.reason, effective=effective)

    class Rejoined(MarketplaceAggregate.Decision):
        def apply(self, officer: Officer) -> None:
            officer.status = ACTIVE
            officer.rejoined_at = self.timestamp
            officer.left_at = None
            officer.left_reason = ""

        def summary(self) -> str:
            return "officer rejoined"

    def rejoin(self, ctx: Context, reason: str) -> None:
        check(StateAllows(self.status, frozenset({LEFT}), "record that an officer rejoined"))
        self.decide(self.Rejoined, ctx, reason)
