"""`?version=N` and `?as_of=<RFC 3339>` on every record's GET: the record as it stood, from the event store.

Every controller reads the two parameters the same way and renders the rebuilt aggregate with the renderer
its current read uses, under the same access rules. A historical answer carries `X-As-Of-Version` and no
ETag: If-Match must name the current version, not a past one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Generic, TypeVar
from uuid import UUID

from litestar import Response
from litestar.datastructures import ResponseHeader
from litestar.exceptions import ClientException
from litestar.params import Parameter
from sqlalchemy.orm import Session

from api.commanding import BLOCKING, etag
from api.moments import within_calendar
from api.problems import problem_responses
from domain.base import MarketplaceAggregate
from domain.rules import NotFound
from marketplace.as_it_stood import Point, Stood, as_it_stood
from marketplace.service import Marketplace

A = TypeVar("A", bound=MarketplaceAggregate)
T = TypeVar("T")
MAX_VERSION = 2**31 - 1

Version = Annotated[
    int | None,
    Parameter(
        ge=1,
        le=MAX_VERSION,
        description="Answer with the record as it stood at this version (an ETag it had), rebuilt from the event "
        "store rather than read from the current view. Not with `as_of`.",
    ),
]
AsOf = Annotated[
    datetime | None,
    Parameter(
        description="Answer with the record as it stood at this moment (RFC 3339, with its offset, e.g. "
        "2026-03-02T09:00:00Z): after every change recorded at or before it, rebuilt from the event store. "
        "Not with `version`.",
    ),
]
HISTORY_HEADERS = [
    ResponseHeader(
        name="X-As-Of-Version",
        description="With `version` or `as_of`: the version of the record answered (and no ETag).",
        documentation_only=True,
    )
]


def reads_as_it_stood(*statuses: int) -> dict[str, Any]:
    """Route options every record's GET shares: the refusals it documents (bad `version`/`as_of`, not found) and
    the header that marks an answer as a past state."""
    return {"responses": problem_responses(*statuses), "response_headers": HISTORY_HEADERS, **BLOCKING}


def point_asked(version: int | None, as_of: datetime | None) -> Point | None:
    """The point in history the query asks for; None for the record as it is now."""
    if version is not None and as_of is not None:
        raise ClientException("Ask for a version or a moment (as_of), not both.", extra={"field": "as_of"})
    if as_of is not None and as_of.tzinfo is None:
        raise ClientException(
            "as_of needs its offset from UTC (RFC 3339), such as 2026-03-02T09:00:00Z.", extra={"field": "as_of"}
        )
    return None if version is None and as_of is None else Point(version, within_calendar(as_of, "as_of"))


def _anyone(_: MarketplaceAggregate) -> bool:
    return True


@dataclass(frozen=True)
class Asked(Generic[A]):
    """A record a read asks for as it stood: its class and id, how a refusal names it (`what`, `key`), and
    whether the reader may see it as it was then."""

    kind: type[A]
    aggregate_id: UUID
    what: str
    key: str
    visible: Callable[[A], bool] = _anyone


def recall_with_events(
    market: Marketplace, asked: Asked[A], version: int | None, as_of: datetime | None
) -> Stood[A] | None:
    """The record as it stood at the version or moment asked for, with the events it was folded from;
    None when neither was asked (read the view).

    A record that did not exist then and one the caller may not see are refused alike, so the refusal
    tells a stranger nothing.
    """
    point = point_asked(version, as_of)
    if point is None:
        return None
    found = as_it_stood(market.commands.latest, asked.kind, asked.aggregate_id, point)
    if found is None or not asked.visible(found.aggregate):
        raise NotFound(asked.what, f"{asked.key} {point}")
    return found


def recall(market: Marketplace, asked: Asked[A], version: int | None, as_of: datetime | None) -> A | None:
    """The record as it stood, as `recall_with_events` finds it, without its events."""
    found = recall_with_events(market, asked, version, as_of)
    return None if found is None else found.aggregate


def as_it_stood_answer(body: T, aggregate: MarketplaceAggregate) -> Response[T]:
    """A past state: which version it is, and no ETag to mistake for the current one."""
    return Response(body, headers={"X-As-Of-Version": str(aggregate.version)})


def read_record(  # noqa: PLR0913 - the two ways to answer one record's GET, and the query that picks between them
    market: Marketplace,
    asked: Asked[A],
    version: int | None,
    as_of: datetime | None,
    *,
    then: Callable[[Stood[A]], T],
    now: Callable[[Session], tuple[T, int] | None],
) -> Response[T]:
    """A record's GET: as it stood (`then`, from the event store) when a version or moment is asked, else as its
    view holds it (`now`: the body and its version, or None when the reader may not see it). Not there and not
    visible are refused alike, now as then, so a refusal tells a stranger nothing."""
    stood = recall_with_events(market, asked, version, as_of)
    if stood is not None:
        return as_it_stood_answer(then(stood), stood.aggregate)
    with market.views() as session:
        current = now(session)
    if current is None:
        raise NotFound(asked.what, asked.key)
    body, current_version = current
    return Response(body, headers=etag(current_version))
