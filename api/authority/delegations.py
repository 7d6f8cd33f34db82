"""The scheme of delegation: its entries recorded and revoked by an admin, read by the council's officers and
auditors, so anyone checking a decision can see the authority it was made under (domain/authority)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, get, post
from sqlalchemy.orm import Session

from api.as_it_stood import Asked, AsOf, Version, read_record, reads_as_it_stood
from api.auth import requires
from api.commanding import BLOCKING, answer, command_from, command_request, record_id, writes
from api.fields import DecisionBody, Money
from api.paging import Cursor, Limit
from api.problems import problem_responses
from api.rendering import utc
from domain.authority.delegation import BeyondLimit, DecisionKind, Delegation, DelegationStatus, DelegationTerms
from marketplace.access import COUNCIL_READERS
from marketplace.authority.access import KEEP_SCHEME
from marketplace.authority.services import Delegations
from marketplace.outcome import Outcome
from marketplace.service import Marketplace
from projections.authority.delegations import find_delegation, search_delegations

delegation_id = record_id("delegation")
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
READERS = [requires(*sorted(COUNCIL_READERS))]


class HoldersBody(msgspec.Struct, forbid_unknown_fields=True):
    subjects: Annotated[list[Name], msgspec.Meta(max_length=100)] = []
    teams: Annotated[list[Name], msgspec.Meta(max_length=100)] = []
    roles: Annotated[
        list[Annotated[str, msgspec.Meta(pattern="^(commissioner|admin)$")]], msgspec.Meta(max_length=2)
    ] = []


class DelegationBody(msgspec.Struct, forbid_unknown_fields=True):
    decision: DecisionKind
    holders: HoldersBody
    source: Annotated[str, msgspec.Meta(min_length=3, max_length=500, description="Where the constitution says so.")]
    up_to: Annotated[Money | None, msgspec.Meta(description="The most its holders may decide; none: no limit.")] = None
    beyond_limit: Annotated[
        BeyondLimit,
        msgspec.Meta(description="A decision beyond the limit: refused, or held for an officer who holds more."),
    ] = BeyondLimit.REFUSED


class DelegationView(msgspec.Struct):
    id: str
    owner: str
    decision: str
    holders: HoldersBody
    source: str
    up_to: Decimal | None
    beyond_limit: str
    status: str
    recorded_at: datetime | None
    version: int


class DelegationPage(msgspec.Struct):
    items: list[DelegationView]
    next_cursor: str | None = None


def _from_row(row: dict[str, Any]) -> DelegationView:
    return DelegationView(
        id=row["id"],
        owner=row["owner"],
        decision=row["decision"],
        holders=HoldersBody(list(row["subjects"]), list(row["teams"]), list(row["roles"])),
        source=row["source"],
        up_to=None if row["up_to"] is None else Decimal(row["up_to"]),
        beyond_limit=row["beyond_limit"],
        status=row["status"],
        recorded_at=utc(row["recorded_at"]),
        version=row["version"],
    )


def _from_aggregate(delegation: Delegation) -> DelegationView:
    return DelegationView(
        id=str(delegation.id),
        owner=delegation.owner,
        decision=delegation.decision,
        holders=HoldersBody(list(delegation.subjects), list(delegation.teams), list(delegation.roles)),
        source=delegation.source,
        up_to=delegation.up_to,
        beyond_limit=delegation.beyond_limit,
        status=delegation.status.value,
        recorded_at=utc(delegation.created_on),
        version=delegation.version,
    )


def _respond(market: Marketplace, outcome: Outcome, created: bool = False) -> Response[DelegationView]:
    location = (lambda d: f"/delegations/{d.id}") if created else None
    return answer(market, outcome, Delegation, _from_aggregate, location)


class DelegationController(Controller):
    path = "/delegations"
    tags = ["authority"]

    @post(summary="Record an entry of the scheme of delegation (admin)", **writes(KEEP_SCHEME, created=True))
    def record(
        self, market: Marketplace, request: Request[Any, Any, Any], data: DelegationBody
    ) -> Response[DelegationView]:
        terms = command_from(data, DelegationTerms)
        return _respond(market, market.service(Delegations).record(command_request(request, data), terms), True)

    @get(
        summary="The scheme of delegation (council officers and auditors)",
        guards=READERS,
        security=[{"bearerAuth": []}],
        responses=problem_responses(400, 401, 403),
        **BLOCKING,
    )
    def list(
        self,
        market: Marketplace,
        decision: DecisionKind | None = None,
        status: DelegationStatus | None = None,
        cursor: Cursor = None,
        limit: Limit = 100,
    ) -> DelegationPage:
        with market.views() as session:
            rows, next_cursor = search_delegations(
                session, decision.value if decision else None, status.value if status else None, cursor, limit
            )
        return DelegationPage([_from_row(row) for row in rows], next_cursor)

    @get(
        "/{delegation:str}",
        summary="One entry of the scheme, now or as it stood",
        guards=READERS,
        security=[{"bearerAuth": []}],
        **reads_as_it_stood(400, 401, 403, 404),
    )
    def read(
        self, market: Marketplace, delegation: str, version: Version = None, as_of: AsOf = None
    ) -> Response[DelegationView]:
        def now(session: Session) -> tuple[DelegationView, int] | None:
            row = find_delegation(session, str(delegation_id(delegation)))
            return None if row is None else (_from_row(row), row["version"])

        asked = Asked(Delegation, delegation_id(delegation), "delegation", delegation)
        return read_record(market, asked, version, as_of, then=lambda s: _from_aggregate(s.aggregate), now=now)

    @post("/{delegation:str}/revoke", summary="Revoke an entry, with a reason (admin)", **writes(KEEP_SCHEME))
    def revoke(
        self, market: Marketplace, request: Request[Any, Any, Any], delegation: str, data: DecisionBody
    ) -> Response[DelegationView]:
        outcome = market.service(Delegations).revoke(
            command_request(request, data), delegation_id(delegation), data.reason
        )
        return _respond(market, outcome)
