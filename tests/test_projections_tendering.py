"""The tendering views are folds of the event log: each shows what its events say, and never sealed content."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest
from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from domain.base import Actor, Role
from domain.organisations.organisation import OrganisationDetails
from domain.tendering import terms
from domain.tendering.procurement import Criterion, Lot
from domain.values import Address, Contact
from marketplace.clock import FixedClock
from marketplace.commands import CommandRequest
from marketplace.organisations.services import Organisations
from marketplace.service import Marketplace
from marketplace.tendering.services import Bids, Contracts, Evaluations, Tenders
from projections.engine import metadata
from projections.tendering.bids import bids
from projections.tendering.contracts import contracts
from projections.tendering.evaluation import evaluations
from projections.tendering.queries import (
    award_notices,
    awards_for_tender,
    bid_ids_for_tender,
    bids_for_tender,
    bids_of_bidder,
    contracts_register,
    evaluation_matrix,
    find_bid,
    find_contract,
    find_tender,
    questions_for,
    search_tenders,
    supplier_mix,
)
from projections.tendering.tenders import tenders
from tests.conftest import COUNCIL

SEALED = "SEALED-RESPONSE-7f3a9c"  # placed in every bid response: no view may ever hold it
OFFICER = CommandRequest(Actor("cathy", COUNCIL, Role.COMMISSIONER))
ASKER = CommandRequest(Actor("quentin-the-asker", "GB-COH-09999999", Role.PROVIDER))
RURAL, NATIONAL, MICRO, SHEFFIELD = "GB-CHC-1234567", "GB-COH-01234567", "GB-COH-00000003", "GB-COH-00000004"
SUPPLIERS = {  # identifier: (size, vcse, postcode)
    RURAL: ("small", True, "SY8 1BB"),
    NATIONAL: ("large", False, "B1 1AA"),
    MICRO: ("micro", False, "TF1 1AA"),
    SHEFFIELD: ("medium", False, "S1 2AA"),
}
CRITERIA = [
    Criterion("price", "Price", "price", 50),
    Criterion("quality", "Quality", "quality", 35),
    Criterion("social", "Social value", "social-value", 15),
]
START = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
DEADLINE = datetime(2026, 4, 1, 12, 0, tzinfo=timezone.utc)
AGREED = {(RURAL, "quality"): 80, (RURAL, "social"): 90, (NATIONAL, "quality"): 60, (NATIONAL, "social"): 40}


def as_provider(identifier: str) -> CommandRequest:
    return CommandRequest(Actor(f"user-at-{identifier}", identifier, Role.PROVIDER))


def as_evaluator(subject: str) -> CommandRequest:
    return CommandRequest(Actor(subject, COUNCIL, Role.COMMISSIONER))


def register(
    market: Marketplace, identifier: str, size: str = "small", vcse: bool = False, postcode: str = "SY1 1AA"
) -> None:
    address, contact = Address("1 High Street", "Town", postcode), Contact("Office", "office@example.org")
    details = OrganisationDetails(identifier, f"Supplier {identifier}", "company", size, vcse, address, contact)
    market.service(Organisations).register(OFFICER, details)


def register_suppliers(market: Marketplace) -> None:
    for identifier, (size, vcse, postcode) in SUPPLIERS.items():
        register(market, identifier, size, vcse, postcode)


def responses() -> dict[str, str]:
    return {"quality": f"Trained staff. {SEALED}", "social": f"Local jobs. {SEALED}"}


def tender_terms(lots: list[Lot], deadline: datetime = DEADLINE, **chosen: Any) -> terms.TenderTerms:
    """A tender's terms: day opportunities in the south-west, unless chosen otherwise."""
    day_opportunities = terms.TenderTerms(
        title="Day opportunities",
        description="Day care in the south-west.",
        category="adult-social-care",
        procedure="open",
        lots=lots,
        criteria=CRITERIA,
        clarification_deadline=deadline - timedelta(days=10),
        tender_deadline=deadline,
    )
    return replace(day_opportunities, **chosen)


def publish(market: Marketplace, lots: list[Lot], deadline: datetime = DEADLINE, **chosen: Any) -> UUID:
    """Draft, revise, assess conflicts and publish a tender; return its id."""
    drafted = tender_terms(lots, deadline, **chosen)
    tender_id = UUID(market.service(Tenders).draft(OFFICER, drafted).aggregate_id)
    market.service(Tenders).revise(OFFICER, tender_id, terms.TermsChange(title=f"{drafted.title} (revised)"))
    market.service(Tenders).assess_conflicts(
        OFFICER, tender_id, terms.ConflictsAssessment(False), "No interests declared"
    )
    market.service(Tenders).publish(OFFICER, tender_id, "Approved by the head of commissioning")
    return tender_id


