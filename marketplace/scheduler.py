"""The chronograph: records deadlines passing as events, for the audit trail.

Commands obey the clock whether or not this has run (a bid after the deadline is refused
by the rule itself); this only writes the explicit closing event, as Prozorro's chronograph does.
"""

from __future__ import annotations

import logging
from uuid import UUID

from domain.base import Actor, Role
from domain.rules import DomainError
from marketplace.commands import CommandRequest
from marketplace.service import Marketplace
from projections.tendering import search_tenders

log = logging.getLogger(__name__)
CHRONOGRAPH = Actor("chronograph", "", Role.SYSTEM)


def tick(market: Marketplace) -> int:
    """Close tendering on every published tender whose deadline has passed; return how many closed."""
    now = market.clock.now()
    with market.views() as session:
        due, _ = search_tenders(session, statuses=["tendering"], deadline_before=now, limit=1000)
    closed = 0
    for tender in due:
        try:
            market.tenders.close(CommandRequest(CHRONOGRAPH, correlation_id="chronograph"), UUID(tender["id"]))
            closed += 1
        except DomainError as refused:  # someone opened or cancelled it meanwhile (or a race: 409)
            log.info("tender %s not closed: %s", tender["id"], refused)
    return closed
