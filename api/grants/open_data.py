"""360Giving open data: every grant made, as the standard's JSON package and its flat CSV. Anonymous, like all
open data; the identifiers' prefix is the setting MARKETPLACE_360G_PREFIX."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Response, get
from litestar.openapi.datastructures import ResponseSpec
from litestar.response import Stream

from api.commanding import BLOCKING
from marketplace.service import Marketplace
from projections.grants.threesixty import Publisher, flat_csv, grant_records, package


def publisher(market: Marketplace) -> Publisher:
    settings = market.settings
    return Publisher(settings.grants_prefix, settings.publisher_name, settings.publisher_identifier)


class ThreeSixtyGivingController(Controller):
    path = "/open-data"
    tags = ["open data"]

    @get(
        "/360giving.json",
        summary="Every grant made, as a 360Giving JSON package (schema 1.4)",
        responses={204: ResponseSpec(data_container=None, description="No grant has been made yet.")},
        **BLOCKING,
    )
    def json_package(self, market: Marketplace) -> Response[dict[str, Any] | None]:
        """No package before the first grant: the standard's package holds at least one."""
        found = package(market.views, publisher(market))
        if not found["grants"]:
            return Response(None, status_code=204)
        return Response(found, media_type="application/json")

    @get(
        "/360giving.csv", summary="Every grant made, in the 360Giving flat CSV form", media_type="text/csv", **BLOCKING
    )
    def csv(self, market: Marketplace) -> Stream:
        return Stream(
            flat_csv(grant_records(market.views, publisher(market))),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="360giving.csv"'},
        )
