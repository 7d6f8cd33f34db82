"""A tender's lots as the tendering views keep them: lot id -> the state its events left it in (none: open).

The views move a tender on its lots by the domain's own rule (`lots_status`), never by one of their own.
"""

from __future__ import annotations

from collections.abc import Mapping

from domain.tendering.tender_rules import CONTRACTED, IN_STANDSTILL, LOT_AWARDED, LOT_CANCELLED, lots_status

AWARDED = LOT_AWARDED
__all__ = ["AWARDED", "CONTRACTED", "IN_STANDSTILL", "LOT_CANCELLED", "lots_status", "with_lot"]


def with_lot(states: Mapping[str, str], lot_id: str, state: str) -> dict[str, str]:
    return {**states, lot_id: state}
