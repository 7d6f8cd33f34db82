"""The public directory of care micro-enterprises: listed and in date only, by the clock at the request."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get
from litestar.params import Parameter

from api.care.bodies import DirectoryPage
from api.care.presenters import directory_entry
from api.commanding import BLOCKING
from api.organisations.routes import Search, searched_words
from api.paging import Cursor, Limit
from api.problems import problem_responses
from domain.care.micro_enterprise import CareService
from domain.values import district as postcode_district
from marketplace.care.services import Registrations
from marketplace.service import Marketplace
from projections.care.registrations import search_directory


class DirectoryController(Controller):
    path = "/directory"
    tags = ["care micro-enterprises"]

    @get(
        summary="Find care micro-enterprises: listed and in date only",
        responses=problem_responses(400, 422),
        **BLOCKING,
    )
    def search(  # noqa: PLR0913 - Litestar reads, validates and documents each query parameter from its own argument
        self,
        market: Marketplace,
        *,
        service: CareService | None = None,
        district: Annotated[str | None, Parameter(max_length=4, description="a postcode district, e.g. SY7")] = None,
        parish: Annotated[str | None, Parameter(max_length=100)] = None,
        min_hours: Annotated[int | None, Parameter(ge=0, le=10_000, description="available hours a week")] = None,
        q: Search = None,
        cursor: Cursor = None,
        limit: Limit = 100,
    ) -> DirectoryPage:
        """By service, postcode district or parish, and the hours a week it can take on now, and by words (`q`: trading
        name, services, districts, parishes); pages by `next_cursor`."""
        words = searched_words(q)
        area = postcode_district(district, "district") if district else None
        now, policy = market.clock.now(), market.service(Registrations).policy
        with market.views() as session:
            rows, next_cursor = search_directory(
                session,
                now,
                service=service.value if service else None,
                district=area,
                parish=" ".join(parish.split()) if parish else None,
                min_hours=min_hours,
                words=words,
                cursor=cursor,
                limit=limit,
            )
        return DirectoryPage([directory_entry(row, now, policy) for row in rows], next_cursor)
