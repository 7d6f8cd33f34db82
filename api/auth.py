"""Who is calling: the bearer token becomes an Actor; guards check roles per route."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult

from domain.base import Actor, Role
from marketplace.tokens import InvalidToken

Guard = Callable[[ASGIConnection[Any, Any, Any, Any], BaseRouteHandler], None]


class BearerTokenMiddleware(AbstractAuthenticationMiddleware):
    """Anonymous callers pass through (public reads); a bad token is refused outright."""

    async def authenticate_request(self, connection: ASGIConnection[Any, Any, Any, Any]) -> AuthenticationResult:
        header = connection.headers.get("authorization")
        if not header:
            return AuthenticationResult(user=None, auth=None)
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise NotAuthorizedException("Use an Authorization: Bearer <token> header.")
        try:
            actor = connection.app.state.read_token(token.strip())
        except InvalidToken as error:
            raise NotAuthorizedException(str(error)) from None  # the reader's own words, never a library's
        return AuthenticationResult(user=actor, auth=token)


def current_actor(connection: ASGIConnection[Any, Any, Any, Any]) -> Actor | None:
    user = connection.scope.get("user")
    return user if isinstance(user, Actor) else None


def requires(*roles: Role) -> Guard:
    """A guard: the caller must be signed in with one of these roles."""

    def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        actor = current_actor(connection)
        if actor is None:
            raise NotAuthorizedException("Sign in: this action needs a bearer token.")
        if actor.role not in roles:
            allowed = ", ".join(role.value for role in roles)
            raise PermissionDeniedException(f"This action is for the {allowed} role, not {actor.role.value}.")

    return guard


def acts_for(actor: Actor, organisation: str) -> bool:
    """Providers act only for their own organisation; council officers act for any."""
    return actor.role in (Role.COMMISSIONER, Role.ADMIN) or actor.organisation == organisation


def ensure_acts_for(actor: Actor, organisation: str) -> None:
    if not acts_for(actor, organisation):
        raise PermissionDeniedException(f"You act for {actor.organisation}, not for {organisation}.")
