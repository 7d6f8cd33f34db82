"""The chronograph: records deadlines and expiry dates passing as events, for the audit trail.

Commands obey the clock whether or not this has run (a bid after the deadline is refused by the
rule itself; a listing whose evidence has expired is out of the directory at once); this only
writes the explicit events, as Prozorro's chronograph does. What the clock records is declared
with each aggregate (`Declaration.deadlines`): tendering closed at a tender's deadline, a care
micro-enterprise's renewal due or listing lapsed as its evidence nears expiry or expires.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from marketplace import idempotency
from marketplace.service import Marketplace

log = logging.getLogger(__name__)


def tick(market: Marketplace) -> dict[str, int]:
    """Record what the clock says; return how many records each deadline moved (as `marketplace tick` reports).

    Inline mode has no worker: a stalled view whose back-off has run out is retried here first.
    """
    if market.commands.projector is not None:
        market.projector.retry_stalled()
    moved: dict[str, int] = {}
    for declaration in market.declarations:
        for deadline in declaration.deadlines:
            moved[deadline.name] = deadline.run(market)
            if moved[deadline.name]:
                log.info("%s: %d record(s)", deadline.name, moved[deadline.name])
    forgotten = forget_idempotency_keys(market)
    if forgotten:
        log.info("forgot %d Idempotency-Key(s) older than %s hours", forgotten, market.settings.idempotency_hours)
    return moved


def forget_idempotency_keys(market: Marketplace) -> int:
    """Purge the Idempotency-Keys past their keeping time, so the table holds only a day's retries."""
    keep = timedelta(hours=market.settings.idempotency_hours)
    with market.app.recorder.transaction(commit=True) as session:  # type: ignore[attr-defined]
        return idempotency.purge(session, market.clock.now(), keep)
