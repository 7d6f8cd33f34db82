"""The council's service register: one row per service (its delivery, area, periods and windows), one row per
window for the public list of challenge windows, and the queries that read them.

What a service's tenders, contracts and grants are is read from their own views when a service is shown (the
published tenders that named it, their contracts, and the grants of the programme that delivers it), so no view
folds another aggregate's events into this row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import JSON, Boolean, Column, Date, DateTime, Index, Numeric, String, Table, Text, select
from sqlalchemy.orm import Session

from domain.challenge.council_service import ACTIVE, DECOMMISSIONED, CouncilService
from projections.aggregate_rows import first_row, own_row, taken
from projections.batch import BatchProjection, Folds, Row, Touched, plain, utc
from projections.columns import ids, org_ids, version_columns
from projections.engine import metadata
from projections.grants.register import grants
from projections.pagination import fetch_page, one_row
from projections.tendering.contracts import contracts
from projections.tendering.tenders import tenders

services = Table(
    "services",
    metadata,
    *ids("id", key=True),
    *org_ids("owner"),
    Column("name", String(200), nullable=False),
    Column("description", Text, nullable=False),
    Column("department", String(200), nullable=False),
    Column("priority", String(64), nullable=False),
    Column("delivery", String(16), nullable=False),  # in-house | contract | grant
    Column("delivered_by", String(200), nullable=False),  # the contract's id or the programme's code
    Column("area", JSON, nullable=False),  # [] countywide
    Column("annual_budget", Numeric(14, 2), nullable=False),
    Column("periods", JSON, nullable=False),
    Column("excluded", Boolean, nullable=False),
    Column("exclusion_ground", Text, nullable=False),
    Column("status", String(16), nullable=False),  # active | decommissioned
    Column("windows", JSON, nullable=False),  # window_id, opens, closes, periods
    Column("tenders", JSON, nullable=False),  # the published tenders naming it, in order
    Column("awaiting", JSON, nullable=False),  # accepted challenges waiting for procurement: id, earliest, due_by
    Column("decommissioned_on", Date),
    Column("registered_at", DateTime(timezone=True), nullable=False),
    *version_columns(),
    Index("services_by_name", "name", "id"),
)

challenge_windows = Table(
    "challenge_windows",
    metadata,
    *ids("service_id", key=True),
    Column("window_id", String(8), primary_key=True),
    Column("opens", Date, nullable=False),
    Column("closes", Date, nullable=False),
    Column("periods", JSON, nullable=False),  # the window's own, or the service's when it states none
    Index("challenge_windows_by_closing", "closes", "service_id", "window_id"),
)


def _registered(event: CouncilService.Registered) -> Row:
    return {
        "id": str(event.originator_id),
        **taken(event, "owner", "name", "description", "department", "priority", "delivery", "delivered_by"),
        **taken(event, "annual_budget", "excluded", "exclusion_ground"),
        "area": plain(event.area),
        "periods": plain(event.periods),
        "status": ACTIVE.value,
        "windows": [],
        "tenders": [],
        "awaiting": [],
        "decommissioned_on": None,
        "registered_at": utc(event.timestamp),
        "events_folded": 0,
    }


def _updated(row: Row, event: CouncilService.Updated) -> Row:
    return {name: plain(value) for name, value in event.changes.items()}


def _window(row: Row, event: CouncilService.WindowPublished) -> Row:
    window = {"window_id": event.window_id, **plain(event.window)}
    return {"windows": [*row["windows"], window]}


def window_row(touched: Touched, event: CouncilService.WindowPublished) -> None:
    """The window's own row; its periods were fixed when it was published (domain/challenge/council_service.py)."""
    touched[challenge_windows.name].put(
        {
            "service_id": str(event.originator_id),
            "window_id": event.window_id,
            "opens": event.window.opens,
            "closes": event.window.closes,
            "periods": plain(event.window.periods),
        }
    )


def _accepted(row: Row, event: CouncilService.ChallengeAccepted) -> Row:
    waiting = {"expression_id": event.expression_id, "earliest": event.earliest, "due_by": event.due_by}
    return {"awaiting": [*row["awaiting"], plain(waiting)]}


