"""One declaration per aggregate: what every mechanism of the marketplace needs to know of it.

Each context's `declarations.py` (e.g. `marketplace/tendering/declarations.py`) declares its aggregates;
`declared()` finds them by walking this package, so adding an aggregate means writing its files in its
context's folders and one `Declaration` beside them. Every mechanism reads the declarations:

- the event store's transcoder stores the value objects named in `values`;
- the audit feed and the history route know a record by `kind` and read its id with `identify`;
- the projector folds the views named in `views` (the platform's own, the decision log and the audit
  chain, follow every aggregate and are always kept);
- `market.service(...)` returns the service named in `service`;
- the clock (`marketplace tick`, the API's chronograph) runs the `deadlines`;
- `redactor` hides what a reader may not see of the record's events in audit reads;
- the postman writes the `letters` to the organisations a decision concerns (marketplace/notifications/).

`tests/test_declarations.py` walks every aggregate class the domain defines and fails when any is missing
from any mechanism.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Iterable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol
from uuid import UUID

from sqlalchemy import Column
from sqlalchemy.orm import Session

from domain.base import Actor, MarketplaceAggregate
from marketplace.commands import CommandRunner
from marketplace.settings import Settings
from projections.engine import Projection

if TYPE_CHECKING:
    from marketplace.service import Marketplace


class Wiring(Protocol):
    """What a service is built from: the command runner, the settings, and the views (as they stand, or at the
    log's head)."""

    @property
    def commands(self) -> CommandRunner: ...

    @property
    def settings(self) -> Settings: ...

    def views_at_head(self) -> AbstractContextManager[Session]: ...

    def views(self) -> AbstractContextManager[Session]: ...

    @property
    def services(self) -> Mapping[type, object]: ...  # every declared service, by its class


class Redactor(Protocol):
    """Replaces in place what one reader may not see of one event's data (built once per audit read)."""

    def redact(self, aggregate_id: UUID, data: dict[str, Any]) -> None: ...


class Deadline(NamedTuple):
    """Something the clock records when its time passes: `run` returns how many records it moved."""

    name: str
    run: Callable[[Marketplace], int]


class Letter(NamedTuple):
    """A decision its record's organisation must be told of: the postman addresses one letter for each such
    decision to every organisation `to` names in the view rows whose `by` is the record's id."""

    decision: str  # as the decision log names it: "invoice.disputed"
    to: Column[Any]  # the view column naming the organisation told: invoices.c.supplier
    by: Column[Any]  # the same view's column holding the record's id: invoices.c.id
    path: str  # where the record is read: "/invoices/{id}"
    because: str  # why the letter is sent, in its last line: the law or the council's practice


def told_of(*decisions: str, to: Column[Any], by: Column[Any], path: str, because: str) -> tuple[Letter, ...]:
    """The letters of several decisions on one kind of record, told to the same organisation for the same reason."""
    return tuple(Letter(decision, to, by, path, because) for decision in decisions)


def uuid_or_none(identifier: str) -> UUID | None:
    """The aggregate id a path names, for records known by their UUID."""
    try:
        return UUID(identifier)
    except ValueError:
        return None


@dataclass(frozen=True)
class Declaration:
    """One aggregate, declared once."""

    kind: str  # the record's name in audit reads, history paths and the decision log: "tender"
    aggregate: type[MarketplaceAggregate]
    values: tuple[type, ...] = ()  # the frozen dataclasses its events hold, stored as JSON objects
    views: tuple[Callable[[], Projection], ...] = ()  # the views that fold its events (one may serve several)
    service: Callable[[Wiring], object] | None = None  # its commands, as `market.service(cls)` returns them
    deadlines: tuple[Deadline, ...] = ()
    identify: Callable[[str], UUID | None] = uuid_or_none
    redactor: Callable[[Marketplace, Actor | None], Redactor] | None = None
    letters: tuple[Letter, ...] = ()

    @property
    def event_prefix(self) -> str:
        """How its stored events' type names start: "Tender."."""
        return self.aggregate.__name__ + "."


def declared(package: str = "marketplace") -> tuple[Declaration, ...]:
    """Every declaration in the package's contexts: the `DECLARATIONS` of each `<context>/declarations.py`."""
    found: list[Declaration] = []
    root = importlib.import_module(package)
    for module in pkgutil.iter_modules(root.__path__):
        if module.ispkg:
            try:
                declarations = importlib.import_module(f"{package}.{module.name}.declarations")
            except ModuleNotFoundError as missing:
                if missing.name != f"{package}.{module.name}.declarations":
                    raise
                continue
            found.extend(declarations.DECLARATIONS)
    return tuple(found)


def views_of(declarations: Iterable[Declaration], platform: Iterable[Projection]) -> list[Projection]:
    """One instance of every view the declarations name (a view named by several is kept once), then the
    platform's views, which follow every aggregate."""
    views: dict[Callable[[], Projection], Projection] = {}
    for declaration in declarations:
        for make in declaration.views:
            if make not in views:
                views[make] = make()
    return [*views.values(), *platform]


def all_projections(declarations: Iterable[Declaration] | None = None) -> list[Projection]:
    """Every view the marketplace keeps: the declared aggregates' views and the platform's."""
    from projections.registry import platform_views

    return views_of(declared() if declarations is None else declarations, platform_views())
