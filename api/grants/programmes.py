"""Grant programmes: drafted, published, their window extended and budget adjusted, closed; the public list of
open programmes (by priority, open now, and whom they fund) and each programme's budget figures."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.params import Parameter
from sqlalchemy.orm import Session

from api.as_it_stood import Asked, AsOf, Version, read_record, reads_as_it_stood
from api.auth import current_actor
from api.commanding import BLOCKING, answer, command_from, command_request, writes
from api.fields import DecisionBody
from api.grants.bodies import BudgetAdjustment, ProgrammeBody, WindowExtension, programme_id
from api.grants.presenters import ProgrammePage, ProgrammeView, programme_from_aggregate, programme_from_row
from api.moments import within_calendar
from api.paging import Cursor, Limit
from api.problems import problem_responses
from domain.grants.programme import DRAFT, GrantProgramme, ProgrammeStatus
from domain.grants.terms import CouncilPriority, ProgrammeTerms
from domain.organisations.organisation import LegalForm, SizeClass
from marketplace.grants.access import RUN_PROGRAMME, sees_programme
from marketplace.grants.services import Programmes
from marketplace.outcome import Outcome
from marketplace.service import Marketplace
from projections.grants.programmes import ProgrammeFilters, find_programme, search_programmes


def _respond(market: Marketplace, outcome: Outcome, created: bool = False) -> Response[ProgrammeView]:
    now = market.clock.now()
    location = (lambda p: f"/grant-programmes/{p.id}") if created else None
    return answer(market, outcome, GrantProgramme, lambda p: programme_from_aggregate(p, now), location)


class GrantProgrammeController(Controller):
    path = "/grant-programmes"
    tags = ["grants"]

    @post(summary="Draft a grant programme (commissioner)", **writes(RUN_PROGRAMME, created=True))
    def draft(
        self, market: Marketplace, request: Request[Any, Any, Any], data: ProgrammeBody
    ) -> Response[ProgrammeView]:
        for name in ("opens", "closes"):
            within_calendar(getattr(data, name), name)
        terms = command_from(data, ProgrammeTerms)
        return _respond(market, market.service(Programmes).draft(command_request(request, data), terms), True)

    @get(summary="Grant programmes: the public list, filtered", **BLOCKING, responses=problem_responses(400))
    def list(  # noqa: PLR0913, PLR0917 - a search's optional filters, each a query parameter
        self,
        market: Marketplace,
        request: Request[Any, Any, Any],
        priority: CouncilPriority | None = None,
        open_now: bool | None = None,
        legal_form: LegalForm | None = None,
        size: SizeClass | None = None,
        vcse: bool | None = None,
        status: Annotated[ProgrammeStatus | None, Parameter(description="draft: the council's only")] = None,
        cursor: Cursor = None,
        limit: Limit = 100,
    ) -> ProgrammePage:
        now = market.clock.now()
        statuses = (status.value,) if status else ProgrammeFilters.statuses
        if DRAFT in statuses and not sees_programme(current_actor(request), published=False):
            statuses = ()
        filters = ProgrammeFilters(
            statuses,
            priority=priority.value if priority else None,
            open_at=now if open_now else None,
            shut_at=now if open_now is False else None,
            legal_form=legal_form.value if legal_form else None,
            size=size.value if size else None,
            vcse=vcse,
        )
        with market.views() as session:
            rows, next_cursor = search_programmes(session, filters, cursor, limit)
        return ProgrammePage([programme_from_row(row, now) for row in rows], next_cursor)

    @get("/{programme:str}", summary="One programme with its budget figures", **reads_as_it_stood(400, 404))
    def read(
        self,
        market: Marketplace,
        request: Request[Any, Any, Any],
        programme: str,
        version: Version = None,
        as_of: AsOf = None,
    ) -> Response[ProgrammeView]:
        reader, now_at = current_actor(request), market.clock.now()

        def now(session: Session) -> tuple[ProgrammeView, int] | None:
            row = find_programme(session, str(programme_id(programme)))
            if row is None or not sees_programme(reader, row["status"] != DRAFT):
                return None
            return programme_from_row(row, now_at), row["version"]

        asked = Asked(
            GrantProgramme,
            programme_id(programme),
            "grant programme",
            programme,
            visible=lambda p: sees_programme(reader, p.status != DRAFT),
        )
        return read_record(
            market, asked, version, as_of, then=lambda s: programme_from_aggregate(s.aggregate, now_at), now=now
        )

    @post("/{programme:str}/publish", summary="Publish the programme, with a reason", **writes(RUN_PROGRAMME))
    def publish(
        self, market: Marketplace, request: Request[Any, Any, Any], programme: str, data: DecisionBody
    ) -> Response[ProgrammeView]:
        service = market.service(Programmes)
        return _respond(market, service.publish(command_request(request, data), programme_id(programme), data.reason))

    @post("/{programme:str}/extend", summary="Extend the application window, with a reason", **writes(RUN_PROGRAMME))
    def extend(
        self, market: Marketplace, request: Request[Any, Any, Any], programme: str, data: WindowExtension
    ) -> Response[ProgrammeView]:
        closes: datetime = within_calendar(data.closes, "closes") or data.closes
        outcome = market.service(Programmes).extend_window(
            command_request(request, data), programme_id(programme), data.reason, closes
        )
        return _respond(market, outcome)

    @post("/{programme:str}/budget", summary="Adjust the budget, with a reason", **writes(RUN_PROGRAMME))
    def budget(
        self, market: Marketplace, request: Request[Any, Any, Any], programme: str, data: BudgetAdjustment
    ) -> Response[ProgrammeView]:
        outcome = market.service(Programmes).adjust_budget(
            command_request(request, data), programme_id(programme), data.reason, data.budget
        )
        return _respond(market, outcome)

    @post("/{programme:str}/close", summary="Close the programme to new offers", **writes(RUN_PROGRAMME))
    def close(
        self, market: Marketplace, request: Request[Any, Any, Any], programme: str, data: DecisionBody
    ) -> Response[ProgrammeView]:
        service = market.service(Programmes)
        return _respond(market, service.close(command_request(request, data), programme_id(programme), data.reason))
