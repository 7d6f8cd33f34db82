"""The council's service register (Community Right to Challenge): services registered, changed with reasons and
given windows for expressions of interest by its officers; the public register, and each service with what
delivers it and the accepted challenges awaiting its procurement exercise."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, get, patch, post
from litestar.params import Parameter
from sqlalchemy.orm import Session

from api.as_it_stood import Asked, AsOf, Version, read_record, reads_as_it_stood
from api.challenge.bodies import ServiceBody, ServiceChangeBody, WindowBody, service_id, within_years
from api.challenge.presenters import ServicePage, ServiceView, service_row, service_view
from api.commanding import BLOCKING, answer, command_from, command_request, writes
from api.paging import Cursor, Limit
from api.problems import problem_responses
from domain.challenge.council_service import CouncilService, ServiceStatus
from domain.challenge.terms import Delivery, ServiceChange, ServiceTerms, Window
from domain.grants.terms import CouncilPriority
from domain.working_days import uk_date
from marketplace.challenge.access import KEEP_REGISTER
from marketplace.challenge.services import Services
from marketplace.outcome import Outcome
from marketplace.service import Marketplace
from projections.challenge.services import ServiceFilters, delivered_through, find_service, search_services


def _respond(market: Marketplace, outcome: Outcome, created: bool = False) -> Response[ServiceView]:
    """A command's answer: the service as the command left it, with what delivers it now."""
    today = uk_date(market.clock.now())

    def render(service: CouncilService) -> ServiceView:
        row = service_row(service)
        with market.views() as session:
            return service_view(row, today, delivered_through(session, row))

    location = (lambda s: f"/services/{s.id}") if created else None
    return answer(market, outcome, CouncilService, render, location)


class ServiceController(Controller):
    path = "/services"
    tags = ["community right to challenge"]

    @post(summary="Register a service in the council's register (officer)", **writes(KEEP_REGISTER, created=True))
    def register(
        self, market: Marketplace, request: Request[Any, Any, Any], data: ServiceBody
    ) -> Response[ServiceView]:
        terms = command_from(data, ServiceTerms)
        return _respond(market, market.service(Services).register(command_request(request, data), terms), True)

    @get(summary="The service register (public), by name, filtered", **BLOCKING, responses=problem_responses(400))
    def list(  # noqa: PLR0913, PLR0917 - a search's optional filters, each a query parameter
        self,
        market: Marketplace,
        department: Annotated[str | None, Parameter(max_length=200)] = None,
        priority: CouncilPriority | None = None,
        delivery: Delivery | None = None,
        status: ServiceStatus | None = None,
        excluded: Annotated[
            bool | None, Parameter(description="Whether the right to challenge does not apply.")
        ] = None,
        cursor: Cursor = None,
        limit: Limit = 100,
    ) -> ServicePage:
        filters = ServiceFilters(
            department=department,
            priority=priority.value if priority else None,
            delivery=delivery.value if delivery else None,
            status=status.value if status else None,
            excluded=excluded,
        )
        today = uk_date(market.clock.now())
        with market.views() as session:
            rows, next_cursor = search_services(session, filters, cursor, limit)
        return ServicePage([service_view(row, today) for row in rows], next_cursor)

    @get(
        "/{service:str}",
        summary="One service: its windows, what delivers it, the challenges awaiting procurement (now, or as it stood)",
        **reads_as_it_stood(400, 404),
    )
    def read(
        self, market: Marketplace, service: str, version: Version = None, as_of: AsOf = None
    ) -> Response[ServiceView]:
        today = uk_date(market.clock.now())

        def now(session: Session) -> tuple[ServiceView, int] | None:
            row = find_service(session, str(service_id(service)))
            if row is None:
                return None
            return service_view(row, today, delivered_through(session, row)), row["version"]

        asked = Asked(CouncilService, service_id(service), "service", service)
        return read_record(
            market, asked, version, as_of, then=lambda s: service_view(service_row(s.aggregate), today), now=now
        )

    @patch("/{service:str}", summary="Change the service's entry, with a reason (officer)", **writes(KEEP_REGISTER))
    def update(
        self, market: Marketplace, request: Request[Any, Any, Any], service: str, data: ServiceChangeBody
    ) -> Response[ServiceView]:
        change = command_from(data, ServiceChange)
        outcome = market.service(Services).update(
            command_request(request, data), service_id(service), data.reason, change
        )
        return _respond(market, outcome)

    @post(
        "/{service:str}/windows",
        summary="Publish a window for expressions of interest, with a reason (officer)",
        **writes(KEEP_REGISTER, created=True),
    )
    def publish_window(
        self, market: Marketplace, request: Request[Any, Any, Any], service: str, data: WindowBody
    ) -> Response[ServiceView]:
        window = command_from(
            data, Window, opens=within_years(data.opens, "opens"), closes=within_years(data.closes, "closes")
        )
        outcome = market.service(Services).publish_window(
            command_request(request, data), service_id(service), data.reason, window
        )
        return _respond(market, outcome, created=True)