def offer(prices: dict[str, str]) -> terms.Offer:
    return terms.Offer({lot: Decimal(price) for lot, price in prices.items()}, responses())


def bid(market: Marketplace, tender_id: UUID, bidder: str, prices: dict[str, str]) -> str:
    return market.service(Bids).submit(as_provider(bidder), tender_id, offer(prices)).aggregate_id


def evaluate(market: Marketplace, tender_id: UUID, agreed: dict[tuple[str, str], int]) -> None:
    """Two evaluators score every opened bid (one re-scores); one declares a conflict; moderation agrees `agreed`."""
    for subject in ("eve", "evan", "connie"):
        market.service(Evaluations).assign(OFFICER, tender_id, subject)
    market.service(Evaluations).declare(as_evaluator("eve"), tender_id, False, "No links with any bidder")
    market.service(Evaluations).declare(as_evaluator("evan"), tender_id, False, "No links with any bidder")
    market.service(Evaluations).declare(as_evaluator("connie"), tender_id, True, "My sister works for a bidder")
    with market.views() as session:
        bidders = {row["bidder"]: row["id"] for row in bids_for_tender(session, str(tender_id)) if row["opened"]}
    for (bidder, criterion), score in agreed.items():
        bid_id = bidders[bidder]
        for subject, given, justification in (
            ("eve", score - 10, "First read"),
            ("eve", score, "On reflection"),
            ("evan", score + 2, "Strong answer"),
        ):
            scored = terms.Score(bid_id, criterion, given, justification)
            market.service(Evaluations).score(as_evaluator(subject), tender_id, scored)
        agreed_score = terms.Moderation(bid_id, criterion, score, "Agreed at moderation")
        market.service(Evaluations).moderate(OFFICER, tender_id, agreed_score)


def award_all(market: Marketplace, tender_id: UUID) -> None:
    """Award every lot to the bid the matrix ranks first (the service refuses any other)."""
    with market.views() as session:
        matrix = evaluation_matrix(session, str(tender_id))
    assert matrix is not None
    for lot in matrix["lots"]:
        winner = next(row for row in lot["bids"] if row["rank"] == 1)
        selection = terms.Selection(lot["lot_id"], winner["bid_id"])
        market.service(Tenders).award(OFFICER, tender_id, selection, "Most advantageous tender")


@dataclass
class Journey:
    """One two-lot tender driven from draft to contracts, with the ids a test needs."""

    tender_id: UUID
    bid_ids: dict[str, str] = field(default_factory=dict)
    contract_ids: dict[str, str] = field(default_factory=dict)


