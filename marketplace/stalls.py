"""When a view cannot fold an event: it stops just before it, alone, and says so durably.

A batch folds every view in one transaction, which is what keeps rebuilding fast. When a view
raises, the batch rolls back and each view folds it again apart (a savepoint each); the one that
still fails is advanced, by bisection, to just before the first event it cannot fold, and a row in
`projection_stalls` records where it stands and why. That row is not a view (no checksum, no
rebuild): it is how an API process, not the worker, can answer `/ready` with 503 and name the view.
The stalled view is retried after a back-off; once it folds past the event its row is removed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import NamedTuple

from sqlalchemy import BigInteger, Column, DateTime, Integer, String, Table, delete, select
from sqlalchemy.orm import Session

from projections.engine import Envelope, Projection, ViewCannotFold, describe, fold, metadata, read_positions, upsert

log = logging.getLogger(__name__)

ERROR_LENGTH = 500

stalls = Table(
    "projection_stalls",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("position", BigInteger, nullable=False),  # where the view stands: it has seen everything up to here
    Column("event_position", BigInteger, nullable=False),  # the event it cannot fold
    Column("error", String(ERROR_LENGTH), nullable=False),  # type and first line of the message
    Column("since", DateTime(timezone=True), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("next_retry", DateTime(timezone=True), nullable=False),
)


class Stall(NamedTuple):
    """A view standing just before an event it cannot fold."""

    view: str
    position: int
    event_position: int
    error: str
    since: datetime
    attempts: int
    next_retry: datetime


class Unfoldable(NamedTuple):
    """What folding apart found: a view, where it now stands, the event it cannot fold, and why."""

    view: str
    position: int
    event_position: int
    error: BaseException


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Backoff:
    """How long a stalled view waits to be tried again: `first_seconds`, doubling per attempt, at most `max_seconds`.

    Wall-clock time, not the marketplace's clock: the worker and the API read the same row.
    """

    max_seconds: float = 60.0
    first_seconds: float = 1.0
    now: Callable[[], datetime] = field(default=_utc_now)

    def delay(self, attempts: int) -> float:
        return min(self.max_seconds, self.first_seconds * 2.0 ** min(attempts - 1, 32))


def read_stalls(session: Session) -> dict[str, Stall]:
    found = {}
    for name, position, event, error, since, attempts, retry in session.execute(select(stalls).order_by(stalls.c.name)):
        found[name] = Stall(name, position, event, error, _aware(since), attempts, _aware(retry))
    return found


def due(found: dict[str, Stall], now: datetime) -> set[str]:
    """The stalled views whose back-off has run out."""
    return {name for name, stall in found.items() if stall.next_retry <= now}


def _aware(moment: datetime) -> datetime:
    """SQLite gives back naive times (they were written as UTC)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def record_stall(session: Session, found: Unfoldable, backoff: Backoff, before: Stall | None) -> Stall:
    """Record (or count another attempt at) a stall; a different event is a new stall."""
    now = backoff.now()
    again = before if before is not None and before.event_position == found.event_position else None
    attempts = again.attempts + 1 if again else 1
    since = again.since if again else now
    delay = backoff.delay(attempts)
    stall = Stall(
        found.view,
        found.position,
        found.event_position,
        describe(found.error, ERROR_LENGTH),
        since,
        attempts,
        now + timedelta(seconds=delay),
    )
    upsert(session, stalls, [dict(zip(stalls.c.keys(), stall, strict=True))])
    return stall


def log_stall(stall: Stall, backoff: Backoff) -> None:
    """One line a person or a log search can act on."""
    log.error(
        "view stalled: view=%s position=%d cannot_fold=%d attempts=%d retry_in=%.1fs error=%r",
        stall.view,
        stall.position,
        stall.event_position,
        stall.attempts,
        backoff.delay(stall.attempts),
        stall.error,
    )


def clear_stalls(session: Session, names: Iterable[str], upto: int | None = None) -> None:
    """The named views have folded everything up to `upto` (None: they start again): their stalls there are over."""
    chosen = list(names)
    if chosen:
        statement = delete(stalls).where(stalls.c.name.in_(chosen))
        if upto is not None:
            statement = statement.where(stalls.c.event_position <= upto)
        session.execute(statement)


def fold_apart(
    session: Session, projections: Sequence[Projection], batch: Sequence[Envelope], upto: int
) -> list[Unfoldable]:
    """After a batch failed: fold it into each projection alone, each in a savepoint.

    A projection that still fails is moved to just before the first event it cannot fold. Only a
    failure pays for this; the batch itself folds every projection together.
    """
    positions = read_positions(session)
    found = []
    for projection in projections:
        position = positions[projection.name]
        if position < upto and (failure := _attempt(session, projection, position, batch, upto)):
            found.append(_stop_before(session, projection, Span(position, batch, upto), failure))
    return found


class Span(NamedTuple):
    """The events of a batch after `position`, up to `upto`: what one projection is asked to fold."""

    position: int
    batch: Sequence[Envelope]
    upto: int


def _attempt(
    session: Session, projection: Projection, position: int, batch: Sequence[Envelope], upto: int
) -> ViewCannotFold | None:
    """Fold into one projection in a savepoint, kept if it folds; the failure if it cannot."""
    savepoint = session.begin_nested()
    try:
        fold(session, [projection], position, batch, upto)
    except BaseException as error:
        savepoint.rollback()
        if isinstance(error, ViewCannotFold):
            return error
        raise
    savepoint.commit()
    return None


def _stop_before(session: Session, projection: Projection, span: Span, failure: ViewCannotFold) -> Unfoldable:
    """Bisect for the first event the projection cannot fold, leaving it folded up to just before that event.

    Invariant: folding `wanted` from `position` fails. A first half that folds is kept (folding in two
    pieces is folding at once), so the probes fold at most twice the batch, not the batch per probe.
    """
    position, batch, upto = span
    wanted = [e for e in batch if position < e.position <= upto and projection.wants_class(type(e.event))]
    if not wanted:  # it failed on no event of its own: stand still, name the next one
        return Unfoldable(projection.name, position, position + 1, failure.error)
    while len(wanted) > 1:
        half = len(wanted) // 2
        probe = _attempt(session, projection, position, wanted[:half], wanted[half - 1].position)
        if probe is None:
            position, wanted = wanted[half - 1].position, wanted[half:]
        else:
            wanted, failure = wanted[:half], probe
    unfoldable = wanted[0]
    if unfoldable.position - 1 > position:  # the events between are not this view's: it has seen them
        _attempt(session, projection, position, [], unfoldable.position - 1)
    return Unfoldable(projection.name, unfoldable.position - 1, unfoldable.position, failure.error)
