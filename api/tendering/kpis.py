"""A contract's key performance indicators: set by the council (PA2023 s.52), measured per period with evidence
and rated; the dashboard of each contract's KPIs, public as the contract performance notice makes them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, get, post

from api.commanding import BLOCKING, answer, command_request, record_id, writes
from api.fields import Reason
from api.problems import problem_responses
from api.tendering.bodies import ContractView
from api.tendering.presenters import contract_from_aggregate
from domain.rules import NotFound
from domain.tendering.contract import Contract
from domain.tendering.performance import Frequency, Kpi, KpiRating, Measurement
from marketplace.service import Marketplace
from marketplace.tendering.access import MANAGE_CONTRACT
from marketplace.tendering.services import Contracts
from projections.tendering.kpis import dashboard
from projections.tendering.queries import find_contract

contract_id = record_id("contract")
Text = Annotated[str, msgspec.Meta(min_length=1, max_length=500)]


class KpiBody(msgspec.Struct, forbid_unknown_fields=True):
    reason: Reason
    key: Annotated[str, msgspec.Meta(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9._-]+$")]
    title: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    measure: Text
    target: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    frequency: Frequency


class MeasurementBody(msgspec.Struct, forbid_unknown_fields=True):
    reason: Reason
    period_start: date
    period_end: date
    value: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    evidence: Annotated[str, msgspec.Meta(min_length=1, max_length=2000)]
    rating: KpiRating


class MeasurementView(msgspec.Struct):
    period_start: date
    period_end: date
    value: str
    evidence: str
    rating: str
    reason: str
    rated_by: str
    rated_at: datetime


class KpiView(msgspec.Struct):
    key: str
    title: str
    measure: str
    target: str
    frequency: str
    latest_rating: str | None
    history: list[MeasurementView]


def _kpi(row: dict[str, Any]) -> KpiView:
    history = [MeasurementView(**{name: m[name] for name in MeasurementView.__struct_fields__}) for m in row["history"]]
    fields = ("key", "title", "measure", "target", "frequency", "latest_rating")
    return KpiView(**{name: row[name] for name in fields}, history=history)


def _respond(market: Marketplace, outcome: Any) -> Response[ContractView]:
    return answer(market, outcome, Contract, contract_from_aggregate)


class ContractKpiController(Controller):
    path = "/contracts/{contract:str}/kpis"
    tags = ["contracts"]

    @get(
        summary="The contract's KPIs, each with its ratings by period (public)",
        responses=problem_responses(404),
        **BLOCKING,
    )
    def kpis(self, market: Marketplace, contract: str) -> list[KpiView]:
        key = str(contract_id(contract))
        with market.views() as session:
            if find_contract(session, key) is None:
                raise NotFound("contract", contract)
            return [_kpi(row) for row in dashboard(session, key)]

    @post(summary="Set a key performance indicator, with a reason", **writes(MANAGE_CONTRACT))
    def set_kpi(
        self, market: Marketplace, request: Request[Any, Any, Any], contract: str, data: KpiBody
    ) -> Response[ContractView]:
        kpi = Kpi(data.key, data.title, data.measure, data.target, data.frequency.value)
        outcome = market.service(Contracts).set_kpi(
            command_request(request, data), contract_id(contract), data.reason, kpi
        )
        return _respond(market, outcome)

    @post("/{kpi:str}/measurements", summary="Measure a KPI for a period and rate it", **writes(MANAGE_CONTRACT))
    def measure(
        self, market: Marketplace, request: Request[Any, Any, Any], contract: str, kpi: str, data: MeasurementBody
    ) -> Response[ContractView]:
        measured = Measurement(kpi, data.period_start, data.period_end, data.value, data.evidence, data.rating.value)
        outcome = market.service(Contracts).measure_kpi(
            command_request(request, data), contract_id(contract), data.reason, measured
        )
        return _respond(market, outcome)
