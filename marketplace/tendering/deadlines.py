"""The tendering clock: tendering closes at a tender's deadline (the rules refuse late bids regardless;
this records the closing as an event, as Prozorro's chronograph does)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING
from uuid import UUID

from domain.rules import DomainError
from domain.tendering.tender import TENDERING
from marketplace.commands import by_the_clock
from marketplace.tendering.services import Tenders
from projections.tendering.queries import search_tenders

if TYPE_CHECKING:
    from marketplace.service import Marketplace

log = logging.getLogger(__name__)


def close_tendering(market: Marketplace) -> int:
    """Close tendering on every published tender whose deadline has passed; return how many closed."""
    now = market.clock.now()
    with market.views() as session:
        due, _ = search_tenders(session, statuses=[TENDERING], deadline_before=now, limit=1000)
    closed = 0
    for tender in due:
        try:
            market.service(Tenders).close(by_the_clock(), UUID(tender["id"]))
            closed += 1
        except DomainError as refused:  # someone opened or cancelled it meanwhile (or a race: 409)
            log.info("tender %s not closed: %s", tender["id"], refused)
    return closed
