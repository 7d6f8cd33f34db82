"""A tender's lots as the tendering views keep them: lot id -> the state its events left it in (none: open).

The views end a tender on its lots by the domain's own rule (`settled_status`), never by one of their own.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from domain.tendering.tender_rules import settled_status

AWARDED, CONTRACTED, LOT_CANCELLED = "awarded", "contracted", "cancelled"


def with_lot(states: Mapping[str, str], lot_id: str, state: str) -> dict[str, str]:
    return {**states, lot_id: state}


def settled(lot_ids: Iterable[str], states: Mapping[str, str]) -> str | None:
    """The status the lots end the tender in once each is contracted or cancelled; None before."""
    contracted = [lot_id for lot_id, state in states.items() if state == CONTRACTED]
    cancelled = [lot_id for lot_id, state in states.items() if state == LOT_CANCELLED]
    return settled_status(lot_ids, contracted, cancelled)
