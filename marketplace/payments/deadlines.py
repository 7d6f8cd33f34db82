"""The payments clock: an invoice unpaid after its due date is flagged late, once (a disputed invoice's clock is
stopped until it is corrected)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from domain.working_days import uk_date
from marketplace.commands import each_by_the_clock
from marketplace.payments.services import Invoices
from projections.payments.invoices import due_to_flag

if TYPE_CHECKING:
    from marketplace.service import Marketplace


def flag_late_invoices(market: Marketplace) -> int:
    """Flag every unpaid invoice past its due date; return how many were."""
    with market.views() as session:
        due = due_to_flag(session, uk_date(market.clock.now()))
    return each_by_the_clock(due, market.service(Invoices).flag_late, "invoice")