def procure(market: Marketplace, clock: FixedClock) -> Journey:
    """Four providers bid; the micro provider withdraws; Sheffield withdraws, resubmits, never reconfirms after
    the amendment and so is not opened; Rural wins both lots; one contract is varied, the other terminated."""
    register_suppliers(market)
    lots = [Lot("1", "Day care", Decimal("300000")), Lot("2", "Respite care", Decimal("200000"))]
    journey = Journey(publish(market, lots))
    tender_id = journey.tender_id
    clock.advance(days=3)
    market.service(Tenders).ask(ASKER, tender_id, "Is transport included?")
    market.service(Tenders).ask(ASKER, tender_id, "May we subcontract?")
    market.service(Tenders).answer(OFFICER, tender_id, "Q1", "Yes: see the specification.")
    clock.advance(days=2)
    journey.bid_ids[RURAL] = bid(market, tender_id, RURAL, {"1": "250000.00", "2": "180000.00"})
    journey.bid_ids[NATIONAL] = bid(market, tender_id, NATIONAL, {"1": "240000.00"})
    journey.bid_ids[MICRO] = bid(market, tender_id, MICRO, {"2": "150000.00"})
    journey.bid_ids[SHEFFIELD] = bid(market, tender_id, SHEFFIELD, {"2": "190000.00"})
    market.service(Bids).withdraw(as_provider(MICRO), UUID(journey.bid_ids[MICRO]))
    market.service(Bids).withdraw(as_provider(SHEFFIELD), UUID(journey.bid_ids[SHEFFIELD]))
    clock.advance(days=1)
    market.service(Bids).replace(as_provider(SHEFFIELD), UUID(journey.bid_ids[SHEFFIELD]), offer({"2": "185000.00"}))
    clock.advance(days=1)
    hours = terms.TermsChange(description="Day care, 9am to 5pm.")
    market.service(Tenders).amend(OFFICER, tender_id, "Clarified the service hours", hours)
    clock.advance(days=1)
    market.service(Bids).reconfirm(as_provider(RURAL), UUID(journey.bid_ids[RURAL]))
    market.service(Bids).replace(as_provider(NATIONAL), UUID(journey.bid_ids[NATIONAL]), offer({"1": "230000.00"}))
    clock.set(DEADLINE + timedelta(hours=1))
    market.service(Tenders).open_bids(OFFICER, tender_id)
    evaluate(market, tender_id, AGREED)
    award_all(market, tender_id)
    clock.set(datetime(2026, 4, 20, 9, 0, tzinfo=timezone.utc))  # after the standstill
    for lot_id in ("1", "2"):
        concluded = terms.ContractTerms(lot_id, date(2026, 5, 1), date(2028, 4, 30), ["Attendance", " "])
        outcome = market.service(Tenders).conclude_contract(OFFICER, tender_id, concluded)
        journey.contract_ids[lot_id] = outcome.aggregate_id
    more = terms.Variation(value=Decimal("260000.00"))
    market.service(Contracts).vary(OFFICER, UUID(journey.contract_ids["1"]), "More sessions", more)
    market.service(Contracts).terminate(
        OFFICER, UUID(journey.contract_ids["2"]), "Provider left the area", date(2027, 1, 31)
    )
    return journey


def utc(moment: datetime) -> datetime:
    """SQLite hands back naive UTC times; PostgreSQL, aware ones in the session's zone."""
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)


def every_value(session: Session, table: Table) -> list[str]:
    return [str(value) for row in session.execute(select(table)) for value in row]


def each_row_folded_every_event_once(session: Session, table: Table) -> bool:
    rows = session.execute(select(table.c.version, table.c.events_folded)).all()
    return bool(rows) and all(version == folded for version, folded in rows)


def test_a_tender_notice_follows_its_tender_from_draft_to_complete(market: Marketplace, clock: FixedClock) -> None:
    journey = procure(market, clock)
    with market.views() as session:
        tender = find_tender(session, str(journey.tender_id))
    assert tender is not None
    assert tender["title"] == "Day opportunities (revised)" and tender["description"] == "Day care, 9am to 5pm."
    assert (tender["status"], tender["amendment"], tender["conflicts_assessed"]) == ("complete", 1, True)
    assert (tender["value"], tender["value_band"], tender["above_threshold"]) == (
        Decimal("500000"),
        "30k-to-threshold",
        False,
    )
    assert tender["lots"] == [
        {"lot_id": "1", "title": "Day care", "value": "300000"},
        {"lot_id": "2", "title": "Respite care", "value": "200000"},
    ]
    assert tender["criteria"][0] == {"key": "price", "kind": "price", "name": "Price", "weight": 50}
    assert tender["lot_states"] == {"1": "contracted", "2": "contracted"}
    assert tender["bid_count"] == 3  # the micro provider withdrew; Sheffield withdrew and resubmitted
    assert (utc(tender["published_at"]), utc(tender["tender_deadline"])) == (START, DEADLINE)


def test_answered_questions_are_published_without_naming_who_asked(market: Marketplace, clock: FixedClock) -> None:
    journey = procure(market, clock)
    with market.views() as session:
        answered = questions_for(session, str(journey.tender_id), answered_only=True)
        every = questions_for(session, str(journey.tender_id), answered_only=False)
        stored = [value for table in metadata.sorted_tables for value in every_value(session, table)]
    assert [(q["question_id"], q["answer"]) for q in answered] == [("Q1", "Yes: see the specification.")]
    assert [(q["question_id"], q["answer"]) for q in every] == [("Q1", "Yes: see the specification."), ("Q2", None)]
    assert "asked_by" not in every[0] and set(every[0]) == {
        "tender_id",
        "question_id",
        "text",
        "answer",
        "asked_at",
        "answered_at",
    }
    assert not [value for value in stored if ASKER.actor.organisation in value or ASKER.actor.subject in value]


