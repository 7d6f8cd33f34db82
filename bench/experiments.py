"""Proposed production changes, monkeypatched into the benchmark process only.

They exist to measure a proposal before anyone edits production code: run e.g.
`python -m bench inprocess --experiment cached-upsert` and compare with the plain
run. Nothing here is imported by the service.

cached-upsert
    projections.engine.upsert builds a dialect `insert().on_conflict_do_update()` for
    every batch. SQLAlchemy 2.0 cannot cache those constructs (the SQLite and
    PostgreSQL `Insert` classes set inherit_cache = False: the echo log shows
    "[no key]"), so every inline fold compiles the whole statement again, and
    `stmt.excluded` rebuilds a column collection each time. The proposal: build the
    same INSERT ... ON CONFLICT (pk) DO UPDATE SET col = excluded.col once per table
    as a typed text() statement, which SQLAlchemy does cache. Same SQL on SQLite and
    PostgreSQL, same semantics, same bound types (so the same stored values).

lean-exists
    CommandRunner.exists asks the recorder's select_events, an ORM Query that builds,
    loads and converts a StoredEvent just to learn whether one row exists. The
    proposal: a Core `SELECT 1 ... WHERE originator_id = ? LIMIT 1` on the events
    table, in the command's own transaction.

switch-interval
    Under HTTP load the worker thread that holds the write lock gives up the GIL on
    every SQLite call and then queues behind the event-loop thread (and the other
    request threads) for up to the 5 ms switch interval: the critical section, and
    so the throughput of every writer, stretches. The proposal: lower the interval
    to 0.5 ms in the server process (sys.setswitchinterval, e.g. in api/asgi.py).

group-commit
    Every command is its own transaction: write lock, position read and move, view
    upsert and an fsync'd commit each time, while concurrent requests queue on the
    datastore's write lock. The proposal: CommandRunner hands commands to one writer
    thread, which runs whatever has queued up (up to 64) in ONE transaction - each
    command decided and saved in turn (later ones see earlier ones' events), the
    views folded once for the lot, one commit - and then answers each caller. A
    command refused by a domain rule writes nothing and is simply answered with its
    refusal; any other failure rolls the whole batch back and re-runs its commands
    one by one the ordinary way, so no caller sees another's failure. Callers still
    get their answer only after the commit (same durability).

threads-32
    Litestar runs sync handlers on the event loop's default executor, which has
    min(32, cpus + 4) = 6 threads on this 2-core machine; writers waiting for the
    write lock occupy them. The proposal: litestar.concurrency.set_asyncio_executor(
    ThreadPoolExecutor(32)) at start-up (bigger group-commit batches, reads not
    starved by queued writes).

uvicorn-standard
    uvicorn without uvloop and httptools parses HTTP in pure Python (h11) on the
    event-loop thread, which shares the GIL with the command threads. The proposal:
    depend on uvicorn[standard] (uvloop, httptools). Server side only; the packages
    must be importable: `pip install --target DIR uvloop httptools` and
    PYTHONPATH=DIR (this does not touch the project's venv).

one-position-update
    Projector.fold_recorded calls engine.fold for every projection, and fold always
    moves that projection's position with its own compare-and-set UPDATE - even for
    projections that fold nothing from the command's events. With five projections,
    five UPDATEs per command (a quarter of a registration's time). The proposal: when
    every position stands at the command's first notification - 1 (the usual inline
    case), apply each projection's relevant events, then move all positions in ONE
    compare-and-set UPDATE ... WHERE name IN (...) AND position = :old, checking
    rowcount == number of projections.

fast-rebuild
    A rebuild spends its time reading the log through the ORM (a mapped object
    per row), decoding events, folding, and in the garbage collector, whose full
    passes grow with the heap a big batch builds. The proposal, three changes:
    read notifications with a Core SELECT of plain tuples (in Projector._fold_log,
    or upstream in the recorder), fold 10,000 notifications per transaction
    instead of 2,000, and pause the cyclic GC while catch_up runs (gc.disable /
    gc.enable around it; the folded data holds no cycles).
"""

from __future__ import annotations

import queue
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future
from contextlib import ExitStack, contextmanager
from typing import Any
from uuid import UUID

from sqlalchemy import Table, bindparam, literal, select, text
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import TextClause

_UPSERTS: dict[tuple[str, Table], TextClause] = {}


