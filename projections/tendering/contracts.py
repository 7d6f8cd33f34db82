"""The contracts register: one row per contract, as concluded, varied and ended."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Column, Date, DateTime, Index, Integer, Numeric, String, Table, Text, select
from sqlalchemy.orm import Session

from domain.tendering.contract import ACTIVE, Contract
from projections.batch import Row, bumped, plain, utc
from projections.engine import Envelope, RowProjection, metadata
from projections.pagination import fetch_page
from projections.tendering.suppliers import supplier_columns, supplier_values

contracts = Table(
    "contracts",
    metadata,
    Column("id", String(36), primary_key=True),  # the Contract aggregate's id
    Column("tender_id", String(36), nullable=False),
    Column("lot_id", String(64), nullable=False),
    Column("buyer", String(80), nullable=False),
    *supplier_columns(),
    Column("value", Numeric(14, 2), nullable=False),
    Column("start", Date, nullable=False),
    Column("end", Date, nullable=False),
    Column("kpis", JSON, nullable=False),
    Column("status", String(16), nullable=False),  # active | terminated | decommissioned
    Column("ended_on", Date),
    Column("ended_reason", Text),
    Column("concluded_at", DateTime(timezone=True), nullable=False),
    Column("version", Integer, nullable=False),
    Column("events_folded", Integer, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index("contracts_by_start", "start", "id"),
    Index("contracts_by_supplier", "supplier_identifier"),
    Index("contracts_by_tender", "tender_id", "lot_id"),
)


def _concluded(event: Contract.Concluded) -> Row:
    supplier = event.supplier
    return {
        "id": str(event.originator_id),
        "tender_id": event.tender_id,
        "lot_id": event.lot_id,
        "buyer": event.buyer,
        **supplier_values(supplier),
        "value": event.value,
        "start": event.start,
        "end": event.end,
        "kpis": plain(event.kpis),
        "status": ACTIVE,
        "ended_on": None,
        "ended_reason": None,
        "concluded_at": utc(event.timestamp),
        "events_folded": 0,
    }


def _changes(event: Any) -> Row:
    if isinstance(event, Contract.Varied):
        return {name: event.changes[name] for name in ("value", "end") if name in event.changes}
    if isinstance(event, Contract.Ended):
        return {"status": event.how, "ended_on": event.effective, "ended_reason": event.reason}
    return {}


class ContractRegister(RowProjection):
    name = "contracts"
    table = contracts
    handles = (Contract.Event,)

    def fold(self, row: dict[str, Any] | None, envelope: Envelope) -> dict[str, Any] | None:
        event: Any = envelope.event
        row = _concluded(event) if isinstance(event, Contract.Concluded) else row
        assert row is not None, "a contract event before the contract was concluded"
        return {**bumped({**row, **_changes(event)}, event), "updated_at": utc(event.timestamp)}


def find_contract(session: Session, contract_id: str) -> dict[str, Any] | None:
    row = session.execute(select(contracts).where(contracts.c.id == contract_id)).mappings().first()
    return dict(row) if row else None


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
