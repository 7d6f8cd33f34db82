"""What every write route shares: reading the caller's intent from headers, and answering.

Idempotency-Key (POST), If-Match (optimistic concurrency), X-Request-ID (correlation),
and the answer's ETag (the aggregate's version) and X-Event-Position (where in the log).
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Callable
from typing import Any, TypeVar
from uuid import UUID

import msgspec
from litestar import Request, Response
from litestar.datastructures import ResponseHeader
from litestar.exceptions import ClientException

from api.auth import current_actor, requires
from api.problems import problem_responses
from api.text import refuse_nul_in_body
from domain.base import MarketplaceAggregate, Role
from domain.rules import NotFound
from marketplace.access import Permit
from marketplace.commands import CommandRequest
from marketplace.outcome import Outcome
from marketplace.service import Marketplace

T = TypeVar("T")


def command_from(body: msgspec.Struct, kind: type[T], **parsed: Any) -> T:
    """The domain command (a frozen dataclass) a request body carries, converted whole (nested bodies into the
    domain's values; an enum the body decoded stays itself), with `parsed` in place of the fields the route
    reads itself (a day parsed from text, say)."""
    return msgspec.convert({**msgspec.structs.asdict(body), **parsed}, kind, from_attributes=True)


A = TypeVar("A", bound=MarketplaceAggregate)
_ETAG = re.compile(r'^(?:W/)?"?(\d{1,12})"?$')
_TOKEN = re.compile(r"^[A-Za-z0-9._:\-]{1,200}$")

# Handlers that touch the database run in the thread pool, off the event loop.
BLOCKING: dict[str, Any] = {"sync_to_thread": True}

WRITE_HEADERS = [
    ResponseHeader(name="ETag", description="The record's version after the change.", documentation_only=True),
    ResponseHeader(
        name="X-Event-Position", description="Position of the change in the event log.", documentation_only=True
    ),
]


def _header_token(request: Request[Any, Any, Any], name: str) -> str | None:
    value = request.headers.get(name)
    if value is None:
        return None
    if not _TOKEN.match(value):
        raise ClientException(f"{name} must be 1-200 letters, digits or ._:- characters.", extra={"field": name})
    return value


def expected_version(request: Request[Any, Any, Any]) -> int | None:
    value = request.headers.get("if-match")
    if value is None or value.strip() == "*":
        return None
    match = _ETAG.match(value.strip())
    if not match:
        raise ClientException('If-Match must be an ETag this service gave, such as "3".', extra={"field": "If-Match"})
    return int(match.group(1))


def command_request(request: Request[Any, Any, Any], data: Any = None) -> CommandRequest:
    actor = current_actor(request)
    assert actor is not None, "write routes are guarded"
    body = msgspec.json.encode(data) if data is not None else b""
    if b"\\u0000" in body:  # JSON writes NUL only so: the body is searched only when it may hold one
        refuse_nul_in_body(data)
    fingerprint = hashlib.sha256(request.method.encode() + request.url.path.encode() + b"\n" + body).hexdigest()
    return CommandRequest(
        actor=actor,
        correlation_id=_header_token(request, "X-Request-ID") or uuid.uuid4().hex,
        idempotency_key=_header_token(request, "Idempotency-Key") if request.method == "POST" else None,
        fingerprint=fingerprint,
        expected_version=expected_version(request),
    )


def written(outcome: Outcome, body: T, *, created_at: str | None = None) -> Response[T]:
    """The answer to a command: 201 with Location when it created the record, else 200."""
    headers = {"ETag": f'"{outcome.version}"', "X-Event-Position": str(outcome.position)}
    if created_at:
        headers["Location"] = created_at
    return Response(body, status_code=201 if created_at else 200, headers=headers)


def answer(
    market: Marketplace,
    outcome: Outcome,
    kind: type[A],
    render: Callable[[A], T],
    location: Callable[[A], str] | None = None,
) -> Response[T]:
    """Answer a command with the record as the command left it (as it stood then, when replayed)."""
    aggregate = outcome.aggregate
    if not isinstance(aggregate, kind):
        aggregate = market.commands.load(kind, UUID(outcome.aggregate_id), outcome.version)
    return written(outcome, render(aggregate), created_at=location(aggregate) if location else None)


def writes(*allowed: Role | Permit, created: bool = False) -> dict[str, Any]:
    """Route options every write shares: who may call it (the roles of the service's own permit, so the route
    refuses at the door whom the service would refuse), what it may answer, how it is documented."""
    roles = [role for item in allowed for role in (sorted(item.roles) if isinstance(item, Permit) else [item])]
    return {
        "guards": [requires(*roles)],
        "status_code": 201 if created else 200,
        "responses": problem_responses(400, 401, 403, 404, 409, 412, 413, 422),
        "security": [{"bearerAuth": []}],
        "response_headers": WRITE_HEADERS,
        **BLOCKING,
    }


def etag(version: int) -> dict[str, str]:
    return {"ETag": f'"{version}"'}


def record_id(what: str) -> Callable[[str], UUID]:
    """A parser for a path's record id: anything that is not a UUID names no record (404, not 400)."""

    def parse(value: str) -> UUID:
        try:
            return UUID(value)
        except ValueError:
            raise NotFound(what, value) from None

    return parse
