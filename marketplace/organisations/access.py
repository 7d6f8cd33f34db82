"""Who may change the organisation register, and what each reader may see of an organisation.

Writes: every command's permit is checked by `Organisations` (the API, the command line and the demo loader
alike) and named by its route's guard; a provider acts for its own organisation only, council officers for any.

Reads: people's addresses and contact details. The current GET, a record as it stood (`?version=`, `?as_of=`),
the audit history and feed, exports and open data all ask these functions, so a record cannot be hidden on one
path and shown on another. Each takes the reader (None: anonymous) and the facts the rule turns on, never a view
row or an HTTP request.
"""

from __future__ import annotations

from collections.abc import Iterable

from domain.base import Actor
from domain.organisations.organisation import PEOPLE
from domain.rules import DomainError, Refusal
from marketplace.access import OFFICERS, PROVIDERS, Permit, reads_for_the_council

REGISTER = Permit("register an organisation", PROVIDERS | OFFICERS)
UPDATE_DETAILS = Permit("update an organisation's details", PROVIDERS | OFFICERS)
DEACTIVATE = Permit("deactivate an organisation", PROVIDERS | OFFICERS)
VERIFY = Permit("verify an organisation", OFFICERS)


def acts_for(actor: Actor, organisation: str) -> bool:
    """Council officers act for any organisation; anyone else for its own only."""
    return actor.role in OFFICERS or actor.organisation == organisation


def check_acts_for(actor: Actor, organisation: str) -> None:
    """Refuse (403) an actor who acts for another organisation (`Allowed`, as the route guards name a 403)."""
    if not acts_for(actor, organisation):
        raise DomainError(
            f"You act for {actor.organisation}, not for {organisation}.", kind=Refusal.FORBIDDEN, rule="Allowed"
        )


def sees_private_details(reader: Actor | None, organisation: str) -> bool:
    """What an organisation tells the council alone (a named contact, a registration's evidence and the
    reasons for decisions on it): the organisation itself and council officers only."""
    return reads_for_the_council(reader) or (reader is not None and reader.organisation == organisation)


sees_contact = sees_private_details  # a contact is a named person


def sees_address(reader: Actor | None, organisation: str, legal_forms: Iterable[str]) -> bool:
    """Where an organisation of people (a sole trader, a partnership) is, is where someone lives.

    `legal_forms` are the forms the rule must respect: the one the record had at the point read and
    the one it has now. A company that became a sole trader keeps its old address private too: the
    person now behind it may live there.
    """
    return not (set(legal_forms) & PEOPLE) or sees_contact(reader, organisation)
