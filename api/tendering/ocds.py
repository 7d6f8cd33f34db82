"""Open data: OCDS 1.1 release packages (a feed in log order) and record packages, public to anyone."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Response, get
from litestar.datastructures import ResponseHeader
from litestar.openapi import ResponseSpec
from litestar.params import Parameter

from api.audit import LAST_POSITION
from api.commanding import BLOCKING
from api.problems import problem_responses
from marketplace.service import Marketplace
from marketplace.tendering.ocds import Document, record_package, release_package

NEXT_AFTER = ResponseHeader(
    name="X-Next-After",
    description="The position to continue from: pass it as `after` to read what is published next.",
    documentation_only=True,
)


class OpenContractingController(Controller):
    path = "/ocds"
    tags = ["open data"]

    @get(
        "/releases",
        summary="OCDS release packages: every published change of every tender, in log order, after a position",
        responses={
            **problem_responses(400),
            204: ResponseSpec(data_container=None, description="Nothing is published after this position yet."),
        },
        response_headers=[NEXT_AFTER],
        **BLOCKING,
    )
    def releases(
        self,
        market: Marketplace,
        after: Annotated[int, Parameter(ge=0, le=LAST_POSITION, description="The position already read.")] = 0,
        limit: Annotated[int, Parameter(ge=1, le=1000, description="At most this many releases.")] = 100,
    ) -> Response[Document | None]:
        """Drafts never appear, and sealed bids stay sealed: see docs/ocds.md. `links.next` when more follow.

        URLs are under MARKETPLACE_PUBLIC_URL, whatever Host the request names."""
        page = release_package(market, after, limit)
        headers = {"X-Next-After": str(page.next_after)}
        if page.package is None:
            return Response(None, status_code=204, headers=headers)
        return Response(page.package, headers=headers)

    @get(
        "/records/{ocid:str}",
        summary="An OCDS record package: a tender's releases and its compiled release",
        responses=problem_responses(404),
        **BLOCKING,
    )
    def record(self, market: Marketplace, ocid: str) -> Document:
        return record_package(market, ocid)
