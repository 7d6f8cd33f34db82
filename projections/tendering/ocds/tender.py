"""A tender's events: the tender section, the state each event leaves, and the releases they publish."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any

from domain.tendering.procurement import Category, Procedure
from domain.tendering.tender import TERMS, Tender
from projections.aggregate_rows import bumped, first_row, versioned
from projections.batch import Fold, Folds, Row, Touched, plain
from projections.tendering.lots import AWARDED, CONTRACTED, lots_status, with_lot
from projections.tendering.ocds.release import Published, publish, reference
from projections.tendering.ocds.tables import (
    CANCELLED,
    DRAFT,
    LOT_STATUS,
    PUBLISHED,
    REMOVED,
    TENDER_STATUS,
    ocds_bids,
    ocds_tenders,
)
from projections.tendering.ocds.values import CATEGORIES, METHODS, SUPPLIER_ROLES, award_id, money, stamp

# --- the tender section -------------------------------------------------------------------------------


def _terms(terms: dict[str, Any]) -> Row:
    return {name: stamp(value) if isinstance(value, datetime) else plain(value) for name, value in terms.items()}


def tender_status(row: Row) -> str:
    """As the lots extension advises: active while any lot is open; then as the domain's rule settles it."""
    if row["state"] == CANCELLED:
        return "cancelled"
    return TENDER_STATUS[lots_status((lot["lot_id"] for lot in row["terms"]["lots"]), row["lots"])]


def _lots(row: Row) -> list[Row]:
    """The current lots, and lots an amendment removed (as cancelled: merging by id would keep them otherwise)."""
    current = [
        {
            "id": lot["lot_id"],
            "title": lot["title"],
            "value": money(lot["value"]),
            "status": LOT_STATUS[row["lots"].get(lot["lot_id"])],
        }
        for lot in row["terms"]["lots"]
    ]
    removed = [
        {"id": lot_id, "status": "cancelled"} for lot_id, state in sorted(row["lots"].items()) if state == REMOVED
    ]
    return current + removed


def tender_section(touched: Touched, row: Row) -> Row:
    terms = row["terms"]
    method, method_details = METHODS[Procedure(terms["procedure"])]
    criteria = "; ".join(f"{c['name']} ({c['kind']}): {c['weight']}%" for c in terms["criteria"])
    section: Row = {
        "id": row["id"],
        "title": terms["title"],
        "description": terms["description"],
        "status": tender_status(row),
        "procuringEntity": reference(row["buyer"]),
        "value": money(sum((Decimal(lot["value"]) for lot in terms["lots"]), Decimal(0))),
        "procurementMethod": method,
        "procurementMethodDetails": method_details,
        "mainProcurementCategory": CATEGORIES.get(Category(terms["category"]), "services"),
        "awardCriteria": "ratedCriteria",
        "awardCriteriaDetails": criteria,
        "submissionMethod": ["electronicSubmission"],
        "tenderPeriod": {"startDate": row["published_at"], "endDate": terms["tender_deadline"]},
        "enquiryPeriod": {"startDate": row["published_at"], "endDate": terms["clarification_deadline"]},
        "hasEnquiries": bool(row["enquiries"]),
        "lots": _lots(row),
    }
    if row["amendments"]:
        section["amendments"] = row["amendments"]
    return section


def lot_title(row: Row, lot_id: str) -> str:
    return next((str(lot["title"]) for lot in row["terms"]["lots"] if lot["lot_id"] == lot_id), lot_id)


# --- tender events: the state they leave, and what they publish ---------------------------------------


def _drafted(event: Tender.Drafted) -> Row:
    """The service the tender procures, when it names one, is kept with its terms (no revision changes it)."""
    named = {"service": event.service} if event.service else {}  # tenders naming none keep the rows they had
    return {
        "id": str(event.originator_id),
        "buyer": event.buyer,
        "state": DRAFT,
        "published_at": None,
        "terms": {**_terms({name: getattr(event, name) for name in TERMS}), **named},
        "enquiries": 0,
        "amendments": [],
        "lots": {},
        "releases": 0,
        "events_folded": 0,
    }


def _amended(row: Row, event: Tender.Amended) -> Row:
    """New terms; lots the amendment removed stay listed as cancelled, and a lot it brings back is open."""
    terms = {**row["terms"], **_terms(event.terms)}
    now = {lot["lot_id"] for lot in terms["lots"]}
    lots = {lot_id: state for lot_id, state in row["lots"].items() if not (state == REMOVED and lot_id in now)}
    lots.update({lot["lot_id"]: REMOVED for lot in row["terms"]["lots"] if lot["lot_id"] not in now})
    changed = ", ".join(name.replace("_", " ") for name in sorted(event.terms))
    amendment = {
        "id": str(event.amendment),
        "date": stamp(event.timestamp),
        "rationale": event.reason,
        "description": f"Changed: {changed}.",
    }
    return {**row, "terms": terms, "lots": lots, "amendments": [*row["amendments"], amendment]}


def _cancelled(row: Row, event: Tender.Cancelled) -> Row:
    lots = {lot["lot_id"]: CANCELLED for lot in row["terms"]["lots"] if row["lots"].get(lot["lot_id"]) != CONTRACTED}
    return {**row, "state": CANCELLED, "lots": {**row["lots"], **lots}}


def _published(row: Row, event: Tender.Published) -> Row:
    return {**row, "state": PUBLISHED, "published_at": stamp(event.timestamp)}


def lot_now(row: Row, lot_id: str, state: str) -> Row:
    return {**row, "lots": with_lot(row["lots"], lot_id, state)}


