"""The contracts register: one row per contract, as concluded, varied and ended."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Column, Date, DateTime, Index, Numeric, String, Table, Text, select
from sqlalchemy.orm import Session

from domain.tendering.contract import ACTIVE, Contract
from projections.aggregate_rows import first_row, own_row, taken
from projections.batch import BatchProjection, Folds, Row, plain, utc
from projections.columns import ids, org_ids, version_columns
from projections.engine import metadata
from projections.pagination import fetch_page, one_row
from projections.tendering.suppliers import supplier_columns, supplier_values

contracts = Table(
    "contracts",
    metadata,
    *ids("id", key=True),  # the Contract aggregate's id
    *ids("tender_id"),
    Column("lot_id", String(64), nullable=False),
    *org_ids("buyer"),
    *supplier_columns(),
    Column("value", Numeric(14, 2), nullable=False),
    Column("start", Date, nullable=False),
    Column("end", Date, nullable=False),
    Column("kpis", JSON, nullable=False),
    Column("status", String(16), nullable=False),  # active | terminated | decommissioned
    Column("ended_on", Date),
    Column("ended_reason", Text),
    Column("concluded_at", DateTime(timezone=True), nullable=False),
    *version_columns(),
    Index("contracts_by_start", "start", "id"),
    Index("contracts_of_supplier", "supplier_identifier", "start", "id"),
    Index("contracts_by_tender", "tender_id", "lot_id"),
)


def _concluded(event: Contract.Concluded) -> Row:
    return {
        "id": str(event.originator_id),
        **taken(event, "tender_id", "lot_id", "buyer"),
        **supplier_values(event.supplier),
        **taken(event, "value", "start", "end"),
        "kpis": plain(event.kpis),
        "status": ACTIVE,
        "ended_on": None,
        "ended_reason": None,
        "concluded_at": utc(event.timestamp),
        "events_folded": 0,
    }


def _varied(row: Row, event: Contract.Varied) -> Row:
    return {name: event.changes[name] for name in ("value", "end") if name in event.changes}


def _ended(row: Row, event: Contract.Ended) -> Row:
    return {"status": event.how, "ended_on": event.effective, "ended_reason": event.reason}


class ContractRegister(BatchProjection):
    name = "contracts"
    tables = (contracts,)
    own_rows = contracts
    follows = (Contract,)
    # what it pays by results and what it has paid are payments' views (projections/payments)
    ignores = (Contract.OutcomeDefined, Contract.PaymentRecorded, Contract.KpiSet, Contract.KpiMeasured)
    folds: Folds = {
        Contract.Concluded: first_row(contracts, _concluded),
        Contract.Varied: own_row(contracts, _varied),
        Contract.Ended: own_row(contracts, _ended),
    }


def find_contract(session: Session, contract_id: str) -> dict[str, Any] | None:
    return one_row(session, contracts.c.id, contract_id)


def contracts_register(
    session: Session,
    status: str | None = None,
    supplier: str | None = None,
    cursor: str | None = None,
    limit: int = 100,
) -> tuple[list[dict[str, Any]], str | None]:
    """Contracts by start date, filtered by status and by supplier identifier, one keyset page at a time."""
    query = select(contracts)
    if status is not None:
        query = query.where(contracts.c.status == status)
    if supplier is not None:
        query = query.where(contracts.c.supplier_identifier == supplier)
    return fetch_page(session, query, [contracts.c.start, contracts.c.id], cursor, limit)