def _started(row: Row, event: CouncilService.ProcurementStarted) -> Row:
    answered = set(event.expressions)
    awaiting = [waiting for waiting in row["awaiting"] if waiting["expression_id"] not in answered]
    return {"tenders": [*row["tenders"], event.tender_id], "awaiting": awaiting}


def _decommissioned(row: Row, event: CouncilService.Decommissioned) -> Row:
    return {"status": DECOMMISSIONED.value, "decommissioned_on": event.effective}


class ServiceRegister(BatchProjection):
    name = "services"
    tables = (services, challenge_windows)
    own_rows = services
    follows = (CouncilService,)
    folds: Folds = {
        CouncilService.Registered: first_row(services, _registered),
        CouncilService.Updated: own_row(services, _updated),
        CouncilService.WindowPublished: (own_row(services, _window), window_row),
        CouncilService.ChallengeAccepted: own_row(services, _accepted),
        CouncilService.ProcurementStarted: own_row(services, _started),
        CouncilService.Decommissioned: own_row(services, _decommissioned),
    }


def find_service(session: Session, service_id: str) -> Row | None:
    return one_row(session, services.c.id, service_id)


def search_services(
    session: Session, filters: ServiceFilters, cursor: str | None = None, limit: int = 100
) -> tuple[list[Row], str | None]:
    """The register by name, filtered."""
    t = services
    query = select(t)
    for column, value in (
        (t.c.department, filters.department),
        (t.c.priority, filters.priority),
        (t.c.delivery, filters.delivery),
        (t.c.status, filters.status),
        (t.c.excluded, filters.excluded),
    ):
        if value is not None:
            query = query.where(column == value)
    return fetch_page(session, query, [t.c.name, t.c.id], cursor, limit)


@dataclass(frozen=True)
class ServiceFilters:
    department: str | None = None
    priority: str | None = None
    delivery: str | None = None
    status: str | None = None
    excluded: bool | None = None


def search_windows(
    session: Session, open_on: date | None, closing_from: date | None, cursor: str | None = None, limit: int = 100
) -> tuple[list[Row], str | None]:
    """Challenge windows by closing day: those open on a day, or those not yet closed by one."""
    t = challenge_windows
    query = select(t, services.c.name.label("service_name")).join(services, services.c.id == t.c.service_id)
    if open_on is not None:
        query = query.where(t.c.opens <= open_on, t.c.closes >= open_on)
    if closing_from is not None:
        query = query.where(t.c.closes >= closing_from)
    return fetch_page(session, query, [t.c.closes, t.c.service_id, t.c.window_id], cursor, limit)


def delivered_through(session: Session, service: Row) -> dict[str, list[Row]]:
    """What delivers the service, from the views that keep each: its tenders, their contracts (and the contract
    it names as its delivery), and the grants of the programme it names."""
    tender_ids = list(service["tenders"])
    shown_tenders = session.execute(
        select(tenders.c.id, tenders.c.title, tenders.c.status).where(tenders.c.id.in_(tender_ids))
    ).mappings()
    named = [service["delivered_by"]] if service["delivery"] == "contract" else []
    contract_query = select(contracts.c.id, contracts.c.tender_id, contracts.c.supplier_name, contracts.c.status)
    shown_contracts = session.execute(
        contract_query.where(contracts.c.tender_id.in_(tender_ids) | contracts.c.id.in_(named)).order_by(contracts.c.id)
    ).mappings()
    shown_grants: list[Any] = []
    if service["delivery"] == "grant":
        grant_query = select(grants.c.id, grants.c.recipient_name, grants.c.amount_awarded, grants.c.status)
        shown_grants = list(
            session.execute(
                grant_query.where(grants.c.programme_code == service["delivered_by"]).order_by(grants.c.id).limit(500)
            ).mappings()
        )
    order = {tender: n for n, tender in enumerate(tender_ids)}
    return {
        "tenders": sorted((dict(r) for r in shown_tenders), key=lambda r: order[r["id"]]),
        "contracts": [dict(r) for r in shown_contracts],
        "grants": [dict(r) for r in shown_grants],
    }