def _tender_notice(touched: Touched, before: Row, row: Row, event: Any) -> Published:
    """A tender naming a service in the council's register is a planning release too: its `planning` names the
    service by id here; the service's name, and the challenges the procurement answers, are filled in when served
    (marketplace/tendering/ocds_planning.py)."""
    service = row["terms"].get("service")
    if not service:
        return Published(["tender"], {"tender": tender_section(touched, row)})
    planning = {"budget": {"projectID": service}}
    return Published(["tender", "planning"], {"planning": planning, "tender": tender_section(touched, row)})


def _amendment(touched: Touched, before: Row, row: Row, event: Any) -> Published:
    return Published(["tenderAmendment"], {"tender": tender_section(touched, row)})


def _answered(touched: Touched, before: Row, row: Row, event: Any) -> Published:
    return Published(["tenderUpdate"], {"tender": {"id": row["id"], "hasEnquiries": True}})


def _opened(touched: Touched, before: Row, row: Row, event: Tender.BidsOpened) -> Published:
    """Bids opened: now the tenderers (the bidders whose bids were opened) may be named."""
    bids = touched[ocds_bids.name]
    tenderers = sorted({bids[bid_id]["bidder"] for bid_id in event.bid_ids})
    tender = {
        "id": row["id"],
        "numberOfTenderers": len(tenderers),
        "tenderers": [reference(identifier) for identifier in tenderers],
        "awardPeriod": {"startDate": stamp(event.timestamp)},
    }
    return Published(["tenderUpdate"], {"tender": tender}, dict.fromkeys(tenderers, frozenset({"tenderer"})))


def _awarded(touched: Touched, before: Row, row: Row, event: Tender.Awarded) -> Published:
    """Pending during standstill (the award is not yet in force), active at once when none applies."""
    award, supplier = event.award, event.award.supplier
    entry = {
        "id": award_id(award.lot_id),
        "title": lot_title(row, award.lot_id),
        "description": event.reason,
        "status": "pending" if award.standstill_ends else "active",
        "date": stamp(award.decided_at),
        "value": money(award.value),
        "suppliers": [{"id": supplier.identifier, "name": supplier.name}],
        "relatedLots": [award.lot_id],
    }
    return Published(["award"], {"awards": [entry]}, {supplier.identifier: SUPPLIER_ROLES})


def _standstill_ended(touched: Touched, before: Row, row: Row, event: Tender.StandstillEnded) -> Published:
    """The standstill is over: the award, pending until now, is in force."""
    return Published(["awardUpdate"], {"awards": [{"id": award_id(event.lot_id), "status": "active"}]})


def _lot_cancelled(touched: Touched, before: Row, row: Row, event: Tender.LotCancelled) -> Published:
    status = tender_status(row)
    tender = {"id": row["id"], "status": status, "lots": [{"id": event.lot_id, "status": "cancelled"}]}
    return Published(["tenderCancellation" if status == "cancelled" else "tenderUpdate"], {"tender": tender})


def _tender_cancelled(touched: Touched, before: Row, row: Row, event: Any) -> Published:
    """Awards still in standstill fall with the tender."""
    pending = sorted(lot_id for lot_id, state in before["lots"].items() if state == AWARDED)
    lots = [{"id": lot["lot_id"], "status": LOT_STATUS[row["lots"].get(lot["lot_id"])]} for lot in row["terms"]["lots"]]
    sections: Row = {"tender": {"id": row["id"], "status": "cancelled", "lots": lots}}
    if pending:
        sections["awards"] = [{"id": award_id(lot_id), "status": "cancelled"} for lot_id in pending]
    return Published(["tenderCancellation", "awardCancellation"] if pending else ["tenderCancellation"], sections)


State = Callable[[Row, Any], Row]  # the tender's state after one of its events
Publisher = Callable[[Touched, Row, Row, Any], Published]  # what the event publishes: given the state before, after


def tender_fold(state: State = lambda row, event: row, publisher: Publisher | None = None) -> Fold:
    """A fold of a tender's later event: the state it leaves and, once published (no draft appears), its release."""

    def fold(touched: Touched, event: Any) -> None:
        rows = touched[ocds_tenders.name]
        before = rows[str(event.originator_id)]
        row = bumped(state(before, event), event)
        if publisher is not None and row["published_at"] is not None:
            row = publish(touched, row, publisher(touched, before, row, event))
        rows.put(row)

    return fold


TENDER_FOLDS: Folds = {  # drafting, questions (until answered) and the close (its deadline is known) publish nothing
    Tender.Drafted: first_row(ocds_tenders, _drafted, versioned),
    Tender.Revised: tender_fold(lambda row, event: {**row, "terms": {**row["terms"], **_terms(event.terms)}}),
    Tender.ConflictsAssessmentRecorded: tender_fold(),
    Tender.Published: tender_fold(_published, _tender_notice),
    Tender.QuestionAsked: tender_fold(),
    Tender.QuestionAnswered: tender_fold(lambda row, event: {**row, "enquiries": row["enquiries"] + 1}, _answered),
    Tender.Amended: tender_fold(_amended, _amendment),
    Tender.TenderingClosed: tender_fold(),
    Tender.BidsOpened: tender_fold(publisher=_opened),
    Tender.Awarded: tender_fold(lambda row, event: lot_now(row, event.award.lot_id, AWARDED), _awarded),
    Tender.StandstillEnded: tender_fold(publisher=_standstill_ended),
    Tender.ContractConcluded: tender_fold(lambda row, event: lot_now(row, event.lot_id, CONTRACTED)),
    Tender.LotCancelled: tender_fold(lambda row, event: lot_now(row, event.lot_id, CANCELLED), _lot_cancelled),
    Tender.Cancelled: tender_fold(_cancelled, _tender_cancelled),
}
