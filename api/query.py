"""A query parameter a route does not take is refused (400 naming it), not silently ignored.

A client that misspells a filter (`?stauts=open`) would otherwise get every record and believe it
filtered them. What a route takes is what Litestar itself reads for it (its handler's parameters and
its dependencies', under their query aliases), learned once per application from its routes.
"""

from __future__ import annotations

from typing import Any

from litestar import Litestar, Request
from litestar.exceptions import ClientException
from litestar.routes import HTTPRoute

STATE_KEY = "query_parameters"  # in the application's state: handler id -> the query parameters it takes


def _query_parameters(app: Litestar) -> dict[int, frozenset[str]]:
    found: dict[int, frozenset[str]] = {}
    for route in app.routes:
        if isinstance(route, HTTPRoute):
            for handler, kwargs in route.route_handler_map.values():
                found[id(handler)] = frozenset(p.field_alias for p in kwargs.expected_query_params)
    return found


def refuse_unknown_query_parameters(request: Request[Any, Any, Any]) -> None:
    """Before any route: every query parameter must be one the route takes."""
    if not request.scope.get("query_string"):
        return
    state = request.app.state
    known: dict[int, frozenset[str]] | None = state.get(STATE_KEY)
    if known is None:
        known = state[STATE_KEY] = _query_parameters(request.app)
    taken = known.get(id(request.route_handler))
    if taken is None:
        return
    unknown = sorted(set(request.query_params) - taken)
    if unknown:
        names = ", ".join(sorted(taken)) or "none"
        raise ClientException(
            f"Unknown query parameter {', '.join(unknown)}: this route takes {names}.", extra={"field": unknown[0]}
        )
