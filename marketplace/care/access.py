"""Who may act on a care micro-enterprise's registration, and who may read it.

Every command's permit is checked by `Registrations` (so the API, the command line and the clock are held to the
same rule) and named by its route's guard. A provider acts on its own organisation's registration only; council
officers decide on any. A registration's evidence and the reasons for decisions on it are the organisation's and
the council's (`sees_private_details`); the public sees a listing only while it is in the directory.
"""

from __future__ import annotations

from domain.base import Actor
from domain.care.micro_enterprise import IN_DIRECTORY
from domain.rules import DomainError, Refusal
from marketplace.access import COUNCIL_READERS, OFFICERS, PROVIDERS, THE_CLOCK, Permit
from marketplace.organisations.access import sees_private_details

APPLICANTS = PROVIDERS | OFFICERS  # a provider for its own organisation; an officer for any

APPLY_FOR_LISTING = Permit("apply to be listed as a care micro-enterprise", APPLICANTS)
ADD_EVIDENCE = Permit("add evidence to a registration", APPLICANTS)
RESUBMIT = Permit("resubmit a registration", APPLICANTS)
UPDATE_AVAILABILITY = Permit("update a registration's availability", APPLICANTS)
WITHDRAW = Permit("withdraw a registration", PROVIDERS)  # the provider itself: officers suspend instead
RECORD_CHECK = Permit("record a check of a registration's evidence", OFFICERS)
APPROVE = Permit("approve a registration", OFFICERS)
REJECT = Permit("reject a registration", OFFICERS)
SUSPEND = Permit("suspend a registration", OFFICERS)
REINSTATE = Permit("reinstate a registration", OFFICERS)
RECORD_STANDING = Permit("record a registration's standing", THE_CLOCK)
READ_WORK_QUEUE = Permit("read the registrations work queue", COUNCIL_READERS)


def check_applicant(actor: Actor, organisation: str) -> None:
    """Refuse (403) a provider acting on another organisation's registration; officers act on any."""
    if actor.role not in OFFICERS and actor.organisation != organisation:
        raise DomainError(
            f"You act for {actor.organisation}: only {organisation} or a council officer may do this.",
            kind=Refusal.FORBIDDEN,
            rule="OwnRegistration",
        )


def check_registrant(actor: Actor, organisation: str) -> None:
    """Refuse (403) anyone but the registered organisation itself: only it withdraws its registration."""
    if actor.organisation != organisation:
        raise DomainError(
            f"Only {organisation} may withdraw its registration.", kind=Refusal.FORBIDDEN, rule="OwnRegistration"
        )


def sees_registration(reader: Actor | None, organisation: str) -> bool:
    """All of a registration (its evidence, the reasons for decisions, its history): the organisation itself
    and council readers. Anyone else sees only a listing in the directory, and only its public entry."""
    return sees_private_details(reader, organisation)


def public_sees_then(in_directory_now: bool, standing_then: str) -> bool:
    """A past state is public only of a listing in the directory now, and only if it was listed then."""
    return in_directory_now and standing_then in IN_DIRECTORY
