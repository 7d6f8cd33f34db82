"""The whole procurement journey over HTTP, as the council and three providers live it."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from litestar.testing import TestClient

from marketplace.clock import FixedClock
from marketplace.service import Marketplace
from tests.journeys import NATIONAL, RURAL, ok, tendering_journey


def test_a_two_lot_tender_from_publication_to_contracts(
    client: TestClient[Any], market: Marketplace, clock: FixedClock
) -> None:
    journey = tendering_journey(client, market, clock)
    assert len(journey.bids) == 3 and len(set(journey.contracts)) == 2

    # The supplier mix shows where the money went.
    mix = ok(client.get("/supplier-mix"))
    assert (mix["count"], Decimal(mix["value"])) == (2, Decimal("680000"))
    for group in ("sme", "vcse", "micro", "local"):  # the rural befrienders: a local micro VCSE
        assert (mix[group]["count"], mix[group]["share_of_awards"], mix[group]["share_of_value"]) == (
            1,
            "0.5000",
            "0.5588",
        )
    register = ok(client.get("/contracts"))
    assert {c["supplier"] for c in register["items"]} == {RURAL, NATIONAL}
