"""The outcomes each contract pays by results: their price each and the evidence a claim needs, what a supplier
invoices against and the council verifies claims by."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Column, Numeric, String, Table, Text, select
from sqlalchemy.orm import Session

from domain.tendering.contract import Contract
from projections.batch import BatchProjection, Folds, Touched
from projections.columns import ids
from projections.engine import metadata

contract_outcomes = Table(
    "contract_outcomes",
    metadata,
    Column("id", String(80), primary_key=True),  # the contract's id and the outcome's code
    *ids("contract_id"),
    Column("code", String(40), nullable=False),
    Column("description", Text, nullable=False),
    Column("price", Numeric(14, 2), nullable=False),
    Column("evidence", Text, nullable=False),
)


def _defined(touched: Touched, event: Contract.OutcomeDefined) -> None:
    outcome = event.outcome
    contract_id = str(event.originator_id)
    touched[contract_outcomes.name].put(
        {
            "id": f"{contract_id}:{outcome.code}",
            "contract_id": contract_id,
            "code": outcome.code,
            "description": outcome.description,
            "price": outcome.price,
            "evidence": outcome.evidence,
        }
    )


class ContractOutcomes(BatchProjection):
    name = "contract_outcomes"
    tables = (contract_outcomes,)
    follows = (Contract,)
    ignores = (
        *(Contract.Concluded, Contract.Varied, Contract.Ended, Contract.PaymentRecorded),
        *(Contract.KpiSet, Contract.KpiMeasured),
    )
    folds: Folds = {Contract.OutcomeDefined: _defined}


def outcomes_of(session: Session, contract_id: str) -> list[dict[str, Any]]:
    t = contract_outcomes
    query = select(t.c.code, t.c.description, t.c.price, t.c.evidence).where(t.c.contract_id == contract_id)
    return [dict(row) for row in session.execute(query.order_by(t.c.code)).mappings()]
