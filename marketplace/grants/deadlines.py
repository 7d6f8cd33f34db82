"""The grants clock: a programme's application window opens and closes, and an offer unaccepted at its expiry
lapses, freeing its money. Commands obey the clock regardless (no application after the window closes, no
acceptance after the expiry); this records each as an event, as a chronograph does."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING
from uuid import UUID

from domain.rules import DomainError
from domain.working_days import uk_date
from marketplace.commands import CommandRequest, by_the_clock
from marketplace.grants.services import Applications, Programmes
from marketplace.outcome import Outcome
from projections.grants.applications import offers_due_to_lapse
from projections.grants.programmes import windows_due

if TYPE_CHECKING:
    from marketplace.service import Marketplace

log = logging.getLogger(__name__)


def record_windows(market: Marketplace) -> int:
    """Record every window opening or closing that is due; return how many were."""
    with market.views() as session:
        due = windows_due(session, market.clock.now())
    return _each(due, market.service(Programmes).record_window, "programme window")


def lapse_offers(market: Marketplace) -> int:
    """Lapse every offer past its expiry; return how many lapsed."""
    with market.views() as session:
        due = offers_due_to_lapse(session, uk_date(market.clock.now()))
    return _each(due, market.service(Applications).lapse, "offer")


def _each(ids: list[str], command: Callable[[CommandRequest, UUID], Outcome], what: str) -> int:
    moved = 0
    for found in ids:
        try:
            command(by_the_clock(), UUID(found))
            moved += 1
        except DomainError as refused:  # someone acted meanwhile (or a race: 409)
            log.info("%s %s not moved: %s", what, found, refused)
    return moved