def cached_upsert_statement(dialect: Dialect, table: Table) -> TextClause:
    """INSERT ... ON CONFLICT (pk) DO UPDATE SET every other column, built once per (dialect, table)."""
    key = (dialect.name, table)
    statement = _UPSERTS.get(key)
    if statement is None:
        quote = dialect.identifier_preparer.quote
        names = [column.name for column in table.columns]
        keys = [column.name for column in table.primary_key.columns]
        sql = (
            f"INSERT INTO {dialect.identifier_preparer.format_table(table)} ({', '.join(quote(n) for n in names)}) "
            f"VALUES ({', '.join(':' + n for n in names)}) "
            f"ON CONFLICT ({', '.join(quote(k) for k in keys)}) DO UPDATE SET "
            + ", ".join(f"{quote(n)} = excluded.{quote(n)}" for n in names if n not in keys)
        )
        statement = text(sql).bindparams(*(bindparam(c.name, type_=c.type) for c in table.columns))
        _UPSERTS[key] = statement
    return statement


def cached_upsert(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    session.execute(cached_upsert_statement(session.get_bind().dialect, table), rows)


def lean_exists(self: Any, aggregate_id: UUID) -> bool:
    recorder = self.app.recorder
    table = recorder.events_record_cls.__table__
    with recorder.transaction(commit=False) as session:
        query = select(literal(1)).select_from(table).where(table.c.originator_id == aggregate_id).limit(1)
        return session.execute(query).first() is not None


@contextmanager
def _patch(owner: Any, name: str, value: Any) -> Iterator[None]:
    original = getattr(owner, name)
    setattr(owner, name, value)
    try:
        yield
    finally:
        setattr(owner, name, original)


def _cached_upsert() -> Any:
    import projections.engine

    return _patch(projections.engine, "upsert", cached_upsert)


def _lean_exists() -> Any:
    from marketplace.commands import CommandRunner

    return _patch(CommandRunner, "exists", lean_exists)


@contextmanager
def _switch_interval() -> Iterator[None]:
    original = sys.getswitchinterval()
    sys.setswitchinterval(0.0005)
    try:
        yield
    finally:
        sys.setswitchinterval(original)


class GroupCommitter:
    """One writer thread per CommandRunner; commands that queue up together commit together."""

    MAX_BATCH = 64

    def __init__(self, runner: Any, run_alone: Callable[..., Any]) -> None:
        self.runner = runner
        self.run_alone = run_alone
        self.queue: queue.SimpleQueue[tuple[Any, Any, Future[Any]]] = queue.SimpleQueue()
        self.batches: list[int] = []
        threading.Thread(target=self._loop, name="group-commit", daemon=True).start()

    def submit(self, request: Any, body: Any) -> Any:
        future: Future[Any] = Future()
        self.queue.put((request, body, future))
        return future.result()

    def _loop(self) -> None:
        while True:
            batch = [self.queue.get()]
            while len(batch) < self.MAX_BATCH:
                try:
                    batch.append(self.queue.get_nowait())
                except queue.Empty:
                    break
            self.batches.append(len(batch))
            if len(batch) == 1 or not self._run_together(batch):
                for request, body, future in batch:
                    self._answer(future, lambda r=request, b=body: self.run_alone(self.runner, r, b))

    @staticmethod
    def _answer(future: Future[Any], work: Callable[[], Any]) -> None:
        try:
            future.set_result(work())
        except BaseException as error:
            future.set_exception(error)

    def _run_together(self, batch: list[tuple[Any, Any, Future[Any]]]) -> bool:
        from domain.base import Context
        from domain.rules import DomainError
        from marketplace import idempotency
        from marketplace.outcome import Outcome
        from marketplace.persistence import take_write_lock

        runner = self.runner
        answers: list[tuple[Future[Any], Any, BaseException | None]] = []
        try:
            with runner.app.recorder.transaction(commit=True) as session:
                take_write_lock(session)
                recorded: list[Any] = []
                for request, body, future in batch:
                    key, subject = request.idempotency_key, request.actor.subject
                    try:
                        if key and (earlier := idempotency.recall(session, subject, key, request.fingerprint)):
                            answers.append((future, earlier, None))
                            continue
                        ctx = Context(request.actor, runner.clock.now(), request.correlation_id)
                        aggregate = body(ctx)
                    except DomainError as refusal:  # decided before anything was written
                        answers.append((future, None, refusal))
                        continue
                    recordings = runner.app.save(aggregate)
                    outcome = Outcome(
                        str(aggregate.id), aggregate.version, recordings[-1].notification.id, aggregate=aggregate
                    )
                    if key:
                        idempotency.remember(session, subject, key, request.fingerprint, outcome, ctx.now)
                    recorded.extend(recordings)
                    answers.append((future, outcome, None))
                if runner.projector is not None and recorded:
                    runner.projector.fold_recorded(session, recorded)
        except Exception:
            return False
        for future, outcome, refusal in answers:
            if refusal is not None:
                future.set_exception(refusal)
            else:
                future.set_result(outcome)
        return True


_COMMITTERS_GUARD = threading.Lock()


def _group_commit() -> Any:
    from marketplace.commands import CommandRunner

    run_alone = CommandRunner._run

    def run(self: Any, request: Any, body: Any) -> Any:
        committer = self.__dict__.get("_bench_group_commit")
        if committer is None:
            with _COMMITTERS_GUARD:
                committer = self.__dict__.setdefault("_bench_group_commit", GroupCommitter(self, run_alone))
        return committer.submit(request, body)

    return _patch(CommandRunner, "_run", run)


def core_select_notifications(
    self: Any,
    start: int | None,
    limit: int,
    stop: int | None = None,
    topics: Sequence[str] = (),
    *,
    inclusive_of_start: bool = True,
) -> list[Any]:
    """The recorder's select_notifications, as a Core query returning plain rows."""
    from eventsourcing.persistence import Notification

    table = self.events_record_cls.__table__
    c = table.c
    query = select(c.id, c.originator_id, c.originator_version, c.topic, c.state)
    if start is not None:
        query = query.where(c.id >= start if inclusive_of_start else c.id > start)
    if stop is not None:
        query = query.where(c.id <= stop)
    if topics:
        query = query.where(c.topic.in_(topics))
    query = query.order_by(c.id).limit(limit)
    with self.transaction(commit=False) as session:
        return [
            Notification(
                id=row[0],
                originator_id=row[1],
                originator_version=row[2],
                topic=row[3],
                state=bytes(row[4]) if isinstance(row[4], memoryview) else row[4],
            )
            for row in session.execute(query)
        ]


def _one_position_update() -> Any:
    from sqlalchemy import update

    from marketplace.projector import Projector
    from projections.engine import Envelope, PositionMoved, positions, read_positions

    original = Projector.fold_recorded

    def fold_recorded(self: Any, session: Any, recordings: Any) -> None:
        first = recordings[0].notification.id
        if any(position != first - 1 for position in read_positions(session).values()):
            original(self, session, recordings)
            return
        batch = [Envelope(r.notification.id, r.domain_event, r.notification) for r in recordings]
        for projection in self.projections:
            relevant = [e for e in batch if projection.wants(e.event)]
            if relevant:
                projection.apply(session, relevant)
        names = [p.name for p in self.projections]
        moved = session.execute(
            update(positions)
            .where(positions.c.name.in_(names), positions.c.position == first - 1)
            .values(position=batch[-1].position)
        )
        if moved.rowcount != len(names):
            raise PositionMoved(f"projections moved past {first - 1} while this command folded")

    return _patch(Projector, "fold_recorded", fold_recorded)


@contextmanager
def _fast_rebuild() -> Iterator[None]:
    import gc

    from eventsourcing_sqlalchemy.recorders import SQLAlchemyApplicationRecorder

    from marketplace.projector import Projector

    original_catch_up = Projector.catch_up

    def catch_up(self: Any, *args: Any, **kwargs: Any) -> int:
        size, self.batch_size = self.batch_size, max(self.batch_size, 10_000)
        paused = gc.isenabled()
        gc.disable()
        try:
            return original_catch_up(self, *args, **kwargs)
        finally:
            self.batch_size = size
            if paused:
                gc.enable()

    with (
        _patch(SQLAlchemyApplicationRecorder, "select_notifications", core_select_notifications),
        _patch(Projector, "catch_up", catch_up),
    ):
        yield


@contextmanager
def _threads_32() -> Iterator[None]:
    from concurrent.futures import ThreadPoolExecutor

    from litestar import concurrency

    original = concurrency.get_asyncio_executor()
    concurrency.set_asyncio_executor(ThreadPoolExecutor(max_workers=32, thread_name_prefix="handler"))
    try:
        yield
    finally:
        concurrency.set_asyncio_executor(original)


@contextmanager
def _uvicorn_standard() -> Iterator[None]:
    import httptools  # type: ignore[import-not-found]  # noqa: F401 - fail early when missing
    import uvloop  # type: ignore[import-not-found]  # noqa: F401

    yield


EXPERIMENTS: dict[str, Callable[[], Any]] = {
    "group-commit": _group_commit,
    "threads-32": _threads_32,
    "uvicorn-standard": _uvicorn_standard,
    "fast-rebuild": _fast_rebuild,
    "one-position-update": _one_position_update,
    "cached-upsert": _cached_upsert,
    "lean-exists": _lean_exists,
    "switch-interval": _switch_interval,
}


@contextmanager
def applied(names: Sequence[str] | None) -> Iterator[None]:
    with ExitStack() as stack:
        for name in names or ():
            stack.enter_context(EXPERIMENTS[name]())
        yield
