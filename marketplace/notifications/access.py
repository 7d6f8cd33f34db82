"""Who reads letters, in one place for every path: the organisation told reads the letters sent to it; a council's
officers read those their council's decisions sent (to see that a dispute went out, or why it did not); auditors
read every letter. A letter tells one organisation of its own record, so nobody else reads it."""

from __future__ import annotations

from sqlalchemy import ColumnElement, true

from domain.base import Actor, Role
from marketplace.access import OFFICERS
from marketplace.notifications.letters import letters


def readable_by(reader: Actor) -> ColumnElement[bool]:
    """The letters this reader may read, as a condition on the letters table."""
    if reader.role is Role.AUDITOR:
        return true()
    if reader.role in OFFICERS:
        return letters.c.sender == reader.organisation
    return letters.c.organisation == reader.organisation