def test_bids_show_receipts_opening_and_outcomes(market: Marketplace, clock: FixedClock) -> None:
    journey = procure(market, clock)
    with market.views() as session:
        rural, national, micro, sheffield = (find_bid(session, journey.bid_ids[org]) for org in SUPPLIERS)
        index = bid_ids_for_tender(session, str(journey.tender_id))
    assert rural and national and micro and sheffield
    assert index == sorted(journey.bid_ids.values())
    assert [(b["status"], b["opened"]) for b in (rural, national, micro, sheffield)] == [
        ("submitted", True),
        ("submitted", True),
        ("withdrawn", False),
        ("submitted", False),
    ]
    assert (rural["amendment"], national["amendment"], sheffield["amendment"]) == (
        1,
        1,
        0,
    )  # Sheffield never reconfirmed
    assert rural["reconfirmed_at"] is not None and national["reconfirmed_at"] is None
    assert utc(national["submitted_at"]) == START + timedelta(days=8)  # the receipt of the replacement
    assert rural["outcome"]["1"]["rank"] == 1 and rural["outcome"]["1"]["successful"] is True
    assert national["outcome"] == {
        "1": {
            "rank": 2,
            "total": "77.00",
            "successful": False,
            "scores": {"price": "50.00", "quality": "21.00", "social": "6.00"},
        }
    }
    assert rural["outcome"]["2"] == {
        "rank": 1,
        "total": "91.50",
        "successful": True,
        "scores": {"price": "50.00", "quality": "28.00", "social": "13.50"},
    }
    assert micro["outcome"] == {} and sheffield["outcome"] == {}


def test_a_provider_pages_through_its_own_bids(market: Marketplace, clock: FixedClock) -> None:
    register_suppliers(market)
    tender_ids = [publish(market, [Lot("1", "Lot", Decimal("50000"))], title=f"Tender {n}") for n in range(3)]
    for tender_id in tender_ids:
        bid(market, tender_id, RURAL, {"1": "40000.00"})
    bid(market, tender_ids[0], NATIONAL, {"1": "41000.00"})
    with market.views() as session:
        first, cursor = bids_of_bidder(session, RURAL, limit=2)
        rest, end = bids_of_bidder(session, RURAL, cursor=cursor, limit=2)
    assert [row["tender_id"] for row in first + rest] == sorted(str(t) for t in tender_ids)
    assert cursor is not None and end is None


def test_the_evaluation_matrix_ranks_bids_as_the_award_recorded(market: Marketplace, clock: FixedClock) -> None:
    journey = procure(market, clock)
    with market.views() as session:
        matrix = evaluation_matrix(session, str(journey.tender_id))
        outcomes = {row["id"]: row["outcome"] for row in bids_for_tender(session, str(journey.tender_id))}
    assert matrix is not None
    assert [c["key"] for c in matrix["criteria"]] == ["price", "quality", "social"]
    assert {e["evaluator"]: e["state"] for e in matrix["evaluators"]} == {
        "connie": "conflict",
        "eve": "no-conflict",
        "evan": "no-conflict",
    }
    lot_1 = next(lot for lot in matrix["lots"] if lot["lot_id"] == "1")
    assert lot_1["moderation_complete"] and [row["bidder"] for row in lot_1["bids"]] == [RURAL, NATIONAL]
    top = lot_1["bids"][0]
    assert top["price"] == Decimal("250000.00") and top["scores"]["quality"]["agreed"]["score"] == 80
    assert [(s["evaluator"], s["score"]) for s in top["scores"]["quality"]["evaluators"]] == [("evan", 82), ("eve", 80)]
    assert "price" not in top["scores"]
    for lot in matrix["lots"]:
        for row in lot["bids"]:
            recorded = outcomes[row["bid_id"]][lot["lot_id"]]
            assert (str(row["total"]), row["rank"]) == (recorded["total"], recorded["rank"])
            assert {k: str(v) for k, v in row["weighted"].items()} == recorded["scores"]


