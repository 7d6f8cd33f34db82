"""Contracts: concluded after standstill, varied, terminated or decommissioned; the public register,
award notices and the supplier mix (SMEs, VCSE, micro-enterprises, local suppliers)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.params import Parameter
from litestar.response import Stream
from sqlalchemy.orm import Session

from api.as_it_stood import Asked, AsOf, Version, read_record, reads_as_it_stood
from api.authority.held import HeldDecisionView, decided, delegated_writes
from api.commanding import BLOCKING, command_from, command_request, writes
from api.paging import Cursor, Limit
from api.problems import problem_responses
from api.tendering.bodies import (
    AwardNotice,
    AwardPage,
    ContractBody,
    ContractPage,
    ContractView,
    Ending,
    Variation,
    contract_id,
    parse_day,
    tender_id,
)
from api.tendering.presenters import award_notice_from_row, contract_from_aggregate, contract_from_row, respond
from domain.tendering import terms
from domain.tendering.contract import Contract, ContractStatus
from marketplace.outcome import Outcome
from marketplace.service import Marketplace
from marketplace.tendering.access import MANAGE_CONTRACT
from marketplace.tendering.services import Contracts, Tenders
from projections.spreadsheet import csv_line
from projections.tendering.queries import award_notices, contracts_register, find_contract, supplier_mix

STATUSES = f"^({'|'.join(ContractStatus)})$"
Status = Annotated[str | None, Parameter(pattern=STATUSES, description="Only contracts in this status.")]
SupplierId = Annotated[str | None, Parameter(max_length=80, description="Only contracts with this supplier.")]
EXPORT_PAGE = 500  # rows read per query while streaming an export: memory stays bounded whatever the register holds
CSV = "text/csv; charset=utf-8"
Page = Callable[[Session, str | None], tuple[list[dict[str, Any]], str | None]]


def _every_row(market: Marketplace, page: Page) -> Iterator[dict[str, Any]]:
    """Every row a keyset-paged query finds, a page (and a short read-only session) at a time."""
    cursor: str | None = None
    while True:
        with market.views() as session:
            rows, cursor = page(session, cursor)
        yield from rows
        if cursor is None:
            return


def _csv_cell(value: Any) -> Any:
    """A response field as a spreadsheet cell: nothing for none, a list joined by semicolons."""
    if value is None:
        return ""
    return "; ".join(str(item) for item in value) if isinstance(value, list) else value


def _csv(views: Iterator[msgspec.Struct], columns: tuple[str, ...], filename: str) -> Stream:
    """The rows as the JSON list presents them, one CSV line each after a header: the same fields, disclosed alike;
    a cell a spreadsheet would run as a formula is neutralised (projections/spreadsheet.py)."""

    def lines() -> Iterator[str]:
        yield csv_line(list(columns))
        for view in views:
            fields = msgspec.structs.asdict(view)
            yield csv_line([_csv_cell(fields[column]) for column in columns])

    return Stream(lines(), media_type=CSV, headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def _respond(market: Marketplace, outcome: Outcome, created: bool = False) -> Response[ContractView]:
    """A command's answer is the contract as the register shows it."""
    return respond(market, outcome, Contract, contract_from_aggregate, "/contracts" if created else "")


class TenderContractsController(Controller):
    path = "/tenders/{tender:str}/contracts"
    tags = ["contracts"]

    @post(
        summary="Conclude the contract for an awarded lot (after standstill)", **writes(MANAGE_CONTRACT, created=True)
    )
    def conclude(
        self, market: Marketplace, request: Request[Any, Any, Any], tender: str, data: ContractBody
    ) -> Response[ContractView]:
        concluded = command_from(
            data, terms.ContractTerms, start=parse_day(data.start, "start"), end=parse_day(data.end, "end")
        )
        outcome = market.service(Tenders).conclude_contract(
            command_request(request, data), tender_id(tender), concluded
        )
        return _respond(market, outcome, created=True)


