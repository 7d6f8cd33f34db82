"""Records as they stood: an aggregate, or a view of one, rebuilt from the event store at a version or a moment.

The views hold only the present; the event store holds every past state. A past state is the fold of a
prefix of the record's events: up to version N, or up to the last event recorded at or before a moment
(events carry the injected clock's time, so "as of" means the time the rules were checked against).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import Any, Generic, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from domain.base import MarketplaceAggregate
from domain.tendering.evaluation import Evaluation
from marketplace.latest import LatestRecords
from projections.batch import utc
from projections.engine import Envelope, Projection, metadata
from projections.tendering.evaluation import EvaluationViews
from projections.tendering.queries import evaluation_matrix

A = TypeVar("A", bound=MarketplaceAggregate)
T = TypeVar("T")


@dataclass(frozen=True)
class Point:
    """A point in a record's history: its version, or a moment (timezone-aware); exactly one of them."""

    version: int | None = None
    as_of: datetime | None = None

    def __post_init__(self) -> None:
        if (self.version is None) == (self.as_of is None):
            raise ValueError("A point in history is a version or a moment, not both or neither.")
        if self.as_of is not None and self.as_of.tzinfo is None:
            raise ValueError("A moment needs its offset from UTC.")

    def __str__(self) -> str:
        return f"at version {self.version}" if self.as_of is None else f"as of {self.as_of.isoformat()}"


PAGE = 8  # the first page of events read while looking for a moment; each next page is four times longer, so an
# early moment reads little more than it needs and a late one few pages


def history_until(app: Application[Any], aggregate_id: UUID, point: Point) -> list[Any]:
    """The record's events up to the point, oldest first (none when it did not yet exist)."""
    if point.as_of is None:
        return list(app.events.get(aggregate_id, lte=point.version))
    moment, after, size = point.as_of, None, PAGE
    found: list[Any] = []
    while True:
        page: list[Any] = list(app.events.get(aggregate_id, gt=after, limit=size))
        for event in page:
            if utc(event.timestamp) > moment:
                return found
            found.append(event)
        if len(page) < size:
            return found
        after, size = page[-1].originator_version, size * 4


class Stood(Generic[A]):
    """A record as it stood; the events it was folded from are read when an answer needs them (a bid's receipt,
    an evaluation's matrix), so a record answered from its latest state replays nothing."""

    def __init__(self, app: Application[Any], aggregate: A) -> None:
        self.app, self.aggregate = app, aggregate

    @cached_property
    def events(self) -> list[Any]:
        return history_until(self.app, self.aggregate.id, Point(version=self.aggregate.version))


def as_it_stood(latest: LatestRecords, kind: type[A], aggregate_id: UUID, point: Point) -> Stood[A] | None:
    """The aggregate as it stood at the point; None when there was no such record of this kind then.

    A point at or after the record's latest version is its latest state (`LatestRecords`: only the events new
    since it was last loaded are read); an earlier one is the fold of the events up to it."""
    try:
        current: Any = latest.get(aggregate_id)
    except AggregateNotFoundError:
        return None
    if _at_or_after(current, point):
        aggregate = current
    else:
        aggregate = None
        for event in history_until(latest.app, aggregate_id, point):
            aggregate = event.mutate(aggregate)
    if not isinstance(aggregate, kind) or (point.version is not None and aggregate.version != point.version):
        return None
    return Stood(latest.app, aggregate)


def _at_or_after(current: MarketplaceAggregate, point: Point) -> bool:
    if point.as_of is None:
        return point.version is not None and point.version >= current.version
    return utc(current.modified_on) <= point.as_of


def evaluation_matrix_as_it_stood(stood: Stood[Evaluation]) -> dict[str, Any] | None:
    """The live matrix's folds and query, run over the evaluation's events up to that point alone."""
    tender_id = stood.aggregate.tender_id
    return view_folded_from(EvaluationViews(), stood.events, lambda session: evaluation_matrix(session, tender_id))


def view_folded_from(projection: Projection, events: list[Any], read: Callable[[Session], T]) -> T:
    """Read a view folded from these events alone, in a throwaway in-memory database.

    For a view over one aggregate (the evaluation matrix) this is the view as it stood, read by the
    same folds and queries as the live one, so its past and present answers cannot drift apart.
    """
    engine = create_engine("sqlite://")
    try:
        with Session(engine) as session:
            metadata.create_all(session.connection(), tables=list(projection.tables))
            projection.apply(session, [Envelope(n, event) for n, event in enumerate(events, start=1)])
            return read(session)
    finally:
        engine.dispose()
