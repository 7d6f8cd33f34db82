"""Tender outcomes a provider and a bidder can read: standstill and awarded tenders, a provider's own bids with
their tenders and outcomes, assessment summaries beside the most advantageous tender's (PA2023 s.50), and the CSV
exports of contracts and awards."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta
from typing import Any, NamedTuple
from uuid import uuid4

import pytest
from litestar.testing import TestClient

from api.tendering import contracts as contract_routes
from domain.base import Role
from domain.rules import DomainError
from domain.tendering.tender_rules import lots_status
from domain.working_days import UK, add_working_days
from marketplace.clock import FixedClock
from marketplace.scheduler import tick
from marketplace.service import Marketplace
from tests.conftest import bearer
from tests.journeys import (
    NATIONAL,
    OFFICER,
    RURAL,
    SEVERN,
    evaluate,
    offer,
    ok,
    provider,
    publish_tender,
    register_the_market,
)
from tests.tendering_fixtures import (
    AFTER_DEADLINE,
    AWARDED_AT,
    TENDER_DEADLINE,
    award,
    bid_on,
    in_evaluation,
    officer,
    published,
)
from tests.tendering_fixtures import provider as provider_ctx

# --- the tender's status on its lots (the domain's rule) ----------------------------------------------------------


@pytest.mark.parametrize(
    ("states", "status"),
    [
        ({"1": "standstill"}, None),
        ({"1": "standstill", "2": "awarded"}, "standstill"),
        ({"1": "awarded", "2": "cancelled"}, "awarded"),
        ({"1": "contracted", "2": "standstill"}, "standstill"),
        ({"1": "contracted", "2": "awarded"}, "awarded"),
        ({"1": "contracted", "2": "cancelled"}, "complete"),
        ({"1": "cancelled", "2": "cancelled"}, "cancelled"),
    ],
)
def test_a_tender_moves_on_its_lots_only_once_every_lot_is_decided(states: dict[str, str], status: str | None) -> None:
    assert lots_status(["1", "2"], states) == status


def _last_day_passed(tender: Any, lot_id: str = "1") -> datetime:
    last_day = tender.awards[lot_id].standstill_ends
    return datetime.combine(last_day + timedelta(days=1), datetime.min.time(), UK)


def test_a_tender_is_in_standstill_once_every_lot_is_awarded_then_awarded_when_the_clock_ends_it() -> None:
    tender = in_evaluation()
    award(tender, "1")
    assert tender.status == "evaluation"  # lot 2 is still open
    award(tender, "2")
    assert tender.status == "standstill"
    with pytest.raises(DomainError, match="standstill period runs to the end of"):
        tender.end_standstill(officer(AWARDED_AT + timedelta(days=1)), "1")
    ended = _last_day_passed(tender)
    tender.end_standstill(officer(ended), "1")
    assert tender.status == "standstill"  # lot 2's still runs
    tender.end_standstill(officer(ended), "2")
    assert tender.status == "awarded"
    with pytest.raises(DomainError, match="no standstill running") as twice:
        tender.end_standstill(officer(ended), "2")
    assert twice.value.field == "lot_id"
    for lot_id in ("1", "2"):
        tender.conclude_contract(officer(ended), lot_id, uuid4())
    assert tender.status == "complete"


def test_awards_without_standstill_make_the_tender_awarded_at_once() -> None:
    tender = in_evaluation()
    award(tender, "1", voluntary_standstill=False)
    tender.cancel_lot(officer(AWARDED_AT), "2", "No compliant bid for respite care")
    assert tender.status == "awarded"
    with pytest.raises(DomainError, match="no standstill running"):
        tender.end_standstill(officer(AWARDED_AT), "1")


def test_a_tender_in_standstill_may_still_be_cancelled_and_its_standstill_then_ends_nothing() -> None:
    tender = in_evaluation()
    award(tender, "1")
    award(tender, "2")
    tender.cancel(officer(AWARDED_AT), "Supplier's insurance lapsed; re-procuring")
    assert tender.status == "cancelled"
    with pytest.raises(DomainError, match="no standstill running"):
        tender.end_standstill(officer(_last_day_passed(tender)), "1")


# --- what a refusal says ------------------------------------------------------------------------------------------


def test_opening_the_bids_twice_says_they_are_already_being_evaluated() -> None:
    with pytest.raises(DomainError) as refused:
        in_evaluation().open_bids(officer(AFTER_DEADLINE), [])
    assert refused.value.message == "Cannot open the bids: the bids are opened and being evaluated."


def test_a_withdrawal_after_the_deadline_says_the_bids_are_fixed() -> None:
    tender = published()
    bid = bid_on(tender)
    with pytest.raises(DomainError) as refused:
        bid.withdraw(provider_ctx(TENDER_DEADLINE), tender)
    assert refused.value.message.startswith("Cannot withdraw the bid: the tender deadline passed at ")
    assert refused.value.message.endswith("and bids are now fixed.")


# --- over HTTP ----------------------------------------------------------------------------------------------------


class Awarded(NamedTuple):
    path: str
    bids: dict[str, str]  # bidder -> bid id


def _bid(client: TestClient[Any], path: str, org: str, prices: dict[str, str]) -> str:
    return str(ok(client.post(f"{path}/bids", json=offer(prices), headers=provider(org)), 201)["id"])


def _open_and_evaluate(client: TestClient[Any], clock: FixedClock, path: str, bids: dict[str, str]) -> None:
    clock.advance(days=30, seconds=1)
    ok(client.post(f"{path}/open-bids", headers=OFFICER))
    evaluate(client, path, bids, quality={RURAL: 80, SEVERN: 60, NATIONAL: 70})


def _award(client: TestClient[Any], path: str, lot_id: str, bid_id: str, reason: str = "Most advantageous") -> None:
    ok(client.post(f"{path}/award", json={"lot_id": lot_id, "bid_id": bid_id, "reason": reason}, headers=OFFICER))


def three_bid_tender(client: TestClient[Any], clock: FixedClock) -> Awarded:
    """Three bids on the north lot, one also on the south; opened and evaluated, nothing yet awarded."""
    register_the_market(client)
    path = f"/tenders/{publish_tender(client, clock)}"
    bids = {
        RURAL: _bid(client, path, RURAL, {"north": "380000"}),
        SEVERN: _bid(client, path, SEVERN, {"north": "365000"}),
        NATIONAL: _bid(client, path, NATIONAL, {"north": "390000", "south": "300000"}),
    }
    _open_and_evaluate(client, clock, path, bids)
    return Awarded(path, bids)


def test_the_tender_reads_standstill_then_awarded_by_the_clock_and_lists_by_those_statuses(
    client: TestClient[Any], market: Marketplace, clock: FixedClock
) -> None:
    tender = three_bid_tender(client, clock)
    _award(client, tender.path, "north", tender.bids[RURAL])
    assert ok(client.get(tender.path))["status"] == "evaluation"
    _award(client, tender.path, "south", tender.bids[NATIONAL])
    tender_id = tender.path.rsplit("/", 1)[1]
    assert ok(client.get(tender.path))["status"] == "standstill"
    assert [t["id"] for t in ok(client.get("/tenders?status=standstill"))["items"]] == [tender_id]
    assert tick(market)["standstill ended"] == 0  # its last day has not passed
    last_day = add_working_days(clock.now().date(), 8)
    clock.advance(days=(last_day - clock.now().date()).days + 1)
    assert tick(market)["standstill ended"] == 2
    assert ok(client.get(tender.path))["status"] == "awarded"
    assert ok(client.get("/tenders?status=standstill"))["items"] == []
    assert [t["id"] for t in ok(client.get("/tenders?status=awarded"))["items"]] == [tender_id]
    assert tick(market)["standstill ended"] == 0  # recorded once
    history = ok(client.get(f"/audit/tender/{tender_id}/history", headers=bearer(Role.AUDITOR)))
    assert [e["event_type"] for e in history].count("Tender.StandstillEnded") == 2
    contract = {"lot_id": "north", "start": "2026-06-01", "end": "2028-05-31", "kpis": ["90% attendance"]}
    ok(client.post(f"{tender.path}/contracts", json=contract, headers=OFFICER), 201)
    ok(client.post(f"{tender.path}/contracts", json=dict(contract, lot_id="south"), headers=OFFICER), 201)
    assert ok(client.get(tender.path))["status"] == "complete"


def _mine(client: TestClient[Any], org: str) -> dict[str, Any]:
    return dict(ok(client.get("/bids", headers=provider(org))))


def test_a_providers_bids_name_their_tender_stay_sealed_until_opened_and_say_when_to_reconfirm(
    client: TestClient[Any], clock: FixedClock
) -> None:
    register_the_market(client)
    path = f"/tenders/{publish_tender(client, clock)}"
    tender = ok(client.get(path))
    submitted = ok(client.post(f"{path}/bids", json=offer({"north": "380000"}), headers=provider(RURAL)), 201)
    assert submitted["reconfirm_needed"] is False
    mine = _mine(client, RURAL)
    assert mine["sealed"] is True and mine["count"] == 1
    (bid,) = mine["items"]
    assert (bid["id"], bid["tender_title"], bid["tender_deadline"]) == (
        submitted["id"],
        tender["title"],
        tender["tender_deadline"],
    )
    assert (bid["sealed"], bid["reconfirm_needed"], bid["outcomes"]) == (True, False, [])
    assert "prices" not in str(mine) and "Trained staff" not in str(mine)

    amended = {"reason": "Transport now included", "description": "Day opportunities, transport included."}
    ok(client.post(f"{path}/amend", json=amended, headers=OFFICER))
    assert _mine(client, RURAL)["items"][0]["reconfirm_needed"] is True
    read = ok(client.get(f"/bids/{submitted['id']}", headers=provider(RURAL)))
    assert read["receipt"]["reconfirm_needed"] is True
    reconfirmed = ok(client.post(f"/bids/{submitted['id']}/reconfirm", headers=provider(RURAL)))
    assert reconfirmed["reconfirm_needed"] is False
    assert _mine(client, RURAL)["items"][0]["reconfirm_needed"] is False
    assert _mine(client, SEVERN) == {"sealed": False, "count": 0, "items": [], "next_cursor": None}


def test_a_providers_bids_show_each_lot_pending_once_opened_then_its_outcome_and_standstill(
    client: TestClient[Any], clock: FixedClock
) -> None:
    tender = three_bid_tender(client, clock)
    mine = _mine(client, NATIONAL)
    assert mine["sealed"] is False and mine["items"][0]["sealed"] is False
    assert mine["items"][0]["outcomes"] == [
        {"lot_id": "north", "outcome": "pending"},
        {"lot_id": "south", "outcome": "pending"},
    ]
    _award(client, tender.path, "north", tender.bids[RURAL])
    ends = add_working_days(clock.now().date(), 8).isoformat()
    assert _mine(client, NATIONAL)["items"][0]["outcomes"] == [
        {"lot_id": "north", "outcome": "unsuccessful", "standstill_ends": ends},
        {"lot_id": "south", "outcome": "pending"},
    ]
    assert _mine(client, RURAL)["items"][0]["outcomes"] == [
        {"lot_id": "north", "outcome": "awarded", "standstill_ends": ends}
    ]
    ok(client.post(f"{tender.path}/lots/south/cancel", json={"reason": "Budget withdrawn"}, headers=OFFICER))
    assert _mine(client, NATIONAL)["items"][0]["outcomes"][1] == {"lot_id": "south", "outcome": "cancelled"}


def test_an_unsuccessful_bidder_is_told_the_most_advantageous_tenders_scores_and_no_other_bidders(
    client: TestClient[Any], clock: FixedClock
) -> None:
    tender = three_bid_tender(client, clock)
    before = ok(client.get(f"/bids/{tender.bids[SEVERN]}", headers=provider(SEVERN)))
    assert before.get("outcome") is None  # nothing is told before the award decision
    _award(client, tender.path, "north", tender.bids[RURAL])
    won = ok(client.get(f"/bids/{tender.bids[RURAL]}", headers=provider(RURAL)))["outcome"]["north"]
    assert won["successful"] is True and "most_advantageous" not in won  # the winner is told its own

    told = ok(client.get(f"/bids/{tender.bids[SEVERN]}", headers=provider(SEVERN)))["outcome"]["north"]
    assert told["successful"] is False
    assert told["most_advantageous"] == {
        "supplier_name": "Rural Befrienders",
        "scores": won["scores"],
        "total": won["total"],
    }
    assert told["scores"] != won["scores"] and set(told) == {
        "rank",
        "total",
        "scores",
        "successful",
        "most_advantageous",
    }
    third = ok(client.get(f"/bids/{tender.bids[NATIONAL]}", headers=provider(NATIONAL)))["outcome"]["north"]
    assert {third["rank"], told["rank"]} == {2, 3}
    assert third["total"] not in str(told) and third["total"] not in (told["total"], won["total"])
    assert third["most_advantageous"] == told["most_advantageous"]  # every unsuccessful bidder, the same winner
    assert "380000" not in str(told) and "Trained staff" not in str(told)  # scores only: no price, no response
    refused = client.get(f"/bids/{tender.bids[SEVERN]}", headers=provider(NATIONAL))
    assert refused.status_code in (403, 404)


def _rows(response: Any) -> list[list[str]]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    return list(csv.reader(io.StringIO(response.text)))


def test_contracts_and_awards_export_as_csv_with_the_lists_fields_a_page_at_a_time_formula_safe(
    client: TestClient[Any], market: Marketplace, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    tender = three_bid_tender(client, clock)
    _award(client, tender.path, "north", tender.bids[RURAL], reason='=HYPERLINK("http://x") best quality')
    _award(client, tender.path, "south", tender.bids[NATIONAL])
    clock.advance(days=20)
    contract = {"lot_id": "north", "start": "2026-06-01", "end": "2028-05-31", "kpis": ["@once a week", "90%"]}
    ok(client.post(f"{tender.path}/contracts", json=contract, headers=OFFICER), 201)
    ok(client.post(f"{tender.path}/contracts", json=dict(contract, lot_id="south"), headers=OFFICER), 201)
    monkeypatch.setattr(contract_routes, "EXPORT_PAGE", 1)  # one row a query: every page is read in turn

    awards = _rows(client.get("/awards.csv"))
    listed = ok(client.get("/awards"))["items"]
    assert awards[0] == list(listed[0]) and len(awards) == 1 + len(listed) == 3
    by_lot = {row[awards[0].index("lot_id")]: dict(zip(awards[0], row, strict=True)) for row in awards[1:]}
    assert by_lot["north"]["reason"] == '\'=HYPERLINK("http://x") best quality'
    assert by_lot["south"]["supplier"] == NATIONAL

    contracts = _rows(client.get("/contracts.csv"))
    register = ok(client.get("/contracts"))["items"]
    assert contracts[0] == list(register[0]) and len(contracts) == 3
    first = dict(zip(contracts[0], contracts[1], strict=True))
    assert first["kpis"] == "'@once a week; 90%" and first["id"] == register[0]["id"]
    assert first["value"] == register[0]["value"]
    only = _rows(client.get(f"/contracts.csv?supplier={RURAL}"))
    assert [row[contracts[0].index("supplier")] for row in only[1:]] == [RURAL]
    refused = client.get("/contracts.csv?status=nonsense")
    assert refused.status_code == 400 and "status" in refused.text


def test_a_tender_whose_standstill_the_clock_has_not_yet_ended_reads_standstill_through_a_rebuild_until_the_tick(
    client: TestClient[Any], market: Marketplace, clock: FixedClock
) -> None:
    """As a tender awarded before the clock recorded standstills does: its events end with the awards."""
    tender = three_bid_tender(client, clock)
    _award(client, tender.path, "north", tender.bids[RURAL])
    _award(client, tender.path, "south", tender.bids[NATIONAL])
    clock.advance(days=20)  # long past the standstill, and nothing has recorded its end
    assert ok(client.get(tender.path))["status"] == "standstill"
    before = market.projector.checksums()
    assert market.projector.rebuild() == before
    assert ok(client.get(tender.path))["status"] == "standstill"
    assert tick(market)["standstill ended"] == 2
    assert ok(client.get(tender.path))["status"] == "awarded"