class ContractController(Controller):
    path = "/contracts"
    tags = ["contracts"]

    @get(summary="The contracts register", **BLOCKING, responses=problem_responses(400))
    def register(
        self,
        market: Marketplace,
        status: Status = None,
        supplier: SupplierId = None,
        cursor: Cursor = None,
        limit: Limit = 100,
    ) -> ContractPage:
        with market.views() as session:
            rows, next_cursor = contracts_register(
                session, status=status, supplier=supplier, cursor=cursor, limit=limit
            )
        return ContractPage([contract_from_row(r) for r in rows], next_cursor)

    @get(
        "/{contract:str}",
        summary="One contract (now, or as it stood at a version or moment)",
        **reads_as_it_stood(400, 404),
    )
    def read(
        self, market: Marketplace, contract: str, version: Version = None, as_of: AsOf = None
    ) -> Response[ContractView]:
        def now(session: Session) -> tuple[ContractView, int] | None:
            row = find_contract(session, str(contract_id(contract)))
            return None if row is None else (contract_from_row(row), row["version"])

        asked = Asked(Contract, contract_id(contract), "contract", contract)
        return read_record(market, asked, version, as_of, then=lambda s: contract_from_aggregate(s.aggregate), now=now)

    @post(
        "/{contract:str}/vary",
        summary="Vary value or end date, with reasons; beyond your delegated limit, held for approval",
        **delegated_writes(MANAGE_CONTRACT),
    )
    def vary(
        self, market: Marketplace, request: Request[Any, Any, Any], contract: str, data: Variation
    ) -> Response[ContractView | HeldDecisionView]:
        variation = command_from(data, terms.Variation, end=parse_day(data.end, "end") if data.end else None)
        outcome = market.service(Contracts).vary(
            command_request(request, data), contract_id(contract), data.reason, variation
        )
        return decided(market, outcome, Contract, contract_from_aggregate)

    @post("/{contract:str}/terminate", summary="Terminate early, with reasons", **writes(MANAGE_CONTRACT))
    def terminate(
        self, market: Marketplace, request: Request[Any, Any, Any], contract: str, data: Ending
    ) -> Response[ContractView]:
        outcome = market.service(Contracts).terminate(
            command_request(request, data), contract_id(contract), data.reason, parse_day(data.effective, "effective")
        )
        return _respond(market, outcome)

    @post(
        "/{contract:str}/decommission",
        summary="Decommission the service, with reasons and consultation",
        **writes(MANAGE_CONTRACT),
    )
    def decommission(
        self, market: Marketplace, request: Request[Any, Any, Any], contract: str, data: Ending
    ) -> Response[ContractView]:
        ending = command_from(data, terms.Ending, effective=parse_day(data.effective, "effective"))
        outcome = market.service(Contracts).decommission(
            command_request(request, data), contract_id(contract), data.reason, ending
        )
        return _respond(market, outcome)


class AwardController(Controller):
    tags = ["awards"]

    @get(
        "/contracts.csv",
        summary="The contracts register as CSV: a header, then one row per contract",
        description="The fields of `GET /contracts`, filtered alike, by start date; KPIs joined by semicolons. "
        "Streamed a page at a time.",
        media_type="text/csv",
        tags=["contracts"],
        responses=problem_responses(400),
        **BLOCKING,
    )
    def contracts_csv(self, market: Marketplace, status: Status = None, supplier: SupplierId = None) -> Stream:
        def page(session: Session, cursor: str | None) -> tuple[list[dict[str, Any]], str | None]:
            return contracts_register(session, status=status, supplier=supplier, cursor=cursor, limit=EXPORT_PAGE)

        views = (contract_from_row(row) for row in _every_row(market, page))
        return _csv(views, ContractView.__struct_fields__, "contracts.csv")

    @get(
        "/awards.csv",
        summary="Award notices as CSV: a header, then one row per awarded lot, in the order decided",
        description="The fields of `GET /awards`. Streamed a page at a time.",
        media_type="text/csv",
        responses=problem_responses(400),
        **BLOCKING,
    )
    def awards_csv(self, market: Marketplace) -> Stream:
        def page(session: Session, cursor: str | None) -> tuple[list[dict[str, Any]], str | None]:
            return award_notices(session, cursor=cursor, limit=EXPORT_PAGE)

        views = (award_notice_from_row(row) for row in _every_row(market, page))
        return _csv(views, AwardNotice.__struct_fields__, "awards.csv")

    @get("/awards", summary="Award notices", **BLOCKING, responses=problem_responses(400))
    def notices(
        self,
        market: Marketplace,
        cursor: Cursor = None,
        limit: Limit = 100,
    ) -> AwardPage:
        with market.views() as session:
            rows, next_cursor = award_notices(session, cursor=cursor, limit=limit)
        return AwardPage([award_notice_from_row(r) for r in rows], next_cursor)

    @get(
        "/supplier-mix",
        summary="Share of awards and value to SMEs, VCSE, micro-enterprises, local suppliers",
        **BLOCKING,
    )
    def supplier_mix(self, market: Marketplace) -> dict[str, Any]:
        with market.views() as session:
            return supplier_mix(session, market.settings.local_postcode_areas)
