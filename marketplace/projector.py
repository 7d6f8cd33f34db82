"""Runs the projections: inline in a command's transaction, or as a worker following the log."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any, NamedTuple

from eventsourcing.persistence import Notification, Recording
from eventsourcing.utils import resolve_topic
from sqlalchemy import MetaData, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from sqlalchemy.schema import CreateIndex, CreateTable

from marketplace.application import MarketplaceApp
from marketplace.listener import Listener
from marketplace.persistence import (
    consistent_read,
    paused_garbage_collector,
    read_log,
    scratch_database,
    take_write_lock,
    widen_cache_for_folding,
)
from marketplace.stalls import Backoff, Stall, clear_stalls, due, fold_apart, log_stall, read_stalls, record_stall
from projections.columns import serves_lists_only
from projections.engine import (
    Envelope,
    Projection,
    ViewCannotFold,
    by_position,
    describe,
    ensure_positions,
    fold,
    metadata,
    positions,
    projection_checksum,
    read_positions,
)

log = logging.getLogger(__name__)
Progress = Callable[[int, int], None]


class Comparison(NamedTuple):
    """A live view's checksum beside the checksum of the same view rebuilt from the log to the same position."""

    name: str
    position: int
    live: str
    rebuilt: str

    @property
    def same(self) -> bool:
        return self.live == self.rebuilt


EXISTING_INDEXES = {
    "sqlite": "SELECT name FROM sqlite_master WHERE type = 'index'",
    "postgresql": "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()",
}


def create_missing_indexes(engine: Engine, declared: MetaData) -> None:
    """Every index the tables declare that the database lacks, made. `create_all` makes a new table with its
    indexes but leaves a table that exists as it is, so an index declared since an existing database made its
    tables is made here: one catalogue query for them all (every marketplace start runs it), and IF NOT EXISTS
    should another process make one first."""
    with engine.begin() as connection:
        existing = set(connection.exec_driver_sql(EXISTING_INDEXES[engine.dialect.name]).scalars())
        for table in declared.sorted_tables:
            for index in table.indexes:
                if str(index.name) not in existing:
                    connection.execute(CreateIndex(index, if_not_exists=True))


