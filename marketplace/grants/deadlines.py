"""The grants clock: a programme's application window opens and closes, and an offer unaccepted at its expiry
lapses, freeing its money. Commands obey the clock regardless (no application after the window closes, no
acceptance after the expiry); this records each as an event, as a chronograph does."""

from __future__ import annotations

from typing import TYPE_CHECKING

from domain.working_days import uk_date
from marketplace.commands import each_by_the_clock
from marketplace.grants.services import Applications, Programmes
from projections.grants.applications import offers_due_to_lapse
from projections.grants.programmes import windows_due

if TYPE_CHECKING:
    from marketplace.service import Marketplace


def record_windows(market: Marketplace) -> int:
    """Record every window opening or closing that is due; return how many were."""
    with market.views() as session:
        due = windows_due(session, market.clock.now())
    return each_by_the_clock(due, market.service(Programmes).record_window, "programme window")


def lapse_offers(market: Marketplace) -> int:
    """Lapse every offer past its expiry; return how many lapsed."""
    with market.views() as session:
        due = offers_due_to_lapse(session, uk_date(market.clock.now()))
    return each_by_the_clock(due, market.service(Applications).lapse, "offer")
