"""The payments clock: an invoice unpaid after its due date is flagged late, once (a disputed invoice's clock is
stopped until it is corrected)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING
from uuid import UUID

from domain.rules import DomainError
from domain.working_days import uk_date
from marketplace.commands import by_the_clock
from marketplace.payments.services import Invoices
from projections.payments.invoices import due_to_flag

if TYPE_CHECKING:
    from marketplace.service import Marketplace

log = logging.getLogger(__name__)


def flag_late_invoices(market: Marketplace) -> int:
    """Flag every unpaid invoice past its due date; return how many were."""
    with market.views() as session:
        due = due_to_flag(session, uk_date(market.clock.now()))
    invoices, flagged = market.service(Invoices), 0
    for found in due:
        try:
            invoices.flag_late(by_the_clock(), UUID(found))
            flagged += 1
        except DomainError as refused:  # paid or disputed meanwhile
            log.info("invoice %s not flagged: %s", found, refused)
    return flagged