class Projector:
    """Folds the notification log into every projection, each from its own position."""

    def __init__(
        self,
        app: MarketplaceApp,
        projections: Sequence[Projection],
        batch_size: int = 25_000,
        views: Engine | None = None,
        backoff: Backoff | None = None,
    ) -> None:
        """`views`: a database for the view tables other than the event store's (a rebuild check's scratch).

        `backoff`: how long a view that cannot fold an event waits before it is tried again.
        """
        self.app = app
        self.projections = list(projections)
        self.batch_size = batch_size
        self._views = views
        self.backoff = backoff or Backoff()
        self._topics_wanted: dict[str, bool] = {}
        self.listener: Listener | None = None  # the worker's, while it follows the log on PostgreSQL

    @property
    def engine(self) -> Engine:
        """Where the views live: the event store's database, unless given another."""
        engine = self._views or self.app.recorder.datastore.engine  # type: ignore[attr-defined]
        assert isinstance(engine, Engine)
        return engine

    @contextmanager
    def _transaction(self, commit: bool) -> Iterator[Session]:
        """A transaction on the views: the recorder's own when they share its database (it serialises writers)."""
        if self._views is None:
            with self.app.recorder.transaction(commit=commit) as session:  # type: ignore[attr-defined]
                yield session
            return
        with Session(self._views) as session:
            yield session
            if commit:
                session.commit()

    def setup(self) -> None:
        metadata.create_all(self.engine)
        create_missing_indexes(self.engine, metadata)
        with self._transaction(commit=True) as session:
            ensure_positions(session, self.projections)

    def fold_recorded(self, session: Session, recordings: Sequence[Recording[Any]]) -> None:
        """Inline mode: fold a command's own events before its transaction commits (read-your-writes).

        A view that cannot fold them fails the command (ViewCannotFold, and nothing is written); a
        stalled view is left out until its retry is due, so it lags instead of failing every command.
        """
        first = recordings[0].notification.id
        positions = read_positions(session)
        chosen = self.projections
        if any(positions[p.name] != first - 1 for p in self.projections):
            chosen = self._fold_gap(session, positions, stop=first - 1)
            positions = read_positions(session)
        batch = [Envelope(r.notification.id, r.domain_event, r.notification) for r in recordings]
        try:
            for position, group in by_position(chosen, positions).items():
                fold(session, group, position, batch, batch[-1].position)
        except ViewCannotFold as failure:
            log.error(
                "command not written: view=%s cannot fold its events from position %d: %s",
                failure.view,
                first,
                describe(failure.error),
                exc_info=failure.error,
            )
            raise

    def catch_up(
        self, names: Sequence[str] | None = None, progress: Progress | None = None, stop: int | None = None
    ) -> int:
        """Fold everything recorded since each projection's position (up to `stop`), a batch per transaction."""
        with paused_garbage_collector():
            return self._catch_up([p for p in self.projections if names is None or p.name in names], progress, stop)

    def _catch_up(self, chosen: Sequence[Projection], progress: Progress | None, stop: int | None = None) -> int:
        """Read and decode the next stretch of the log on another thread while this one folds and writes.

        SQLite and psycopg release the GIL while they work, so decoding overlaps the writes.
        A stalled view is left out until its retry is due.
        """
        with self._transaction(commit=False) as session:
            stood = read_positions(session)
            found = read_stalls(session)
        retrying = due(found, self.backoff.now()) & {p.name for p in chosen}
        chosen = [p for p in chosen if p.name not in found or p.name in retrying]
        if not chosen:
            return 0
        start = min(stood[p.name] for p in chosen) + 1
        folded = 0
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="log-reader") as reader:
            ahead = reader.submit(self._read_stretch, start, stop)
            while chosen:
                upto, batch = ahead.result()
                if upto < start:
                    break
                ahead = reader.submit(self._read_stretch, upto + 1, stop)
                chosen = self._fold_batch(chosen, batch, upto, retrying)
                folded += upto - start + 1
                start = upto + 1
                if progress:
                    progress(folded, self.app.recorder.max_notification_id() or 0)
        return folded

    def _fold_batch(
        self, chosen: list[Projection], batch: Sequence[Envelope], upto: int, retrying: set[str]
    ) -> list[Projection]:
        """One transaction folds the batch into every view; if a view cannot, each view folds it apart.

        Returns the views still folding: one that stalled waits for its retry.
        """
        try:
            with self._transaction(commit=True) as session:
                widen_cache_for_folding(session)
                positions = read_positions(session)
                for position, group in by_position(chosen, positions).items():
                    if position < upto:
                        fold(session, group, position, batch, upto)
                clear_stalls(session, retrying, upto)
            return chosen
        except ViewCannotFold:
            with self._transaction(commit=True) as session:
                take_write_lock(session)  # SQLite: begin now, so that the savepoints nest in this transaction
                stalled = self._stall_apart(session, chosen, batch, upto)
            return [p for p in chosen if p.name not in stalled]

    def _stall_apart(
        self, session: Session, chosen: Sequence[Projection], batch: Sequence[Envelope], upto: int
    ) -> set[str]:
        """Fold each view apart: a stall for each that cannot fold the batch, none for each that now can."""
        before = read_stalls(session)
        found = fold_apart(session, chosen, batch, upto)
        stalled = [record_stall(session, f, self.backoff, before.get(f.view)) for f in found]
        names = {stall.view for stall in stalled}
        clear_stalls(session, {p.name for p in chosen} - names, upto)
        for stall in stalled:
            log_stall(stall, self.backoff)
        return names

    def _read_stretch(self, start: int, stop: int | None) -> tuple[int, list[Envelope]]:
        """The decoded events of one batch from `start`, and the last position it covers (start - 1: none)."""
        with self.app.recorder.transaction(commit=False) as session:  # type: ignore[attr-defined]
            notifications = read_log(session, self.app.recorder, start, self.batch_size, stop)
        batch = self._envelopes(notifications)
        return (notifications[-1].id if notifications else start - 1), batch

    def _fold_gap(self, session: Session, positions: dict[str, int], stop: int) -> list[Projection]:
        """Fold the stretch of the log up to `stop` that the views have not yet seen (inline mode's gap).

        These events are stored already, so a view that cannot fold one stalls, alone (a savepoint
        keeps the command's transaction usable), and the command goes on. Returns the views that
        stand at `stop`: the stalled ones are left out.
        """
        found = read_stalls(session)
        waiting = set(found) - due(found, self.backoff.now())
        chosen = [p for p in self.projections if p.name not in waiting]
        lagging = [p for p in chosen if positions[p.name] < stop]
        if not lagging:
            return chosen
        start = min(positions[p.name] for p in lagging)
        batch = self._envelopes(read_log(session, self.app.recorder, start + 1, 1_000_000_000, stop))
        try:
            with session.begin_nested():
                for position, group in by_position(lagging, positions).items():
                    fold(session, group, position, batch, stop)
                clear_stalls(session, set(found) & {p.name for p in lagging}, stop)
        except ViewCannotFold:
            stalled = self._stall_apart(session, lagging, batch, stop)
            chosen = [p for p in chosen if p.name not in stalled]
        return chosen

    def _envelopes(self, notifications: Sequence[Notification]) -> list[Envelope]:
        """Decode what some projection folds, each with its stored form (the audit chain hashes that)."""
        decode = self.app.mapper.to_domain_event
        return [Envelope(n.id, decode(n), n) for n in notifications if self._wanted(n.topic)]

    def _wanted(self, topic: str) -> bool:
        """Decode only what some projection folds: decoding is most of a rebuild's cost."""
        if topic not in self._topics_wanted:
            cls = resolve_topic(topic)
            self._topics_wanted[topic] = any(p.wants_class(cls) for p in self.projections)
        return self._topics_wanted[topic]

    def rebuild(self, names: Sequence[str] | None = None, progress: Progress | None = None) -> dict[str, str]:
        """Drop the named views (default: every view, not the evidence), fold the log into them again.

        Returns the rebuilt views' checksums. The audit chain is rebuilt only when named: a chain
        recomputed from a tampered store would vouch for the tampering.
        """
        chosen = [p for p in self.projections if p.name in names] if names else self.views()
        with self.engine.begin() as connection:
            for projection in chosen:
                for table in projection.tables:
                    table.drop(connection, checkfirst=True)
                    connection.execute(CreateTable(table))
                    for index in table.indexes:
                        if not serves_lists_only(index):  # the folds may read by it
                            connection.execute(CreateIndex(index))
        with self._transaction(commit=True) as session:
            for projection in chosen:
                session.execute(update(positions).where(positions.c.name == projection.name).values(position=0))
            clear_stalls(session, [p.name for p in chosen])
        self.catch_up([p.name for p in chosen], progress)
        create_missing_indexes(self.engine, metadata)  # the lists' own, each made in one pass over its table
        return self.checksums([p.name for p in chosen])

    def check(self, names: Sequence[str] | None = None, progress: Progress | None = None) -> list[Comparison]:
        """Rebuild the named views (default: every view) into a scratch database and compare them with the live ones.

        The live views are read at one moment with their positions; each rebuilt view is compared at the
        position its live twin stood at, so a lagging worker or a command arriving meanwhile is no difference.
        """
        chosen = [p for p in self.projections if p.name in names] if names else self.views()
        with consistent_read(self.engine) as session:
            stood = {name: position for name, position in read_positions(session).items()}
            live = {p.name: projection_checksum(session, p) for p in chosen}
        comparisons = []
        with scratch_database(self.engine) as scratch:
            rebuilt = Projector(self.app, chosen, self.batch_size, views=scratch)
            rebuilt.setup()
            for position in sorted({stood[p.name] for p in chosen}):
                rebuilt.catch_up(progress=progress, stop=position)
                due = [p.name for p in chosen if stood[p.name] == position]
                for name, checksum in rebuilt.checksums(due).items():
                    comparisons.append(Comparison(name, position, live[name], checksum))
        return sorted(comparisons)

    def views(self) -> list[Projection]:
        return [p for p in self.projections if not p.is_evidence]

    def checksums(self, names: Sequence[str] | None = None) -> dict[str, str]:
        """Content checksums of the named projections (default: every view, as `rebuild` does)."""
        chosen = [p for p in self.projections if p.name in names] if names else self.views()
        with Session(self.engine) as session:
            return {p.name: projection_checksum(session, p) for p in chosen}

    def stalls(self) -> list[Stall]:
        """The views that cannot fold an event, in name order (read from the database: any process may ask)."""
        with Session(self.engine) as session:
            return list(read_stalls(session).values())

    def retry_stalled(self) -> int:
        """Retry the stalled views whose back-off has run out (inline mode has no worker to do it)."""
        with self._transaction(commit=False) as session:
            ready = due(read_stalls(session), self.backoff.now())
        return self.catch_up(sorted(ready)) if ready else 0

    def lag(self) -> dict[str, int]:
        """How many notifications each projection has still to fold."""
        head = self.app.recorder.max_notification_id() or 0
        with Session(self.engine) as session:
            return {name: head - position for name, position in read_positions(session).items()}

    def wait_until(self, position: int, timeout: float) -> bool:
        """Wait until every projection has folded `position` (worker mode's read-your-writes).

        A stalled view will not get there by waiting: once only stalled views are behind, False at once.
        """
        deadline = time.monotonic() + timeout
        while True:
            with Session(self.engine) as session:
                behind = {name for name, at in read_positions(session).items() if at < position}
                if not behind:
                    return True
                if behind <= set(read_stalls(session)):
                    return False
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.01)

    def follow(self, stop: threading.Event, poll_interval: float = 0.5) -> None:
        """Worker mode: catch up, then wait for news (LISTEN on PostgreSQL, polling on SQLite).

        On PostgreSQL a commit's NOTIFY wakes the worker at once; `poll_interval` is only the longest it sleeps
        when no news comes (a missed notification costs that long, never an event)."""
        recorder: Any = self.app.recorder  # the NOTIFY comes from the event store's database
        store: Engine = recorder.datastore.engine
        listener = Listener.open(store, recorder.channel_name) if store.dialect.name == "postgresql" else None
        self.listener = listener
        try:
            while not stop.is_set():
                self.catch_up()
                if listener is not None:
                    listener.wait(poll_interval)
                else:
                    stop.wait(poll_interval)
        finally:
            if listener is not None:
                self.listener = None
                listener.close()
