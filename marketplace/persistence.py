"""The event store's database: eventsourcing-sqlalchemy with durable, concurrent-safe settings.

SQLite runs in WAL mode with synchronous=FULL (every commit is durable) and a busy
timeout so several processes can share one file. PostgreSQL uses psycopg 3.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from eventsourcing.persistence import Notification
from eventsourcing.utils import Environment
from eventsourcing_sqlalchemy.datastore import SQLAlchemyDatastore
from eventsourcing_sqlalchemy.factory import SQLAlchemyFactory
from sqlalchemy import event, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=FULL",
    "PRAGMA busy_timeout=10000",
    "PRAGMA foreign_keys=ON",
    "PRAGMA cache_size=-65536",  # 64 MiB of page cache: view upserts touch many index pages
)


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    for pragma in SQLITE_PRAGMAS:
        cursor.execute(pragma)
    cursor.close()


def engine_options(url: str) -> dict[str, Any]:
    if url.startswith("sqlite"):
        return {"connect_args": {"check_same_thread": False, "timeout": 10}}
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
