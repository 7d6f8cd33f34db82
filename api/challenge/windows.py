"""The published challenge windows (Localism Act 2011 s.82): when the council considers expressions of interest
for each service, and the periods that apply within each. Public."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from litestar import Controller, get
from litestar.params import Parameter

from api.challenge.bodies import within_years
from api.challenge.presenters import ChallengeWindowPage, challenge_window
from api.commanding import BLOCKING
from api.paging import Cursor, Limit
from api.problems import problem_responses
from domain.working_days import uk_date
from marketplace.service import Marketplace
from projections.challenge.services import search_windows


class ChallengeWindowController(Controller):
    path = "/challenge-windows"
    tags = ["community right to challenge"]

    @get(
        summary="Challenge windows (public) by closing day: those open on a day, or not yet closed by one "
        "(by default, those not yet closed today)",
        **BLOCKING,
        responses=problem_responses(400),
    )
    def list(
        self,
        market: Marketplace,
        open_on: Annotated[date | None, Parameter(description="Windows open on this UK day (YYYY-MM-DD).")] = None,
        closing_from: Annotated[
            date | None, Parameter(description="Windows closing on or after this UK day (YYYY-MM-DD).")
        ] = None,
        cursor: Cursor = None,
        limit: Limit = 100,
    ) -> ChallengeWindowPage:
        today = uk_date(market.clock.now())
        on = within_years(open_on, "open_on") if open_on else None
        closing = within_years(closing_from, "closing_from") if closing_from else None
        if on is None and closing is None:
            closing = today
        with market.views() as session:
            rows, next_cursor = search_windows(session, on, closing, cursor, limit)
        return ChallengeWindowPage([challenge_window(row, today) for row in rows], next_cursor)
