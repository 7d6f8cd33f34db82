"""The running marketplace: event store, projections, commands and views, wired from settings."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from uuid import UUID

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from domain.care.micro_enterprise import MicroEnterprisePolicy
from marketplace.application import MarketplaceApp
from marketplace.care.services import Registrations
from marketplace.clock import Clock, SystemClock
from marketplace.commands import CommandRunner
from marketplace.idempotency import write_side
from marketplace.organisations.services import Organisations
from marketplace.projector import Projector
from marketplace.settings import Settings
from marketplace.stalls import Backoff
from marketplace.tendering.services import Bids, Contracts, Evaluations, Tenders
from projections.registry import all_projections
from projections.tendering.queries import bid_ids_for_tender


class Marketplace:
    def __init__(self, settings: Settings, clock: Clock | None = None) -> None:
        if settings.is_sqlite:
            settings.var_dir.mkdir(parents=True, exist_ok=True)
        self.settings = settings
        self.clock = clock or SystemClock()
        self.app = MarketplaceApp.for_settings(settings)
        self.projector = Projector(self.app, all_projections(), backoff=Backoff(settings.stall_retry_max_seconds))
        self.projector.setup()
        write_side.create_all(self.engine)
        inline = self.projector if settings.projection_mode == "inline" else None
        self.commands = CommandRunner(
            self.app,
            self.clock,
            inline,
            group_commit=settings.group_commit,
            remember_keys_for=timedelta(hours=settings.idempotency_hours),
        )
        self.organisations = Organisations(self.commands)
        self.tenders = Tenders(self.commands, settings.policy, self.bid_index)
        self.bids = Bids(self.commands)
        self.evaluations = Evaluations(self.commands)
        self.contracts = Contracts(self.commands)
        self.registrations = Registrations(self.commands, MicroEnterprisePolicy())

    def bid_index(self, tender_id: UUID) -> list[str]:
        """Every bid submitted for a tender. Worker mode waits for the views to reach the log's head first."""
        if self.commands.projector is None:
            self.projector.wait_until(self.app.recorder.max_notification_id() or 0, timeout=30)
        with self.views() as session:
            return bid_ids_for_tender(session, str(tender_id))

    @property
    def engine(self) -> Engine:
        return self.projector.engine

    @contextmanager
    def views(self) -> Iterator[Session]:
        """A read-only session on the view tables."""
        with Session(self.engine) as session:
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
