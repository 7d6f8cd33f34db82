"""Commands on the people registers: the council's officers, known by subject, and each organisation's people,
known by its org-id.guide identifier.

Each checks its permit (marketplace/people/access.py) before it loads anything. An admin keeps the officers of the
council they act for alone; an organisation's record of its people checks who keeps it itself (its owners, the
council's admins, and while it has none, whoever starts it), since that turns on the people it holds.
"""

from __future__ import annotations

from collections.abc import Callable

from domain.base import Context
from domain.organisations.organisation import Organisation, OrganisationStatus, canonical, organisation_uuid
from domain.people.officer import Officer, officer_uuid
from domain.people.organisation_people import OrganisationPeople, people_uuid
from domain.people.terms import Leaving, OfficerChange, OfficerDetails, PersonChange, PersonDetails
from domain.rules import DomainError, Refusal
from marketplace.access import OwnRecord
from marketplace.capability import Wiring
from marketplace.commands import CommandRequest, refuse_duplicate
from marketplace.errors import VersionMismatch
from marketplace.outcome import Outcome
from marketplace.people.access import KEEP_OFFICERS, KEEP_PEOPLE

OWN_COUNCIL = OwnRecord("council", "Only {owner}'s admins keep this officer's record.", rule="Council")


class OfficerCommands:
    """The council's register of officers."""

    def __init__(self, wiring: Wiring) -> None:
        self.commands = wiring.commands

    def register(self, request: CommandRequest, details: OfficerDetails) -> Outcome:
        KEEP_OFFICERS.check(request.actor)

        def register(ctx: Context) -> Officer:
            if self.commands.exists(officer_uuid(details.subject)):
                raise refuse_duplicate("An officer with subject", details.subject)
            return Officer.register(ctx, details)

        return self.commands.create(request, register)

    def change_details(self, request: CommandRequest, subject: str, change: OfficerChange) -> Outcome:
        return self._change(request, subject, lambda officer, ctx: officer.change_details(ctx, change))

    def leave(self, request: CommandRequest, subject: str, leaving: Leaving) -> Outcome:
        return self._change(request, subject, lambda officer, ctx: officer.leave(ctx, leaving))

    def rejoin(self, request: CommandRequest, subject: str, reason: str) -> Outcome:
        return self._change(request, subject, lambda officer, ctx: officer.rejoin(ctx, reason))

    def _change(self, request: CommandRequest, subject: str, act: Callable[[Officer, Context], None]) -> Outcome:
        KEEP_OFFICERS.check(request.actor)

        def as_their_council(officer: Officer, ctx: Context) -> None:
            OWN_COUNCIL.check(ctx.actor, officer)
            act(officer, ctx)

        return self.commands.change(request, Officer, officer_uuid(subject), as_their_council, label=subject)


class OrganisationPeopleCommands:
    """Each organisation's people."""

    def __init__(self, wiring: Wiring) -> None:
        self.commands = wiring.commands

    def add(self, request: CommandRequest, identifier: str, details: PersonDetails) -> Outcome:
        """The organisation's first person starts its record; each later one is added to it."""
        KEEP_PEOPLE.check(request.actor)
        organisation = canonical(identifier)
        record_id = people_uuid(organisation)

        def add(ctx: Context) -> OrganisationPeople:
            self._registered(organisation)
            record = self.commands.find(OrganisationPeople, record_id)
            if record is None:
                return OrganisationPeople.start(ctx, organisation, details)
            _as_seen(request, record).add(ctx, details)
            return record

        return self.commands.create(request, add)

    def change(self, request: CommandRequest, identifier: str, subject: str, change: PersonChange) -> Outcome:
        return self._change(request, identifier, lambda record, ctx: record.change(ctx, subject, change))

    def leave(self, request: CommandRequest, identifier: str, subject: str, leaving: Leaving) -> Outcome:
        return self._change(request, identifier, lambda record, ctx: record.leave(ctx, subject, leaving))

    def rejoin(
        self, request: CommandRequest, identifier: str, subject: str, reason: str, role: str | None = None
    ) -> Outcome:
        """A person who left is back (in the role they had, unless another is given)."""

        def rejoin(record: OrganisationPeople, ctx: Context) -> None:
            self._registered(record.organisation)
            record.rejoin(ctx, subject, reason, role)

        return self._change(request, identifier, rejoin)

    def _registered(self, organisation: str) -> None:
        """People join an organisation in the register, and active (its people may leave it whatever its state)."""
        found = self.commands.find(Organisation, organisation_uuid(organisation))
        if found is None:
            raise DomainError(f"No organisation with id {organisation}.", kind=Refusal.NOT_FOUND, rule="Exists")
        if found.status != OrganisationStatus.ACTIVE:
            raise DomainError(
                f"{organisation} is deactivated: its people may leave, but nobody joins it.",
                kind=Refusal.CONFLICT,
                rule="OrganisationActive",
            )

    def _change(
        self, request: CommandRequest, identifier: str, act: Callable[[OrganisationPeople, Context], None]
    ) -> Outcome:
        KEEP_PEOPLE.check(request.actor)
        organisation = canonical(identifier)

        def change(ctx: Context) -> OrganisationPeople:
            record = self.commands.find(OrganisationPeople, people_uuid(organisation))
            if record is None:
                raise DomainError(f"{organisation} keeps no people yet.", kind=Refusal.NOT_FOUND, rule="Exists")
            act(_as_seen(request, record), ctx)
            return record

        return self.commands.create(request, change)


def _as_seen(request: CommandRequest, record: OrganisationPeople) -> OrganisationPeople:
    """The record, if it is at the version the caller saw (If-Match), when they say."""
    if request.expected_version is not None and request.expected_version != record.version:
        raise VersionMismatch(request.expected_version, record.version)
    return record
