"""Who may read what: one disclosure rule per kind of record, for every read path.

The current GET, a record as it stood (`?version=`, `?as_of=`), the audit history and feed, the
decision log, exports and open data all ask these functions, so a record cannot be hidden on one
path and shown on another. Each takes the reader (None: anonymous) and the facts the rule turns
on, never a view row or an HTTP request, so the API, the CLI and the clock can use it alike.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from domain.base import Actor, Role
from domain.organisations.organisation import PEOPLE

# Who reads for the council: commissioners and admins (its officers) and auditors. They read people's
# details to do their work; auditors read everything and write nothing.
COUNCIL_READERS = frozenset({Role.COMMISSIONER, Role.ADMIN, Role.AUDITOR})
SEALED_FIELDS = ("prices", "responses")  # what a bid's offer says
NONCE_FIELD = "nonce"  # the bidder's secret half of its receipt


def reads_for_the_council(reader: Actor | None) -> bool:
    return reader is not None and reader.role in COUNCIL_READERS


# --- organisations: people's addresses and contact details ---------------------------------------


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


# --- bids: sealed offers ------------------------------------------------------------------------


@dataclass(frozen=True)
class Seal:
    """What a bid's disclosure turns on: whether its tender's bids are opened, and which offer was."""

    tender_opened: bool = False
    opened_digest: str | None = None  # the receipt digest of this bid's offer that was opened, if it was


def sees_offer(reader: Actor | None, bidder: str, digest: str, seal: Seal) -> bool:
    """An offer's prices and responses.

    Sealed to everyone, its bidder and the council included, until the tender's bids are opened.
    Then the offer that was opened is for officers, auditors and its bidder; an offer replaced or
    withdrawn before the deadline was never evaluated, so it is its bidder's and the auditors' only.
    """
    if reader is None or not seal.tender_opened:
        return False
    if reader.role is Role.AUDITOR or (reader.organisation == bidder and reader.role is Role.PROVIDER):
        return True
    return seal.opened_digest == digest and reads_for_the_council(reader)


def sees_nonce(reader: Actor | None, bidder: str) -> bool:
    """The receipt's nonce lets its holder prove what it sent: the bidder's alone, never an officer's."""
    return reader is not None and reader.role is Role.PROVIDER and reader.organisation == bidder


def sealed_note(seal: Seal) -> str:
    """What a reader is shown in place of an offer it may not read."""
    if not seal.tender_opened:
        return "sealed until the bids are opened"
    return "an offer that was not opened: for its bidder and auditors"
