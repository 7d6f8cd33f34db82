"""The Litestar application factory."""

from __future__ import annotations

import asyncio
import importlib
import pkgutil
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import Any

from litestar import Controller, Litestar, Request, Router
from litestar.datastructures import State
from litestar.di import Provide
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme
from litestar.static_files import create_static_files_router
from swagger_ui_bundle import swagger_ui_path

from api.audit import AuditController
from api.auth import BearerTokenMiddleware
from api.chronograph import Chronograph
from api.decisions import DecisionController
from api.decoding import BODY_RULES, refuse_bodies_that_are_not_json
from api.health import HealthController
from api.openapi import document_problems, document_unknown_fields_refused
from api.problems import EXCEPTION_HANDLERS
from api.query import refuse_unknown_query_parameters
from api.text import refuse_nul_in_url
from api.throttle import WRITES, WriteLimits, WriteThrottle, write_limit
from marketplace.oidc import token_reader
from marketplace.service import Marketplace
from marketplace.settings import Settings

PLATFORM_CONTROLLERS: list[type[Controller]] = [HealthController, AuditController, DecisionController]


def context_controllers(root: str = "api") -> list[type[Controller]]:
    """Every controller defined in the API's context folders (`api/tendering/`, `api/care/`, ...), found by
    walking them: a new context's routes, or a new controller in a known one, are served with no list to keep."""
    found: list[type[Controller]] = []
    contexts = [f"{root}.{m.name}" for m in pkgutil.iter_modules(importlib.import_module(root).__path__) if m.ispkg]
    for package in contexts:
        for module in pkgutil.walk_packages(importlib.import_module(package).__path__, package + "."):
            for value in vars(importlib.import_module(module.name)).values():
                if isinstance(value, type) and issubclass(value, Controller) and value.__module__ == module.name:
                    found.append(value)
    return found


ASSETS = "/schema/assets"  # Swagger UI's own files, from the swagger-ui-bundle-v2 package


def offline_swagger() -> SwaggerRenderPlugin:
    """The API docs page with every file it loads served from here: a council network that blocks CDNs, or a
    machine with no network, still shows the docs."""
    return SwaggerRenderPlugin(
        js_url=f"{ASSETS}/swagger-ui-bundle.js",
        css_url=f"{ASSETS}/swagger-ui.css",
        standalone_preset_js_url=f"{ASSETS}/swagger-ui-standalone-preset.js",
        favicon=f"<link rel='icon' type='image/png' href='{ASSETS}/favicon-32x32.png'>",
    )


def swagger_assets() -> Router:
    return create_static_files_router(
        path=ASSETS, directories=[Path(str(swagger_ui_path))], include_in_schema=False, name="swagger-assets"
    )


def widen_thread_pool() -> None:
    """Blocking handlers run in the loop's default executor; commands wait there for the group-commit
    writer, so the pool's size bounds how many commit together (the default is only cpus + 4)."""
    asyncio.get_running_loop().set_default_executor(ThreadPoolExecutor(max_workers=32, thread_name_prefix="handler"))


async def at_the_door(request: Request[Any, Any, Any]) -> None:
    """Before every route, what every route refuses alike. Litestar runs one before_request hook, the
    innermost layer's: a controller or route that set its own would skip these, so none does."""
    refuse_nul_in_url(request)
    refuse_unknown_query_parameters(request)
    await refuse_bodies_that_are_not_json(request)


def document_door_refusals(settings: Settings) -> Callable[[Litestar], None]:
    """On startup: every route that takes a body may answer 415, every write 429 when writes are limited."""

    def document(app: Litestar) -> None:
        for item in (app.openapi_schema.paths or {}).values():
            for method in WRITES:
                operation = getattr(item, method.lower(), None)
                refused = (operation.responses or {}).get("400") if operation else None
                if operation is None or operation.responses is None or refused is None:
                    continue
                if operation.request_body is not None:
                    operation.responses["415"] = replace(refused, description="Unsupported media type: send JSON")
                if settings.write_rate > 0:
                    operation.responses["429"] = replace(refused, description="Too many writes: see Retry-After")

    return document


def middleware(settings: Settings) -> list[DefineMiddleware]:
    """The bearer middleware names the caller; the write throttle, after it, counts the caller's writes."""
    stack = [DefineMiddleware(BearerTokenMiddleware, exclude=["/schema"])]
    if settings.write_rate > 0:
        stack.append(DefineMiddleware(WriteThrottle, limits=WriteLimits(settings.write_rate, settings.write_burst)))
    return stack


def provide_market(state: State) -> Marketplace:
    """The marketplace the app serves (its state's: `serve_another` may point the app at another)."""
    market: Marketplace = state.market
    return market


def serve_another(app: Litestar, market: Marketplace) -> None:
    """Point a built app at another marketplace of the same settings, its clock with it. Building an app costs
    more than most requests (every route's signature parsed, the OpenAPI document made), so the test suite builds
    one per settings and serves each test's marketplace with it."""
    app.state.market = market
    app.state.chronograph.market = market


def document_once(settings: Settings) -> Callable[[Litestar], None]:
    """On startup: the OpenAPI document says what the service enforces; made once per app, however often the
    app starts."""
    door = document_door_refusals(settings)

    def document(app: Litestar) -> None:
        if app.state.get("documented"):
            return
        for step in (document_unknown_fields_refused, door, document_problems):
            step(app)
        app.state.documented = True

    return document


def create_app(market: Marketplace | None = None, settings: Settings | None = None) -> Litestar:
    """Build the API around a running marketplace (made from the environment when not given)."""
    settings = settings or (market.settings if market else Settings.from_env())
    owned = market is None  # the app closes only a marketplace it made: a caller's may outlive it
    market = market or Marketplace(settings)
    ticker = Chronograph(market, settings.tick_seconds)
    state = State({"market": market, "read_token": token_reader(settings), "chronograph": ticker})

    return Litestar(
        route_handlers=[*PLATFORM_CONTROLLERS, *context_controllers(), swagger_assets()],
        state=state,
        dependencies={"market": Provide(provide_market, sync_to_thread=False)},
        middleware=middleware(settings),
        exception_handlers=EXCEPTION_HANDLERS,
        request_max_body_size=settings.max_body_bytes,
        openapi_config=OpenAPIConfig(
            title="Marketplace",
            version="1.0.0",
            description=(
                "A council's commissioning marketplace: providers, tenders, bids, grants and audit. "
                f"{BODY_RULES} {write_limit(settings.write_rate, settings.write_burst)} "
                f"Bearer tokens live at most {settings.token_max_hours:g} hours from their issue."
            ),
            path="/schema",
            render_plugins=[offline_swagger()],
            components=Components(
                security_schemes={"bearerAuth": SecurityScheme(type="http", scheme="bearer", bearer_format="JWT")}
            ),
        ),
        on_startup=[document_once(settings), widen_thread_pool, ticker.start],
        on_shutdown=[ticker.stop, *([market.close] if owned else [])],
        before_request=at_the_door,
        debug=False,
    )
