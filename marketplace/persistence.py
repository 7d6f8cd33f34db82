"""The event store's database: eventsourcing-sqlalchemy with durable, concurrent-safe settings.

SQLite runs in WAL mode with synchronous=FULL (every commit is durable) and a busy
timeout so several processes can share one file. PostgreSQL uses psycopg 3.
"""

from __future__ import annotations

import gc
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from eventsourcing.persistence import Notification
from eventsourcing.utils import Environment
from eventsourcing_sqlalchemy.datastore import SQLAlchemyDatastore
from eventsourcing_sqlalchemy.factory import SQLAlchemyFactory
from sqlalchemy import create_engine, event, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=FULL",
    "PRAGMA busy_timeout=10000",
    "PRAGMA foreign_keys=ON",
    "PRAGMA cache_size=-8192",  # 8 MiB of page cache each: a server keeps many connections (see below)
)
FOLDING_CACHE = "PRAGMA cache_size=-65536"  # 64 MiB for a connection folding batches: view upserts touch many pages


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    for pragma in SQLITE_PRAGMAS:
        cursor.execute(pragma)
    cursor.close()


def engine_options(url: str) -> dict[str, Any]:
    if url.startswith("sqlite"):
        # As many connections as handler threads (api/app.py's 32): a pool smaller than the threads closes and
        # reopens connections under load, each reopening paying the PRAGMAs again.
        # Last in, first out: under light load the same few connections serve, and their caches stay warm.
        return {
            "connect_args": {"check_same_thread": False, "timeout": 10},
            "pool_size": 32,
            "max_overflow": 8,
            "pool_use_lifo": True,
        }
    return {"pool_size": 10, "max_overflow": 20, "pool_pre_ping": True}


class MarketplaceFactory(SQLAlchemyFactory):
    """The library's SQLAlchemy factory, with our engine settings applied to every connection."""

    def __init__(self, env: Environment) -> None:
        super(SQLAlchemyFactory, self).__init__(env)
        self._schema_name = None
        url = self.env.get(self.SQLALCHEMY_URL) or ""
        self.datastore = SQLAlchemyDatastore(url=url, **engine_options(url))
        engine = self.datastore.engine
        assert isinstance(engine, Engine)
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _sqlite_connect)


def widen_cache_for_folding(session: Session) -> None:
    """A batch fold (a rebuild, a worker catching up) on SQLite: this connection may keep 64 MiB of pages. Only the
    connections that fold grow so; the pool's others, serving reads, stay at 8 MiB each."""
    if session.get_bind().dialect.name == "sqlite":
        session.connection().exec_driver_sql(FOLDING_CACHE)


def take_write_lock(session: Session, idempotency_key: str | None = None) -> None:
    """Serialise what must not interleave, before the command reads anything.

    SQLite: begin the write transaction now (equivalent to BEGIN IMMEDIATE), so a command
    never reads a snapshot it cannot write on; other processes wait on the busy timeout.
    PostgreSQL: appends lock the events table anyway; two requests with one Idempotency-Key
    also take one advisory lock, so the retry waits for the first and then replays it.
    """
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        session.connection().exec_driver_sql("UPDATE projection_positions SET position = position WHERE 0")
    elif idempotency_key is not None:
        session.execute(text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"), {"key": idempotency_key})


def read_log(session: Session, recorder: Any, start: int, limit: int, stop: int | None = None) -> list[Notification]:
    """Notifications from `start` on, read as plain rows (the recorder's ORM query costs a mapped object each)."""
    c = recorder.events_record_cls.__table__.c
    query = select(c.id, c.originator_id, c.originator_version, c.topic, c.state).where(c.id >= start)
    if stop is not None:
        query = query.where(c.id <= stop)
    rows = session.execute(query.order_by(c.id).limit(limit)).all()  # fetchall: far cheaper than row by row
    return [
        Notification(id=i, originator_id=o, originator_version=v, topic=t, state=bytes(s)) for i, o, v, t, s in rows
    ]


def aggregate_log(session: Session, recorder: Any, aggregate_id: uuid.UUID) -> list[Notification]:
    """One aggregate's events in version order, each with its position in the log."""
    c = recorder.events_record_cls.__table__.c
    query = select(c.id, c.originator_id, c.originator_version, c.topic, c.state).where(c.originator_id == aggregate_id)
    rows = session.execute(query.order_by(c.originator_version)).all()
    return [
        Notification(id=i, originator_id=o, originator_version=v, topic=t, state=bytes(s)) for i, o, v, t, s in rows
    ]


@contextmanager
def paused_garbage_collector() -> Iterator[None]:
    """Long folds build big heaps of acyclic rows; full GC passes over them are pure cost."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@contextmanager
def consistent_read(engine: Engine) -> Iterator[Session]:
    """A session whose reads all see one moment of the database, without holding up writers.

    PostgreSQL: a REPEATABLE READ transaction. SQLite: an explicit BEGIN, because the driver
    starts transactions only for writes and each bare SELECT would otherwise see its own moment.
    """
    if engine.dialect.name == "postgresql":
        repeatable = engine.execution_options(isolation_level="REPEATABLE READ")
        with Session(repeatable) as session:
            yield session
            session.rollback()
        return
    with Session(engine) as session:
        session.connection().exec_driver_sql("BEGIN")
        yield session
        session.rollback()


@contextmanager
def scratch_database(engine: Engine) -> Iterator[Engine]:
    """An empty database of the same kind, dropped afterwards: a temporary file on SQLite, a schema on PostgreSQL.

    A schema needs CREATE on the service's own database (its owner has it), not CREATE DATABASE. Scratch
    schemas are named `scratch_...`: one a killed check left behind can be dropped by hand.
    """
    if engine.dialect.name == "postgresql":
        schema = f"scratch_{uuid.uuid4().hex[:16]}"
        with engine.begin() as connection:
            connection.exec_driver_sql(f"CREATE SCHEMA {schema}")
        scratch = create_engine(engine.url, connect_args={"options": f"-csearch_path={schema}"})
        try:
            yield scratch
        finally:
            scratch.dispose()
            with engine.begin() as connection:
                connection.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        return
    with tempfile.TemporaryDirectory(prefix="marketplace-scratch-") as directory:
        scratch = create_engine(f"sqlite:///{directory}/views.sqlite")
        try:
            yield scratch
        finally:
            scratch.dispose()
