"""The tendering clock: tendering closes at a tender's deadline, and an award's standstill ends the day after its
last day (the rules refuse late bids and early contracts regardless; this records each as an event, as Prozorro's
chronograph does, so the tender's status moves by its events)."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import TYPE_CHECKING
from uuid import UUID

from domain.rules import DomainError
from domain.tendering.tender import TENDERING
from domain.working_days import uk_date
from marketplace.commands import by_the_clock
from marketplace.tendering.services import Tenders
from projections.tendering.outcomes import standstills_ended_by
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


def end_standstills(market: Marketplace) -> int:
    """Record the end of every standstill whose last day (a UK day) is past; return how many ended."""
    yesterday = uk_date(market.clock.now()) - timedelta(days=1)
    with market.views() as session:
        due = standstills_ended_by(session, yesterday)
    ended = 0
    for standstill in due:
        try:
            market.service(Tenders).end_standstill(by_the_clock(), UUID(standstill["tender_id"]), standstill["lot_id"])
            ended += 1
        except DomainError as refused:  # its contract was concluded or the tender cancelled meanwhile (or a race)
            log.info(
                "standstill of tender %s lot %s not ended: %s", standstill["tender_id"], standstill["lot_id"], refused
            )
    return ended
