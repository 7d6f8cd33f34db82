"""The eventsourcing Application that stores every aggregate's events in one notification log."""

from __future__ import annotations

from typing import Any

from eventsourcing.application import Application
from eventsourcing.persistence import JSONTranscoder

from domain.base import Actor
from domain.care.micro_enterprise import Evidence
from domain.tendering.bid import Bid  # noqa: F401 - topics resolve when stored events are read
from domain.tendering.evaluation import OpenedBid
from domain.tendering.procurement import Criterion, Lot
from domain.tendering.tender import Assessment, Award, Supplier
from domain.values import Address, Contact
from marketplace.settings import Settings
from marketplace.topics import register_moved_modules
from marketplace.transcodings import DataclassAsDict, DateAsISO

register_moved_modules()


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
        for value_type in (Actor, Address, Contact, Lot, Criterion, Supplier, Assessment, Award, OpenedBid):
            transcoder.register(DataclassAsDict(value_type))
        transcoder.register(DataclassAsDict(Evidence))
        transcoder.register(DataclassAsDict(Actor, shared=True))  # the same people act in event after event
