"""The eventsourcing Application that stores every aggregate's events in one notification log."""

from __future__ import annotations

from typing import Any

from eventsourcing.application import Application
from eventsourcing.persistence import JSONTranscoder

from domain.base import Actor
from marketplace.settings import Settings
from marketplace.topics import register_moved_modules
from marketplace.transcodings import DataclassAsDict, DateAsISO

register_moved_modules()


class MarketplaceApp(Application[Any]):
    """One log for the whole marketplace: one order of events, one audit trail."""

    name = "Marketplace"

    def __init__(self, values: tuple[type, ...] = (), env: dict[str, str] | None = None) -> None:
        self.values = tuple(dict.fromkeys(values))  # read by register_transcodings, which the base calls
        super().__init__(env=env)

    @classmethod
    def for_settings(cls, settings: Settings, values: tuple[type, ...]) -> MarketplaceApp:
        """The application on the settings' database, storing the declared aggregates' value objects."""
        return cls(
            values,
            env={
                "PERSISTENCE_MODULE": "marketplace.persistence:MarketplaceFactory",
                "SQLALCHEMY_URL": settings.database_url,
                "CREATE_TABLE": "y",
            },
        )

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(DateAsISO())
        for value_type in self.values:
            transcoder.register(DataclassAsDict(value_type))
        transcoder.register(DataclassAsDict(Actor, shared=True))  # the same people act in event after event
