"""The care clock: a listed micro-enterprise's renewal falls due as its earliest evidence nears expiry, and its
listing lapses when it expires (the directory drops it at once regardless; this records the events)."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import TYPE_CHECKING
from uuid import UUID

from domain.care.micro_enterprise import LAPSED, RENEWAL_DUE, standing_of
from domain.rules import DomainError
from domain.working_days import uk_date
from marketplace.care.services import Registrations
from marketplace.commands import by_the_clock
from projections.care.registrations import listings_expiring

if TYPE_CHECKING:
    from marketplace.service import Marketplace

log = logging.getLogger(__name__)


def record_registration_standing(market: Marketplace) -> int:
    """Record renewal due or lapsed, once per earliest expiry, on every listing the clock has moved.

    The view says which listings to look at (those whose earliest expiry falls within the renewal
    window) and which the chronograph has already recorded; the aggregate decides.
    """
    registrations = market.service(Registrations)
    now, policy = market.clock.now(), registrations.policy
    horizon = uk_date(now) + timedelta(days=policy.renewal_window_days)
    recorded, cursor = 0, None
    while True:
        with market.views() as session:
            rows, cursor = listings_expiring(session, horizon, cursor)
        for row in rows:
            standing = standing_of(row["status"], row["evidence_expires_on"], now, policy)
            if standing not in (RENEWAL_DUE, LAPSED) or (row["clock_standing"], row["clock_for"]) == (
                standing,
                row["evidence_expires_on"],
            ):
                continue
            try:
                registrations.record_standing(by_the_clock(), UUID(row["id"]))
                recorded += 1
            except DomainError as refused:  # suspended, renewed or withdrawn meanwhile (or a race: 409)
                log.info("registration %s not recorded: %s", row["id"], refused)
        if cursor is None:
            return recorded
