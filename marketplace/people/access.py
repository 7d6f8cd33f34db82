"""Who keeps and reads the people registers, and where a signed-in person stands in them: one place for the API,
the command line, the sign-in path and every command.

Writes: the council's officers are kept by its admins alone; an organisation's people by its owners (a provider
signed in for it whose person is an owner; while it has no people, any provider signed in for it may add the
first, who must be an owner) and by the council's admins.

Reads: the people registers are personal data. The council's readers (commissioners, admins, auditors) read their
own council's officers and every organisation's people; an organisation's providers read its own people; the
public reads neither.

Standing: `standing` says where the actor of a token stands (registered and active, left, not registered, or
new: signing in for an organisation, or a council, that keeps no people yet); `may_act` says whether they may act
on it. Someone who left may not act, whatever their token says; with development tokens on, someone not
registered acts in the role their token states; with them off, only registered, active people act, but for
whoever starts an organisation's (or a council's) people (docs/people.md).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol, runtime_checkable

from sqlalchemy.orm import Session

from domain.base import Actor, Role
from domain.people.officer import officer_uuid
from domain.rules import DomainError, Refusal
from marketplace.access import COUNCIL_READERS, PROVIDERS, Permit, reads_for_the_council
from projections.batch import utc
from projections.people.officers import find_officer
from projections.people.organisations import find_person, registers_listing
from projections.people.standing import found_in_registers

# --- who may issue each command ---------------------------------------------------------------------------------

KEEP_OFFICERS = Permit("keep the council's register of officers", frozenset({Role.ADMIN}))
KEEP_PEOPLE = Permit("keep an organisation's people", PROVIDERS | {Role.ADMIN})
READ_OFFICERS = COUNCIL_READERS
READ_PEOPLE = COUNCIL_READERS | PROVIDERS

# --- what each reader may see -----------------------------------------------------------------------------------


def sees_officer(reader: Actor | None, council: str) -> bool:
    """An officer's record: their own council's readers."""
    return reads_for_the_council(reader) and reader is not None and reader.organisation == council


def sees_people(reader: Actor | None, organisation: str) -> bool:
    """An organisation's people: the council's readers and the organisation's own providers."""
    if reader is None:
        return False
    return reads_for_the_council(reader) or (reader.role == Role.PROVIDER and reader.organisation == organisation)


def check_sees_people(reader: Actor | None, organisation: str) -> None:
    if not sees_people(reader, organisation):
        acting = reader.organisation if reader is not None else "nobody"
        raise DomainError(
            f"An organisation's people are for its own providers and the council: you act for {acting}.",
            kind=Refusal.FORBIDDEN,
            rule="Allowed",
        )


# --- where a person stands -----------------------------------------------------------------------------------------


class Standing(StrEnum):
    REGISTERED = "registered"  # in the register the token's organisation keeps, and active
    LEFT = "left"  # recorded as having left: may not act, whatever the token says
    UNREGISTERED = "unregistered"  # not in the register, which has people
    NEWCOMER = "newcomer"  # signed in for an organisation (or council) that keeps no people yet


@runtime_checkable
class HasViews(Protocol):
    """The running marketplace: `market.views()` is a session on the views as they stand."""

    def views(self) -> AbstractContextManager[Session]: ...


@runtime_checkable
class HasViewsAtHead(Protocol):
    """A service's wiring: the views once they hold every event committed so far."""

    def views_at_head(self) -> AbstractContextManager[Session]: ...


Source = Session | HasViews | HasViewsAtHead


@contextmanager
def _session(source: Source) -> Iterator[Session]:
    if isinstance(source, Session):
        yield source
    elif isinstance(source, HasViews):
        with source.views() as session:
            yield session
    else:
        with source.views_at_head() as session:
            yield session


def standing(source: Source, actor: Actor) -> Standing:
    """Where the actor stands, from one statement of index lookups on the people views.

    An officer who left stands as having left whatever organisation or role their token names (a council's
    officers sign in through its own identity provider, whose subjects are its own). Among an organisation's
    people, leaving one organisation says nothing of another the same person (the same GOV.UK One Login
    subject) may join. The clock (the system role) always stands registered: it is no person.
    """
    if actor.role == Role.SYSTEM:
        return Standing.REGISTERED
    with _session(source) as session:
        found = found_in_registers(session, officer_uuid(actor.subject), actor.organisation, actor.subject)
    if found.officer_active is False or found.person_active is False:
        return Standing.LEFT
    if (found.officer_active and found.officer_council == actor.organisation) or found.person_active:
        return Standing.REGISTERED
    return Standing.UNREGISTERED if found.organisation_keeps_people else Standing.NEWCOMER


