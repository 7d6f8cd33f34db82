"""Who is calling: the bearer token becomes an Actor; guards check roles per route."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import anyio.to_thread
from litestar.connection import ASGIConnection
from litestar.exceptions import ClientException, NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult

from domain.base import Actor, Role
from domain.organisations.organisation import canonical
from marketplace.access import SIGNED_IN
from marketplace.people.access import LEFT_MESSAGE, Memberships, Source, may_act, memberships, standing
from marketplace.service import Marketplace
from marketplace.tokens import InvalidToken, NotPermitted, SignedIn, TokenReader

READS = frozenset({"GET", "HEAD", "OPTIONS"})  # a command checks its own caller's standing, in its transaction
ORGANISATION_HEADER = "x-organisation"  # which organisation a person the people registers list acts for
CHOICE = {"rule": "OneOfYourOrganisations", "field": "X-Organisation"}
Guard = Callable[[ASGIConnection[Any, Any, Any, Any], BaseRouteHandler], None]


class BearerTokenMiddleware(AbstractAuthenticationMiddleware):
    """Anonymous callers pass through (public reads); a bad token is refused outright (401), and a genuine one
    whose sign-in provider gives the person no role here is refused too (403), as is the token of someone the
    people registers say has left (or, with development tokens off, of someone in neither register) when it reads:
    a write's command checks the same, once, in its own transaction (marketplace/commands.py).

    A token whose provider names no organisation (`organisation_from: people`) acts for the organisation whose
    people register lists its subject, looked up on every request (`acting_for_registers`).

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
        read: TokenReader = connection.app.state.read_token
        try:
            signed_in = read.remembered(token)
            if signed_in is None:
                signed_in = await anyio.to_thread.run_sync(read.sign_in, token)
        except InvalidToken as error:
            raise NotAuthorizedException(str(error)) from None  # the reader's own words, never a library's
        except NotPermitted as error:
            raise PermissionDeniedException(str(error)) from None
        chosen = connection.headers.get(ORGANISATION_HEADER, "").strip() or None
        reading = connection.scope.get("method") in READS  # a write's standing is checked in its command
        actor = signed_in.actor
        if signed_in.organisation_from_people or reading:
            market: Marketplace = connection.app.state.market
            if market.settings.is_sqlite:  # an index lookup in a local file: cheaper than a hop to a thread and back
                actor = admitted(market, signed_in, chosen, reading)
            else:
                actor = await anyio.to_thread.run_sync(admitted, market, signed_in, chosen, reading)
        else:
            check_chosen(actor, chosen)
        return AuthenticationResult(user=actor, auth=token)


def admitted(market: Marketplace, signed_in: SignedIn, chosen: str | None, reading: bool) -> Actor:
    """The actor the request acts as, with its organisation from the people registers when its provider says so;
    on a read, refused (403) when they may not act (`standing_refusal`). One session on the views for both."""
    actor = signed_in.actor
    with market.views() as session:
        if signed_in.organisation_from_people:
            actor = acting_for_registers(memberships(session, actor.subject), actor, chosen, reading)
        else:
            check_chosen(actor, chosen)
        refusal = standing_refusal(session, market.settings.dev_tokens, actor) if reading else None
    if refusal is not None:
        raise PermissionDeniedException(refusal, extra={"rule": "PersonStanding"})
    return actor


def acting_for_registers(found: Memberships, actor: Actor, chosen: str | None, reading: bool) -> Actor:
    """The actor acting for the organisation whose people register lists them as active: the one chosen with
    X-Organisation, which must be one of theirs, or their only one; someone listed in several must choose (400).
    Someone who left every organisation that listed them acts no more (403). Someone no register lists acts for no
    organisation: they may read, and are refused (403) any write, for every write acts for an organisation (and an
    organisation they name, for no register makes them its own). Not a 401: their sign-in is good, and signing in
    again would not help; the refusal names their subject, for the owner who adds them."""
    if not found.active:
        if found.left:
            raise PermissionDeniedException(LEFT_MESSAGE, extra={"rule": "PersonStanding"})
        if chosen is not None or not reading:
            raise PermissionDeniedException(in_no_register(actor.subject), extra={"rule": "InAPeopleRegister"})
        return actor
    if chosen is not None:
        organisation = canonical(chosen)
        if organisation not in found.active:
            raise PermissionDeniedException(not_one_of_theirs(organisation, found), extra=CHOICE)
    elif len(found.active) > 1:
        raise ClientException(choose_one(found), extra={**CHOICE, "rule": "OrganisationChosen"})
    else:
        (organisation,) = found.active
    return replace(actor, organisation=organisation)


def check_chosen(actor: Actor, chosen: str | None) -> None:
    """A token that names its organisation acts for that one: an X-Organisation naming another is refused (403)
    rather than ignored, so a client never believes it acts for an organisation it does not."""
    if chosen is not None and canonical(chosen) != actor.organisation:
        acting = actor.organisation or "no organisation"
        raise PermissionDeniedException(
            f"X-Organisation names {chosen}, but your sign-in is for {acting}: leave the header out, or sign in for "
            f"{chosen}.",
            extra=CHOICE,
        )


def not_one_of_theirs(organisation: str, found: Memberships) -> str:
    return (
        f"X-Organisation names {organisation}, but its people register does not list you as one of its active "
        f"people: you act for {_either(found.active)}."
    )


def choose_one(found: Memberships) -> str:
    return (
        f"You are one of the people of {_either(found.active, 'and')}: say which organisation you act for with an "
        f"X-Organisation header, e.g. X-Organisation: {found.active[0]}."
    )


def in_no_register(subject: str) -> str:
    return (
        f"No organisation's people register lists you ({subject}), so you act for no organisation and may change "
        "nothing here: ask your organisation's owner to add you with that subject (POST /organisations/{id}/people), "
        "or the council to register your organisation with you as its first owner."
    )


def _either(organisations: tuple[str, ...], joining: str = "or") -> str:
    *others, last = organisations
    return f"{', '.join(others)} {joining} {last}" if others else last


def standing_refusal(source: Source, dev_tokens: bool, actor: Actor) -> str | None:
    """Why the person may not act here (they left; or, with development tokens off, they are in no register),
    or None: read and write alike, from the moment the register records it (marketplace/people/access.py)."""
    return may_act(standing(source, actor), dev_tokens)


def current_actor(connection: ASGIConnection[Any, Any, Any, Any]) -> Actor | None:
    user = connection.scope.get("user")
    return user if isinstance(user, Actor) else None


def signed_in_reader(connection: ASGIConnection[Any, Any, Any, Any]) -> Actor:
    """The caller of a route guarded by `requires` (or `SIGNED_IN_READS`): never anonymous there."""
    reader = current_actor(connection)
    assert reader is not None, "the route is guarded"
    return reader


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


# A read for anyone signed in (the route then narrows what each reader sees), documented as needing a token.
SIGNED_IN_READS: dict[str, Any] = {
    "guards": [requires(*sorted(SIGNED_IN))],
    "security": [{"bearerAuth": []}],
}


def acts_for(actor: Actor, organisation: str) -> bool:
    """Providers act only for their own organisation; council officers act for any."""
    return actor.role in (Role.COMMISSIONER, Role.ADMIN) or actor.organisation == organisation


def ensure_acts_for(actor: Actor, organisation: str) -> None:
    if not acts_for(actor, organisation):
        raise PermissionDeniedException(f"You act for {actor.organisation}, not for {organisation}.")
