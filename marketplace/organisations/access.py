"""What each reader may see of an organisation: people's addresses and contact details.

The current GET, a record as it stood (`?version=`, `?as_of=`), the audit history and feed, exports and open
data all ask these functions, so a record cannot be hidden on one path and shown on another. Each takes the
reader (None: anonymous) and the facts the rule turns on, never a view row or an HTTP request.
"""

from __future__ import annotations

from collections.abc import Iterable

from domain.base import Actor
from domain.organisations.organisation import PEOPLE
from marketplace.access import reads_for_the_council


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
