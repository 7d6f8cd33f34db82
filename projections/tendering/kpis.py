"""Each contract's KPI dashboard: its key performance indicators with their latest rating, and every period's
measurement with its evidence and who rated it (what the contract performance notice reports)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Column, Date, DateTime, Integer, String, Table, Text, select
from sqlalchemy.orm import Session

from domain.tendering.contract import Contract
from projections.batch import BatchProjection, Folds, Touched, utc
from projections.columns import ids
from projections.engine import metadata

contract_kpis = Table(
    "contract_kpis",
    metadata,
    Column("id", String(80), primary_key=True),  # the contract's id and the KPI's key
    *ids("contract_id"),
    Column("key", String(40), nullable=False),
    Column("title", Text, nullable=False),
    Column("measure", Text, nullable=False),
    Column("target", Text, nullable=False),
    Column("frequency", String(16), nullable=False),
    Column("latest_rating", String(24)),
    Column("latest_period_end", Date),
    Column("measurements", Integer, nullable=False),
)

kpi_measurements = Table(
    "kpi_measurements",
    metadata,
    Column("id", String(100), primary_key=True),  # the contract's KPI and the measurement's number
    *ids("contract_id"),
    Column("key", String(40), nullable=False),
    Column("period_start", Date, nullable=False),
    Column("period_end", Date, nullable=False),
    Column("value", Text, nullable=False),
    Column("evidence", Text, nullable=False),
    Column("rating", String(24), nullable=False),
    Column("reason", Text, nullable=False),
    Column("rated_by", String(200), nullable=False),
    Column("rated_at", DateTime(timezone=True), nullable=False),
)


def _set(touched: Touched, event: Contract.KpiSet) -> None:
    kpi, contract_id = event.kpi, str(event.originator_id)
    row = {"id": f"{contract_id}:{kpi.key}", "contract_id": contract_id, "key": kpi.key, "title": kpi.title}
    more = {"measure": kpi.measure, "target": kpi.target, "frequency": kpi.frequency}
    touched[contract_kpis.name].put(
        {**row, **more, "latest_rating": None, "latest_period_end": None, "measurements": 0}
    )


def _measured(touched: Touched, event: Contract.KpiMeasured) -> None:
    m, contract_id = event.measurement, str(event.originator_id)
    kpis = touched[contract_kpis.name]
    kpi = kpis[f"{contract_id}:{m.kpi}"]
    count = kpi["measurements"] + 1
    latest = kpi["latest_period_end"] is None or m.period_end >= kpi["latest_period_end"]
    rating = {"latest_rating": m.rating, "latest_period_end": m.period_end} if latest else {}
    kpis.put({**kpi, **rating, "measurements": count})
    touched[kpi_measurements.name].put(
        {
            "id": f"{contract_id}:{m.kpi}:{count}",
            "contract_id": contract_id,
            "key": m.kpi,
            "period_start": m.period_start,
            "period_end": m.period_end,
            "value": m.value,
            "evidence": m.evidence,
            "rating": m.rating,
            "reason": event.reason,
            "rated_by": event.actor.subject,
            "rated_at": utc(event.timestamp),
        }
    )


class KpiDashboard(BatchProjection):
    name = "contract_kpis"
    tables = (contract_kpis, kpi_measurements)
    follows = (Contract,)
    ignores = (Contract.Concluded, Contract.Varied, Contract.Ended, Contract.OutcomeDefined, Contract.PaymentRecorded)
    folds: Folds = {Contract.KpiSet: _set, Contract.KpiMeasured: _measured}

    def load(self, session: Session, touched: Touched, batch: Any) -> None:
        """The KPI rows of the contracts whose KPIs the batch measures (a measurement updates its KPI's row)."""
        ids_ = {str(e.event.originator_id) for e in batch if isinstance(e.event, Contract.KpiMeasured)}
        if ids_:
            touched[contract_kpis.name].load(session, "contract_id", ids_)


def dashboard(session: Session, contract_id: str) -> list[dict[str, Any]]:
    """The contract's KPIs by key, each with its measurements, the latest last."""
    k, m = contract_kpis, kpi_measurements
    kpis = [
        dict(r) for r in session.execute(select(k).where(k.c.contract_id == contract_id).order_by(k.c.id)).mappings()
    ]
    query = select(m).where(m.c.contract_id == contract_id).order_by(m.c.key, m.c.period_end, m.c.id)
    measured: dict[str, list[dict[str, Any]]] = {}
    for row in session.execute(query).mappings():
        measured.setdefault(row["key"], []).append(dict(row))
    return [{**kpi, "history": measured.get(kpi["key"], [])} for kpi in kpis]
