"""The chronograph: records deadlines and expiry dates passing as events, for the audit trail.

Commands obey the clock whether or not this has run (a bid after the deadline is refused by the
rule itself; a listing whose evidence has expired is out of the directory at once); this only
writes the explicit events, as Prozorro's chronograph does: tendering closed at a tender's
deadline, and a care micro-enterprise's renewal due or listing lapsed as its evidence nears
expiry or expires.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from uuid import UUID

from domain.base import Actor, Role
from domain.care.micro_enterprise import LAPSED, RENEWAL_DUE, standing_of
from domain.rules import DomainError
from domain.working_days import uk_date
from marketplace import idempotency
from marketplace.commands import CommandRequest
from marketplace.service import Marketplace
from projections.care.registrations import listings_expiring
from projections.tendering.queries import search_tenders

log = logging.getLogger(__name__)
CHRONOGRAPH = Actor("chronograph", "", Role.SYSTEM)


def tick(market: Marketplace) -> int:
    """Record what the clock says; return how many tenders closed (as `marketplace tick` reports).

    Inline mode has no worker: a stalled view whose back-off has run out is retried here first.
    """
    if market.commands.projector is not None:
        market.projector.retry_stalled()
    closed = close_tendering(market)
    recorded = record_registration_standing(market)
    if recorded:
        log.info("recorded %d registration(s) renewal due or lapsed", recorded)
    forgotten = forget_idempotency_keys(market)
    if forgotten:
        log.info("forgot %d Idempotency-Key(s) older than %s hours", forgotten, market.settings.idempotency_hours)
    return closed


def forget_idempotency_keys(market: Marketplace) -> int:
    """Purge the Idempotency-Keys past their keeping time, so the table holds only a day's retries."""
    keep = timedelta(hours=market.settings.idempotency_hours)
    with market.app.recorder.transaction(commit=True) as session:  # type: ignore[attr-defined]
        return idempotency.purge(session, market.clock.now(), keep)


def close_tendering(market: Marketplace) -> int:
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


def record_registration_standing(market: Marketplace) -> int:
    """Record renewal due or lapsed, once per earliest expiry, on every listing the clock has moved.

    The view says which listings to look at (those whose earliest expiry falls within the renewal
    window) and which the chronograph has already recorded; the aggregate decides.
    """
    now, policy = market.clock.now(), market.registrations.policy
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
                request = CommandRequest(CHRONOGRAPH, correlation_id="chronograph")
                market.registrations.record_standing(request, UUID(row["id"]))
                recorded += 1
            except DomainError as refused:  # suspended, renewed or withdrawn meanwhile (or a race: 409)
                log.info("registration %s not recorded: %s", row["id"], refused)
        if cursor is None:
            return recorded
