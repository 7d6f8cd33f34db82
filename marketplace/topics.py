"""Stored events name their class by topic (`module:Class.Event`). When the contexts got folders of their own
(`domain/tendering/`, `domain/care/`, `domain/organisations/`) the classes moved but the events already
stored keep their old topics: those resolve to the moved modules, so no stored event is rewritten.

Events written since carry the new topics; a log holds both, and both read as the same classes.
"""

from __future__ import annotations

import importlib
import pkgutil

from eventsourcing.utils import register_topic

import domain

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
    """Old module topics resolve to the modules that now hold their classes (idempotent).

    The library resolves a topic's module by its exact name first, then by the longest registered prefix, so
    an old name that is a prefix of new ones (`domain.care` of `domain.care.registration`) would send new
    topics astray: every domain module is registered under its own name too, and exact names win.
    """
    for module in pkgutil.walk_packages(domain.__path__, "domain."):
        if module.name not in MOVED_MODULES:  # `domain.care` is now a package, but its old topics name a module
            register_topic(module.name, importlib.import_module(module.name))
    for old, new in MOVED_MODULES.items():
        register_topic(old, importlib.import_module(new))
