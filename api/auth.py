"""Who is calling: the bearer token becomes an Actor; guards check roles per route."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import anyio.to_thread
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult

from domain.base import Actor, Role
from marketplace.people.access import may_act, standing
from marketplace.service import Marketplace
from marketplace.tokens import InvalidToken, NotPermitted

READS = frozenset({"GET", "HEAD", "OPTIONS"})  # a command checks its own caller's standing, in its transaction
Guard = Callable[[ASGIConnection[Any, Any, Any, Any], BaseRouteHandler], None]


class BearerTokenMiddleware(AbstractAuthenticationMiddleware):
    """Anonymous callers pass through (public reads); a bad token is refused outright (401), and a genuine one
    whose sign-in provider gives the person no role here is refused too (403), as is the token of someone the
    people registers say has left (or, with development tokens off, of someone in neither register) when it reads:
    a write's command checks the same, once, in its own transaction (marketplace/commands.py).

    A token the reader remembers is answered at once; any other is read in a worker thread, for reading it may
    fetch a sign-in provider's keys, and a blocking fetch must not stall the event loop."""

    async def authenticate_request(self, connection: ASGIConnection[Any, Any, Any, Any]) -> AuthenticationResult:
        header = connection.headers.get("authorization")
        if not header:
            return AuthenticationResult(user=None, auth=None)
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise NotAuthorizedException("Use an Authorization: Bearer <token> header.")
        token = token.strip()
        read = connection.app.state.read_token
        remembered = getattr(read, "remembered", None)
        try:
            actor = remembered(token) if remembered is not None else None
            if actor is None:
                actor = await anyio.to_thread.run_sync(read, token)
        except InvalidToken as error:
            raise NotAuthorizedException(str(error)) from None  # the reader's own words, never a library's
        except NotPermitted as error:
            raise PermissionDeniedException(str(error)) from None
        refusal = None
        if actor is not None and connection.scope.get("method") in READS:  # a write is checked in its command
            market: Marketplace = connection.app.state.market
            refusal = await anyio.to_thread.run_sync(standing_refusal, market, actor)
        if refusal is not None:
            raise PermissionDeniedException(refusal)
        return AuthenticationResult(user=actor, auth=token)


def standing_refusal(market: Marketplace, actor: Actor) -> str | None:
    """Why the person may not act here (they left; or, with development tokens off, they are in no register),
    or None: read and write alike, from the moment the register records it (marketplace/people/access.py)."""
    return may_act(standing(market, actor), market.settings.dev_tokens)


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