LEFT_MESSAGE = (
    "The people register records that you have left: you may no longer act here. If you are back, ask a council "
    "admin (or your organisation's owner) to record that you rejoined."
)
UNREGISTERED_MESSAGE = (
    "You are not in the people register of the organisation you signed in for: ask a council admin (or your "
    "organisation's owner) to add you."
)
NEWCOMER_MESSAGE = (
    "Your organisation keeps no people yet: add its first person, an owner, before acting for it "
    "(POST /organisations/{id}/people)."
)


def may_act(standing: Standing, dev_tokens: bool, starting: bool | None = None) -> str | None:
    """None when the actor may act; else the message to refuse them with (403).

    `starting`: whether the command starts a register (registers an organisation, adds an organisation's first
    person, registers a council's first officer). None (the sign-in path, which does not know the command):
    someone new is admitted, as they must be to start their organisation's people. False: with development
    tokens off, someone new may only start.
    """
    if standing == Standing.LEFT:
        return LEFT_MESSAGE
    if standing == Standing.REGISTERED or dev_tokens:
        return None
    if standing == Standing.NEWCOMER and starting is not False:
        return None
    return UNREGISTERED_MESSAGE if standing == Standing.UNREGISTERED else NEWCOMER_MESSAGE


@dataclass(frozen=True)
class Memberships:
    """The organisations whose people registers list a subject: where they are active, and where they left.

    For a sign-in provider whose tokens name no organisation (GOV.UK One Login, `organisation_from: people`), the
    person acts for one of `active`; with none active but some left, they have left and act no more."""

    active: tuple[str, ...]
    left: tuple[str, ...]


def memberships(source: Source, subject: str) -> Memberships:
    """Where the subject is among organisations' people, from one read of the people view's subject index."""
    with _session(source) as session:
        listed = registers_listing(session, subject)
    return Memberships(
        tuple(organisation for organisation, active in listed if active),
        tuple(organisation for organisation, active in listed if not active),
    )


# --- people as other capabilities ask for them --------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    """An officer of a council, as the register has them now."""

    subject: str
    council: str
    name: str
    job_title: str
    team: str
    active: bool
    left_at: datetime | None


@dataclass(frozen=True)
class Member:
    """A person of an organisation, as its register has them now."""

    organisation: str
    subject: str
    name: str
    role: str  # owner | bid-writer | finance
    active: bool
    left_at: datetime | None


def officer(source: Source, subject: str) -> Person | None:
    """The officer with this subject (one primary-key read), whether still here or not; None if never registered."""
    with _session(source) as session:
        row = find_officer(session, subject)
    if row is None:
        return None
    left_at = utc(row["left_at"]) if row["left_at"] is not None else None
    return Person(
        row["subject"], row["council"], row["name"], row["job_title"], row["team"], bool(row["active"]), left_at
    )


def member(source: Source, organisation: str, subject: str) -> Member | None:
    """The organisation's person with this subject (one primary-key read), whether still there or not."""
    with _session(source) as session:
        row = find_person(session, organisation, subject)
    if row is None:
        return None
    left_at = utc(row["left_at"]) if row["left_at"] is not None else None
    return Member(organisation, row["subject"], row["name"], row["role"], bool(row["active"]), left_at)


def check_assignable(source: Source, subject: str, council: str, field: str, dev_tokens: bool) -> None:
    """Someone named to assess (an evaluator, an assessor): an officer of the council still here. With development
    tokens on, someone not registered is taken at the council's word, as their own token would be; someone who
    left never is."""
    if dev_tokens and officer(source, subject) is None:
        return
    check_officer(source, subject, council, field)


def check_officer(source: Source, subject: str, council: str, field: str) -> Person:
    """The registered, active officer of the council with this subject; else refused (422) naming the field:
    what an evaluator, an assessor or a moderator must be."""
    found = officer(source, subject)
    if found is None or found.council != council:
        raise DomainError(
            f"{subject} is not an officer in {council}'s people register: register them first (POST /people).",
            field=field,
            rule="RegisteredOfficer",
        )
    if not found.active:
        raise DomainError(
            f"{subject} has left {council}: assign an officer still here.", field=field, rule="ActiveOfficer"
        )
    return found
