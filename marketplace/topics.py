"""Stored events name their class by topic (`module:Class.Event`). When the contexts got folders of their own
(`domain/tendering/`, `domain/care/`, `domain/organisations/`) the classes moved but the events already
stored keep their old topics: those resolve to the moved modules, so no stored event is rewritten.

Events written since carry the new topics; a log holds both, and both read as the same classes.
"""

from __future__ import annotations

import importlib

from eventsourcing.utils import register_topic

MOVED_MODULES = {
    "domain.tender": "domain.tendering.tender",
    "domain.tender_rules": "domain.tendering.tender_rules",
    "domain.procurement": "domain.tendering.procurement",
    "domain.bid": "domain.tendering.bid",
    "domain.evaluation": "domain.tendering.evaluation",
    "domain.contract": "domain.tendering.contract",
    "domain.registration": "domain.care.registration",
    "domain.care": "domain.care.micro_enterprise",
    "domain.organisation": "domain.organisations.organisation",
}


def register_moved_modules() -> None:
    """Old module topics resolve to the modules that now hold their classes (idempotent)."""
    for old, new in MOVED_MODULES.items():
        register_topic(old, importlib.import_module(new))
