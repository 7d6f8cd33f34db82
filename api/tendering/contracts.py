"""Contracts: concluded after standstill, varied, terminated or decommissioned; the public register,
award notices and the supplier mix (SMEs, VCSE, micro-enterprises, local suppliers)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.params import Parameter

from api.as_it_stood import HISTORY_HEADERS, AsOf, Version, as_it_stood_answer, recall
from api.commanding import BLOCKING, answer, command_request, etag, record_id, writes
from api.organisations.routes import Reason
from api.problems import problem_responses
from api.rendering import pence
from api.tendering.tenders import ContractBody, Money, tender_id
from domain.base import Role
from domain.rules import DomainError, NotFound
from domain.tendering.contract import Contract
from marketplace.outcome import Outcome
from marketplace.service import Marketplace
from marketplace.tendering.services import Contracts, Tenders
from projections.tendering.queries import award_notices, contracts_register, find_contract, supplier_mix

OFFICERS = (Role.COMMISSIONER, Role.ADMIN)
Day = Annotated[str, msgspec.Meta(pattern=r"^\d{4}-\d{2}-\d{2}$", examples=["2027-03-31"])]


class Variation(msgspec.Struct, forbid_unknown_fields=True):
    reason: Reason
    value: Money | None = None
    end: Day | None = None


class Ending(msgspec.Struct, forbid_unknown_fields=True):
    reason: Reason
    effective: Day
    consultation: Annotated[str, msgspec.Meta(max_length=10_000)] = ""


class ContractView(msgspec.Struct):
    id: str
    tender_id: str
    lot_id: str
    buyer: str
    supplier: str
    supplier_name: str
    value: Decimal
    start: str
    end: str
    kpis: list[str]
    status: str
    version: int
    ended_on: str | None = None


class ContractPage(msgspec.Struct):
    items: list[ContractView]
    next_cursor: str | None = None


class AwardNotice(msgspec.Struct):
    tender_id: str
    lot_id: str
    supplier: str
    supplier_name: str
    value: Decimal
    decided_at: datetime
    reason: str
    standstill_ends: str | None = None
    contract_id: str | None = None


class AwardPage(msgspec.Struct):
    items: list[AwardNotice]
    next_cursor: str | None = None


def parse_day(value: str, field: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise DomainError(f"'{value}' is not a date (YYYY-MM-DD).", field=field) from None


def from_aggregate(c: Contract) -> ContractView:
    return ContractView(
        str(c.id),
        c.tender_id,
        c.lot_id,
        c.buyer,
        c.supplier.identifier,
        c.supplier.name,
        pence(c.value),
        c.start.isoformat(),
        c.end.isoformat(),
        list(c.kpis),
        c.status,
        c.version,
        c.ended_on.isoformat() if c.ended_on else None,
    )


def from_row(r: dict[str, Any]) -> ContractView:
    return ContractView(
        r["id"],
        r["tender_id"],
        r["lot_id"],
        r["buyer"],
        r["supplier_identifier"],
        r["supplier_name"],
        Decimal(r["value"]),
        str(r["start"]),
        str(r["end"]),
        list(r["kpis"]),
        r["status"],
        r["version"],
        str(r["ended_on"]) if r["ended_on"] else None,
    )


def _answer(market: Marketplace, outcome: Outcome, created: bool = False) -> Response[ContractView]:
    location = (lambda c: f"/contracts/{c.id}") if created else None
    return answer(market, outcome, Contract, from_aggregate, location)


contract_id = record_id("contract")


class TenderContractsController(Controller):
    path = "/tenders/{tender:str}/contracts"
    tags = ["contracts"]

    @post(summary="Conclude the contract for an awarded lot (after standstill)", **writes(*OFFICERS, created=True))
    def conclude(
        self, market: Marketplace, request: Request[Any, Any, Any], tender: str, data: ContractBody
    ) -> Response[ContractView]:
        outcome = market.service(Tenders).conclude_contract(
            command_request(request, data),
            tender_id(tender),
            data.lot_id,
            parse_day(data.start, "start"),
            parse_day(data.end, "end"),
            list(data.kpis),
        )
        return _answer(market, outcome, created=True)


class ContractController(Controller):
    path = "/contracts"
    tags = ["contracts"]

    @get(summary="The contracts register", **BLOCKING, responses=problem_responses(400))
    def register(
        self,
        market: Marketplace,
        status: Annotated[str | None, Parameter(pattern="^(active|terminated|decommissioned)$")] = None,
        supplier: Annotated[str | None, Parameter(max_length=80)] = None,
        cursor: Annotated[str | None, Parameter(max_length=500)] = None,
        limit: Annotated[int, Parameter(ge=1, le=1000)] = 100,
    ) -> ContractPage:
        with market.views() as session:
            rows, next_cursor = contracts_register(
                session, status=status, supplier=supplier, cursor=cursor, limit=limit
            )
        return ContractPage([from_row(r) for r in rows], next_cursor)

    @get(
        "/{contract:str}",
        summary="One contract (now, or as it stood at a version or moment)",
        **BLOCKING,
        responses=problem_responses(400, 404),
        response_headers=HISTORY_HEADERS,
    )
    def read(
        self, market: Marketplace, contract: str, version: Version = None, as_of: AsOf = None
    ) -> Response[ContractView]:
        then = recall(market, Contract, contract_id(contract), version, as_of, what="contract", key=contract)
        if then is not None:
            return as_it_stood_answer(from_aggregate(then), then)
        with market.views() as session:
            row = find_contract(session, str(contract_id(contract)))
        if row is None:
            raise NotFound("contract", contract)
        return Response(from_row(row), headers=etag(row["version"]))

    @post("/{contract:str}/vary", summary="Vary value or end date, with reasons", **writes(*OFFICERS))
    def vary(
        self, market: Marketplace, request: Request[Any, Any, Any], contract: str, data: Variation
    ) -> Response[ContractView]:
        end = parse_day(data.end, "end") if data.end else None
        outcome = market.service(Contracts).vary(
            command_request(request, data), contract_id(contract), data.reason, data.value, end
        )
        return _answer(market, outcome)

    @post("/{contract:str}/terminate", summary="Terminate early, with reasons", **writes(*OFFICERS))
    def terminate(
        self, market: Marketplace, request: Request[Any, Any, Any], contract: str, data: Ending
    ) -> Response[ContractView]:
        outcome = market.service(Contracts).terminate(
            command_request(request, data), contract_id(contract), data.reason, parse_day(data.effective, "effective")
        )
        return _answer(market, outcome)

    @post(
        "/{contract:str}/decommission",
        summary="Decommission the service, with reasons and consultation",
        **writes(*OFFICERS),
    )
    def decommission(
        self, market: Marketplace, request: Request[Any, Any, Any], contract: str, data: Ending
    ) -> Response[ContractView]:
        outcome = market.service(Contracts).decommission(
            command_request(request, data),
            contract_id(contract),
            data.reason,
            parse_day(data.effective, "effective"),
            data.consultation,
        )
        return _answer(market, outcome)


class AwardController(Controller):
    tags = ["awards"]

    @get("/awards", summary="Award notices", **BLOCKING, responses=problem_responses(400))
    def notices(
        self,
        market: Marketplace,
        cursor: Annotated[str | None, Parameter(max_length=500)] = None,
        limit: Annotated[int, Parameter(ge=1, le=1000)] = 100,
    ) -> AwardPage:
        with market.views() as session:
            rows, next_cursor = award_notices(session, cursor=cursor, limit=limit)
        items = [
            AwardNotice(
                r["tender_id"],
                r["lot_id"],
                r["supplier_identifier"],
                r["supplier_name"],
                Decimal(r["value"]),
                r["decided_at"].replace(tzinfo=r["decided_at"].tzinfo or UTC),
                r["reason"],
                str(r["standstill_ends"]) if r["standstill_ends"] else None,
                r["contract_id"] or None,
            )
            for r in rows
        ]
        return AwardPage(items, next_cursor)

    @get(
        "/supplier-mix",
        summary="Share of awards and value to SMEs, VCSE, micro-enterprises, local suppliers",
        **BLOCKING,
    )
    def supplier_mix(self, market: Marketplace) -> dict[str, Any]:
        with market.views() as session:
            return supplier_mix(session, market.settings.local_postcode_areas)
