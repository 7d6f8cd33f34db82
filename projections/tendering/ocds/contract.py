"""A contract's events: the contract, amendment and termination releases of its tender."""

from __future__ import annotations

from typing import Any

from domain.tendering.contract import Contract
from projections.batch import Row, Touched, bumped
from projections.engine import Envelope
from projections.tendering.ocds.release import Published, publish
from projections.tendering.ocds.tables import CONTRACTED, ocds_contracts, ocds_tenders
from projections.tendering.ocds.tender import lot_title, tender_status, with_lot
from projections.tendering.ocds.values import SUPPLIER_ROLES, award_id, money, period, stamp

# --- contract events ----------------------------------------------------------------------------------


def _contract_concluded(touched: Touched, tender: Row, event: Contract.Concluded) -> tuple[Row, Published]:
    """The contract's tender records the lot as contracted here too: the two events commit together, in either order."""
    tender = with_lot(tender, event.lot_id, CONTRACTED)
    contract = {
        "id": str(event.originator_id),
        "awardID": award_id(event.lot_id),
        "title": lot_title(tender, event.lot_id),
        "status": "active",
        "period": period(event.start, event.end),
        "value": money(event.value),
        "dateSigned": stamp(event.timestamp),
    }
    if event.kpis:
        contract["description"] = "Key performance indicators: " + "; ".join(event.kpis)
    sections = {
        "tender": {
            "id": tender["id"],
            "status": tender_status(tender),
            "lots": [{"id": event.lot_id, "status": "complete"}],
        },
        "awards": [{"id": award_id(event.lot_id), "status": "active"}],
        "contracts": [contract],
    }
    return tender, Published(["contract"], sections, {event.supplier.identifier: SUPPLIER_ROLES})


def _concluded_row(event: Contract.Concluded) -> Row:
    return {
        "id": str(event.originator_id),
        "tender_id": event.tender_id,
        "lot_id": event.lot_id,
        "value": str(event.value),
        "start": event.start.isoformat(),
        "end": event.end.isoformat(),
        "amendments": [],
        "events_folded": 0,
    }


def _varied(row: Row, event: Contract.Varied) -> Row:
    changes = {name: str(value) for name, value in event.changes.items() if name in ("value", "end")}
    said = {"value": "value", "end": "end date"}
    amendment = {
        "id": str(len(row["amendments"]) + 1),
        "date": stamp(event.timestamp),
        "rationale": event.reason,
        "description": "; ".join(f"{said[name]} changed to {value}" for name, value in sorted(changes.items())) + ".",
    }
    return {**row, **changes, "amendments": [*row["amendments"], amendment]}


def _contract_ids(row: Row) -> Row:
    """Every contract in a release names its award (OCDS requires awardID)."""
    return {"id": row["id"], "awardID": award_id(row["lot_id"])}


def _contract_change(row: Row, event: Any) -> Published:
    if isinstance(event, Contract.Ended):
        ended = {"status": "terminated", "period": period(row["start"], event.effective)}
        return Published(["contractTermination"], {"contracts": [{**_contract_ids(row), **ended}]})
    contract = {
        **_contract_ids(row),
        "value": money(row["value"]),
        "period": period(row["start"], row["end"]),
        "amendments": row["amendments"],
    }
    return Published(["contractAmendment"], {"contracts": [contract]})


def fold_contract(touched: Touched, envelope: Envelope) -> None:
    event: Any = envelope.event
    contracts, tenders = touched[ocds_contracts.name], touched[ocds_tenders.name]
    if isinstance(event, Contract.Concluded):
        row = _concluded_row(event)
        tender, published = _contract_concluded(touched, tenders[event.tender_id], event)
    else:
        row = contracts[str(event.originator_id)]
        row = _varied(row, event) if isinstance(event, Contract.Varied) else row
        tender, published = tenders[row["tender_id"]], _contract_change(row, event)
    contracts.put(bumped(row, event))
    tenders.put(publish(touched, envelope, tender, published))
