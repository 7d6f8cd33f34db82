"""The eventsourcing Application that stores every aggregate's events in one notification log."""

from __future__ import annotations

from typing import Any

from eventsourcing.application import Application
from eventsourcing.persistence import JSONTranscoder

from domain.base import Actor
from domain.values import Address, Contact
from marketplace.settings import Settings
from marketplace.transcodings import DataclassAsDict, DateAsISO


class MarketplaceApp(Application[Any]):
    """One log for the whole marketplace: one order of events, one audit trail."""

    name = "Marketplace"

    @classmethod
    def for_settings(cls, settings: Settings) -> MarketplaceApp:
        return cls(
            env={
                "PERSISTENCE_MODULE": "marketplace.persistence:MarketplaceFactory",
                "SQLALCHEMY_URL": settings.database_url,
                "CREATE_TABLE": "y",
            }
        )

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(DateAsISO())
        for value_type in (Actor, Address, Contact):
            transcoder.register(DataclassAsDict(value_type))
