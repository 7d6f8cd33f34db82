"""The Litestar application factory."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from litestar import Litestar
from litestar.datastructures import State
from litestar.di import Provide
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme

from api.audit import AuditController
from api.auth import BearerTokenMiddleware
from api.bids import BidController, TenderBidsController
from api.chronograph import Chronograph
from api.contracts import AwardController, ContractController, TenderContractsController
from api.decisions import DecisionController
from api.evaluation import EvaluationController
from api.health import HealthController
from api.ocds import OpenContractingController
from api.openapi import document_unknown_fields_refused
from api.organisations import OrganisationController
from api.problems import EXCEPTION_HANDLERS
from api.registrations import DirectoryController, RegistrationController
from api.tenders import TenderController
from api.text import refuse_nul_in_url
from marketplace.service import Marketplace
from marketplace.settings import Settings
from marketplace.tokens import TokenReader, jwt_secret

CONTROLLERS: list[Any] = [
    HealthController,
    OrganisationController,
    TenderController,
    TenderBidsController,
    BidController,
    EvaluationController,
    TenderContractsController,
    ContractController,
    AwardController,
    OpenContractingController,
    RegistrationController,
    DirectoryController,
    AuditController,
    DecisionController,
]


def widen_thread_pool() -> None:
    """Blocking handlers run in the loop's default executor; commands wait there for the group-commit
    writer, so the pool's size bounds how many commit together (the default is only cpus + 4)."""
    asyncio.get_running_loop().set_default_executor(ThreadPoolExecutor(max_workers=32, thread_name_prefix="handler"))


def create_app(market: Marketplace | None = None, settings: Settings | None = None) -> Litestar:
    """Build the API around a running marketplace (made from the environment when not given)."""
    settings = settings or (market.settings if market else Settings.from_env())
    market = market or Marketplace(settings)
    state = State({"market": market, "read_token": TokenReader(jwt_secret(settings))})

    def provide_market() -> Marketplace:
        return market

    ticker = Chronograph(market, settings.tick_seconds)

    return Litestar(
        route_handlers=CONTROLLERS,
        state=state,
        dependencies={"market": Provide(provide_market, sync_to_thread=False)},
        middleware=[DefineMiddleware(BearerTokenMiddleware, exclude=["/schema"])],
        exception_handlers=EXCEPTION_HANDLERS,
        request_max_body_size=settings.max_body_bytes,
        openapi_config=OpenAPIConfig(
            title="Marketplace",
            version="1.0.0",
            description="A council's commissioning marketplace: providers, tenders, bids, grants and audit.",
            path="/schema",
            render_plugins=[SwaggerRenderPlugin()],
            components=Components(
                security_schemes={"bearerAuth": SecurityScheme(type="http", scheme="bearer", bearer_format="JWT")}
            ),
        ),
        on_startup=[document_unknown_fields_refused, widen_thread_pool, ticker.start],
        on_shutdown=[ticker.stop, market.close],
        before_request=refuse_nul_in_url,
        debug=False,
    )