def test_the_matrix_totals_nothing_until_moderation_is_complete(market: Marketplace, clock: FixedClock) -> None:
    register_suppliers(market)
    tender_id, unopened = (publish(market, [Lot("1", "Lot", Decimal("50000"))]) for _ in range(2))
    bid(market, tender_id, RURAL, {"1": "40000.00"})
    bid(market, tender_id, NATIONAL, {"1": "20000.00"})
    clock.set(DEADLINE + timedelta(minutes=1))
    market.service(Tenders).open_bids(OFFICER, tender_id)
    evaluate(market, tender_id, {(RURAL, "quality"): 70, (RURAL, "social"): 50, (NATIONAL, "quality"): 30})
    with market.views() as session:
        matrix = evaluation_matrix(session, str(tender_id))
        before_opening = evaluation_matrix(session, str(unopened))
    assert matrix is not None and before_opening is None
    (lot,) = matrix["lots"]
    rural, national = sorted(lot["bids"], key=lambda row: row["bidder"] != RURAL)
    assert not lot["moderation_complete"] and rural["rank"] is None
    assert rural["total"] == Decimal("25.00") + Decimal("24.50") + Decimal("7.50")
    assert national["total"] is None and national["weighted"] == {
        "price": Decimal("50.00"),
        "quality": Decimal("10.50"),
        "social": None,
    }
    assert national["scores"]["social"] == {"evaluators": [], "agreed": None}


def test_award_notices_and_the_contract_register_follow_awards_variations_and_endings(
    market: Marketplace, clock: FixedClock
) -> None:
    journey = procure(market, clock)
    with market.views() as session:
        notices, cursor = award_notices(session, limit=1)
        more, end = award_notices(session, cursor=cursor, limit=1)
        by_tender = awards_for_tender(session, str(journey.tender_id))
        varied, ended = (find_contract(session, journey.contract_ids[lot]) for lot in ("1", "2"))
        active, _ = contracts_register(session, status="active")
        of_rural, _ = contracts_register(session, supplier=RURAL)
    assert notices + more == by_tender and end is None
    assert [(a["lot_id"], a["supplier_identifier"], a["value"]) for a in by_tender] == [
        ("1", RURAL, Decimal("250000.00")),
        ("2", RURAL, Decimal("180000.00")),
    ]
    assert by_tender[0]["standstill_ends"] == date(2026, 4, 15) and by_tender[0]["reason"] == "Most advantageous tender"
    assert [a["contract_id"] for a in by_tender] == [journey.contract_ids["1"], journey.contract_ids["2"]]
    assert varied and ended
    assert (varied["value"], varied["status"], varied["kpis"], varied["supplier_district"]) == (
        Decimal("260000.00"),
        "active",
        ["Attendance"],
        "SY8",
    )
    assert (ended["status"], ended["ended_on"], ended["ended_reason"]) == (
        "terminated",
        date(2027, 1, 31),
        "Provider left the area",
    )
    assert [c["id"] for c in active] == [journey.contract_ids["1"]] and len(of_rural) == 2


def test_rebuilding_gives_the_checksums_of_incremental_folding(market: Marketplace, clock: FixedClock) -> None:
    procure(market, clock)
    incremental = market.projector.checksums()
    assert market.projector.rebuild() == incremental  # whole log in one batch
    market.projector.batch_size = 3
    assert market.projector.rebuild() == incremental  # a command's events split across batches
    with market.views() as session:
        for table in (tenders, bids, evaluations, contracts):
            assert each_row_folded_every_event_once(session, table), table.name


def test_no_view_holds_what_a_bid_says(market: Marketplace, clock: FixedClock) -> None:
    tender_id = publish(market, [Lot("1", "Lot", Decimal("50000"))])
    register(market, "GB-COH-07777777")
    bid(market, tender_id, "GB-COH-07777777", {"1": "43210.98"})
    with market.views() as session:
        sealed = [v for t in metadata.sorted_tables for v in every_value(session, t) if "43210.98" in v]
    assert sealed == []  # prices are sealed until opening
    procure(market, clock)
    with market.views() as session:
        for table in metadata.sorted_tables:
            assert not [value for value in every_value(session, table) if SEALED in value], table.name


