"""The challenge clock: a decision on an expression of interest not made by its day, or a procurement exercise not
started by its, is flagged overdue (the officers' work queue shows it first). Commands obey no clock here: a late
decision is still made, and the flag stays on the record as the audit of it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from domain.working_days import uk_date
from marketplace.challenge.services import Expressions
from marketplace.commands import each_by_the_clock
from projections.challenge.expressions import overdue_to_flag

if TYPE_CHECKING:
    from marketplace.service import Marketplace


def flag_overdue(market: Marketplace) -> int:
    """Flag every decision and procurement overdue and not yet flagged; return how many were."""
    with market.views() as session:
        due = overdue_to_flag(session, uk_date(market.clock.now()))
    return each_by_the_clock(due, market.service(Expressions).record_overdue, "expression of interest")
