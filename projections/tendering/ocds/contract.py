"""A contract's events: the contract, amendment and termination releases of its tender."""

from __future__ import annotations

from domain.tendering.contract import Contract
from projections.aggregate_rows import bumped
from projections.batch import Folds, Row, Touched
from projections.tendering.lots import CONTRACTED
from projections.tendering.ocds.release import Published, publish, reference
from projections.tendering.ocds.tables import ocds_contracts, ocds_tenders
from projections.tendering.ocds.tender import lot_now, lot_title, tender_status
from projections.tendering.ocds.values import PAYEE_ROLES, PAYER_ROLES, SUPPLIER_ROLES, award_id, money, period, stamp

# --- contract events ----------------------------------------------------------------------------------


def _contract_concluded(tender: Row, event: Contract.Concluded) -> tuple[Row, Published]:
    """The contract's tender records the lot as contracted here too: the two events commit together, in either order."""
    tender = lot_now(tender, event.lot_id, CONTRACTED)
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


def _amendment(row: Row) -> Published:
    contract = {
        **_contract_ids(row),
        "value": money(row["value"]),
        "period": period(row["start"], row["end"]),
        "amendments": row["amendments"],
    }
    return Published(["contractAmendment"], {"contracts": [contract]})


def _termination(row: Row, event: Contract.Ended) -> Published:
    ended = {"status": "terminated", "period": period(row["start"], event.effective)}
    return Published(["contractTermination"], {"contracts": [{**_contract_ids(row), **ended}]})


def fold_concluded(touched: Touched, event: Contract.Concluded) -> None:
    tenders = touched[ocds_tenders.name]
    tender, published = _contract_concluded(tenders[event.tender_id], event)
    touched[ocds_contracts.name].put(bumped(_concluded_row(event), event))
    tenders.put(publish(touched, tender, published))


def _republish(touched: Touched, row: Row, published: Published) -> None:
    """A contract's later event: its row, and the release of its tender that says what changed."""
    tenders = touched[ocds_tenders.name]
    touched[ocds_contracts.name].put(row)
    tenders.put(publish(touched, tenders[row["tender_id"]], published))


def fold_varied(touched: Touched, event: Contract.Varied) -> None:
    row = bumped(_varied(touched[ocds_contracts.name][str(event.originator_id)], event), event)
    _republish(touched, row, _amendment(row))


def fold_ended(touched: Touched, event: Contract.Ended) -> None:
    row = bumped(touched[ocds_contracts.name][str(event.originator_id)], event)
    _republish(touched, row, _termination(row, event))


def _transaction(row: Row, buyer: str, supplier: str, event: Contract.PaymentRecorded) -> Published:
    """A payment: one more transaction of the contract's implementation (merged by its id into the record)."""
    transaction = {
        "id": event.invoice_id,
        "date": f"{event.paid_on.isoformat()}T00:00:00Z",
        "value": money(event.amount),
        "payer": reference(buyer),
        "payee": reference(supplier),
    }
    implementation = {"implementation": {"transactions": [transaction]}}
    return Published(
        ["implementation"],
        {"contracts": [{**_contract_ids(row), **implementation}]},
        {
            buyer: PAYER_ROLES,
            supplier: PAYEE_ROLES,
        },
    )


def fold_paid(touched: Touched, event: Contract.PaymentRecorded) -> None:
    row = bumped(touched[ocds_contracts.name][str(event.originator_id)], event)
    tender = touched[ocds_tenders.name][row["tender_id"]]
    _republish(touched, row, _transaction(row, tender["buyer"], event.payee, event))


CONTRACT_FOLDS: Folds = {
    Contract.Concluded: fold_concluded,
    Contract.Varied: fold_varied,
    Contract.Ended: fold_ended,
    Contract.PaymentRecorded: fold_paid,
}