def test_supplier_mix_counts_awards_to_smes_vcses_micro_and_local_suppliers(
    market: Marketplace, clock: FixedClock
) -> None:
    with market.views() as session:
        empty = supplier_mix(session)
    register_suppliers(market)
    values = {RURAL: "10000.00", NATIONAL: "30000.00", MICRO: "5000.00", SHEFFIELD: "15000.00"}
    lots = [Lot(f"lot-{n}", f"Lot {n}", Decimal(value)) for n, value in enumerate(values.values())]
    tender_id = publish(market, lots, category="other-services", procedure="below-threshold-quotation")
    for n, (bidder, value) in enumerate(values.items()):
        bid(market, tender_id, bidder, {f"lot-{n}": value})
    clock.set(DEADLINE + timedelta(minutes=1))
    market.service(Tenders).open_bids(OFFICER, tender_id)
    evaluate(market, tender_id, {(bidder, key): 50 for bidder in values for key in ("quality", "social")})
    award_all(market, tender_id)
    with market.views() as session:
        mix, sheffield_local = supplier_mix(session), supplier_mix(session, local_prefixes=("S",))
    assert empty["count"] == 0 and empty["sme"] == {
        "count": 0,
        "value": "0.00",
        "share_of_awards": "0.0000",
        "share_of_value": "0.0000",
    }
    assert (mix["count"], mix["value"]) == (4, "60000.00")
    assert mix["sme"] == {"count": 3, "value": "30000.00", "share_of_awards": "0.7500", "share_of_value": "0.5000"}
    assert mix["vcse"] == {"count": 1, "value": "10000.00", "share_of_awards": "0.2500", "share_of_value": "0.1667"}
    assert mix["micro"] == {"count": 1, "value": "5000.00", "share_of_awards": "0.2500", "share_of_value": "0.0833"}
    assert mix["local"] == {"count": 2, "value": "15000.00", "share_of_awards": "0.5000", "share_of_value": "0.2500"}
    assert sheffield_local["local"]["count"] == 1  # S matches S1 but not SY8 or TF1: the letters, not a prefix


def test_tenders_are_searched_by_status_category_band_and_deadline_a_page_at_a_time(
    market: Marketplace, clock: FixedClock
) -> None:
    small = [Lot("1", "Lot", Decimal("20000"))]
    ids = [
        publish(
            market,
            small,
            deadline=DEADLINE + timedelta(days=n),
            category="other-services",
            procedure="below-threshold-quotation",
        )
        for n in (3, 1, 2)
    ]
    big = publish(market, [Lot("1", "Lot", Decimal("900000"))], category="facilities-management")
    unpublished = tender_terms(
        small,
        title="Draft",
        description="Not yet",
        category="goods",
        clarification_deadline=DEADLINE - timedelta(days=9),
    )
    draft = market.service(Tenders).draft(OFFICER, unpublished)
    with market.views() as session:
        first, cursor = search_tenders(session, statuses=["tendering"], limit=2)
        rest, end = search_tenders(session, statuses=["tendering"], cursor=cursor, limit=2)
        every, _ = search_tenders(session, statuses=None)
        under, _ = search_tenders(session, statuses=["tendering"], value_band="under-30k", category="other-services")
        above, _ = search_tenders(session, statuses=["tendering"], value_band="above-threshold")
        later, _ = search_tenders(
            session,
            statuses=None,
            deadline_after=DEADLINE + timedelta(hours=1),
            deadline_before=DEADLINE + timedelta(days=3),
        )
    in_deadline_order = [str(big), str(ids[1]), str(ids[2]), str(ids[0])]
    assert [row["id"] for row in first + rest] == in_deadline_order and end is None
    assert draft.aggregate_id in {row["id"] for row in every} and len(every) == 5
    assert [row["id"] for row in under] == in_deadline_order[1:]
    assert [row["id"] for row in above] == [str(big)]
    assert [row["id"] for row in later] == [str(ids[1]), str(ids[2])]


def test_a_tender_whose_lots_are_all_cancelled_is_cancelled(market: Marketplace) -> None:
    tender_id = publish(market, [Lot("1", "Lot", Decimal("20000")), Lot("2", "Lot", Decimal("20000"))])
    market.service(Tenders).cancel_lot(OFFICER, tender_id, "1", "No longer needed")
    with market.views() as session:
        one_left = find_tender(session, str(tender_id))
    market.service(Tenders).cancel_lot(OFFICER, tender_id, "2", "No longer needed")
    with market.views() as session:
        none_left = find_tender(session, str(tender_id))
    assert one_left and (one_left["status"], one_left["lot_states"]) == ("tendering", {"1": "cancelled"})
    assert none_left and (none_left["status"], none_left["version"], none_left["events_folded"]) == ("cancelled", 6, 6)


@pytest.mark.parametrize("answered_only", [True, False])
def test_a_tender_without_questions_has_none(market: Marketplace, answered_only: bool) -> None:
    tender_id = publish(market, [Lot("1", "Lot", Decimal("20000"))], category="goods")
    with market.views() as session:
        assert questions_for(session, str(tender_id), answered_only) == []
