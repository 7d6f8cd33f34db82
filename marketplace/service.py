"""The running marketplace: event store, projections, commands and views, wired from settings and the
aggregates' declarations (marketplace/capability.py)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TypeVar

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from marketplace.application import MarketplaceApp
from marketplace.capability import Declaration, all_projections, declared
from marketplace.clock import Clock
from marketplace.commands import CommandRunner
from marketplace.notifications.letters import letters  # noqa: F401 - its tables belong to the write side
from marketplace.projector import Projector, create_missing_indexes
from marketplace.settings import Settings
from marketplace.stalls import Backoff
from marketplace.write_side import write_side

S = TypeVar("S")


class Marketplace:
    def __init__(
        self, settings: Settings, clock: Clock | None = None, declarations: Sequence[Declaration] | None = None
    ) -> None:
        if settings.is_sqlite:
            settings.var_dir.mkdir(parents=True, exist_ok=True)
        self.settings = settings
        self.clock = clock or settings.clock()  # the system's, or a demo store's offset clock
        self.declarations = tuple(declared() if declarations is None else declarations)
        values = tuple(value for declaration in self.declarations for value in declaration.values)
        self.app = MarketplaceApp.for_settings(settings, values)
        views = all_projections(self.declarations)
        self.projector = Projector(self.app, views, backoff=Backoff(settings.stall_retry_max_seconds))
        self.projector.setup()
        write_side.create_all(self.engine)
        create_missing_indexes(self.engine, write_side)
        inline = self.projector if settings.projection_mode == "inline" else None
        self.commands = CommandRunner(
            self.app,
            self.clock,
            inline,
            settings,
        )
        self.services = {type(made): made for made in self._services()}

    def _services(self) -> Iterator[object]:
        for declaration in self.declarations:
            if declaration.service is not None:
                yield declaration.service(self)

    def service(self, kind: type[S]) -> S:
        """The declared service of this class: `market.service(Tenders).draft(...)`."""
        found = self.services.get(kind)
        if not isinstance(found, kind):
            raise LookupError(f"no declaration names the service {kind.__name__}")
        return found

    def declaration(self, kind: str) -> Declaration | None:
        """The aggregate a record kind names (as audit and history paths do), if any."""
        return next((d for d in self.declarations if d.kind == kind), None)

    @property
    def engine(self) -> Engine:
        return self.projector.engine

    @contextmanager
    def views(self) -> Iterator[Session]:
        """A read-only session on the view tables."""
        with Session(self.engine) as session:
            yield session

    @contextmanager
    def views_at_head(self) -> Iterator[Session]:
        """The views once they hold every event committed so far: a command that decides from a view (which
        bids a tender has) must not miss one. Inline mode folds on commit; worker mode waits for the worker."""
        if self.commands.projector is None:
            self.projector.wait_until(self.app.recorder.max_notification_id() or 0, timeout=30)
        with self.views() as session:
            yield session

    def database_reachable(self) -> bool:
        try:
            with self.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            return True
        except Exception:
            return False

    def close(self) -> None:
        self.commands.close()
        self.app.close()
