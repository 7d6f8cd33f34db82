"""Every aggregate the domain defines is declared once, and every mechanism knows every one of its events:
the event store can store it, the audit feed and the history route name it, and each view that follows its
aggregate folds it or says it ignores it."""

from __future__ import annotations

import dataclasses
import importlib
import pkgutil
import types
import typing
from collections import abc
from typing import Any, ClassVar, Literal, TypeVar, Union, get_args, get_origin, get_type_hints

import pytest

import domain
from domain.base import MarketplaceAggregate, event_classes
from marketplace.application import MarketplaceApp
from marketplace.capability import Declaration, declared

NATIVE = (str, int, float, bool, type(None))  # what JSON holds as it is (a StrEnum is a str)


def aggregate_classes() -> list[type[MarketplaceAggregate]]:
    """Every aggregate class defined anywhere under domain/ (each module imported first)."""
    for module in pkgutil.walk_packages(domain.__path__, "domain."):
        importlib.import_module(module.name)
    found, pending = [], list(MarketplaceAggregate.__subclasses__())
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if cls.__module__.startswith("domain."):
            found.append(cls)
    return sorted(found, key=lambda cls: cls.__qualname__)


DECLARED = declared()
AGGREGATES = aggregate_classes()
EVENTS = [(aggregate, event) for aggregate in AGGREGATES for event in event_classes(aggregate)]


def declaration_of(aggregate: type[MarketplaceAggregate]) -> Declaration:
    found = [d for d in DECLARED if d.aggregate is aggregate]
    assert len(found) == 1, f"{aggregate.__qualname__} is declared {len(found)} times, not once"
    return found[0]


def unstorable(annotation: Any, registered: set[type], seen: set[type]) -> list[str]:
    """What in a field's type the event store's transcoder could not write and read back."""
    origin = get_origin(annotation)
    if annotation is Any or origin in (Literal, ClassVar):  # a class variable is not stored with the event
        return []
    if isinstance(annotation, TypeVar):  # the library's own id type: what it is bound to is stored
        bounds = annotation.__constraints__ or (annotation.__bound__,)
        return [problem for bound in bounds for problem in unstorable(bound, registered, seen)]
    if origin in (list, tuple, set, frozenset, dict, abc.Sequence, Union, types.UnionType, typing.Union):
        args = [arg for arg in get_args(annotation) if arg is not Ellipsis]
        return [problem for arg in args for problem in unstorable(arg, registered, seen)]
    if isinstance(annotation, type) and issubclass(annotation, NATIVE):
        return []
    if isinstance(annotation, type) and annotation not in registered and annotation.__subclasses__():
        # a field typed by a base class holds any of its kinds (a held decision's command): each must be stored
        return [p for kind in annotation.__subclasses__() for p in unstorable(kind, registered, seen)]
    if annotation in registered:
        if dataclasses.is_dataclass(annotation) and annotation not in seen:
            seen.add(annotation)
            hints = get_type_hints(annotation)
            return [p for f in dataclasses.fields(annotation) for p in unstorable(hints[f.name], registered, seen)]
        return []
    return [repr(annotation)]


@pytest.fixture(scope="module")
def transcoded() -> set[type]:
    app = MarketplaceApp(
        tuple(value for d in DECLARED for value in d.values), env={"PERSISTENCE_MODULE": "eventsourcing.popo"}
    )
    return set(app.mapper.transcoder.types)  # type: ignore[attr-defined]


def test_the_domain_defines_the_aggregates_this_test_walks() -> None:
    assert {cls.__name__ for cls in AGGREGATES} >= {
        "Organisation",
        "Tender",
        "Bid",
        "Evaluation",
        "Contract",
        "Registration",
    }


@pytest.mark.parametrize("aggregate", AGGREGATES, ids=lambda cls: cls.__qualname__)
def test_every_aggregate_is_declared_once_with_a_kind_of_its_own(aggregate: type[MarketplaceAggregate]) -> None:
    declaration = declaration_of(aggregate)
    assert [d.kind for d in DECLARED].count(declaration.kind) == 1, f"two aggregates share the kind {declaration.kind}"
    assert declaration.kind.isidentifier() and declaration.kind.islower()


def test_nothing_is_declared_that_the_domain_does_not_define() -> None:
    assert {d.aggregate for d in DECLARED} <= set(AGGREGATES)


@pytest.mark.parametrize(("aggregate", "event"), EVENTS, ids=lambda cls: cls.__qualname__)
def test_every_event_can_be_stored_and_read_back(
    aggregate: type[MarketplaceAggregate], event: type[Any], transcoded: set[type]
) -> None:
    hints = get_type_hints(event)
    problems = [f"{name}: {p}" for name, hint in hints.items() for p in unstorable(hint, transcoded, set())]
    assert not problems, f"{event.__qualname__} holds values the event store cannot store: {problems}"


@pytest.mark.parametrize(("aggregate", "event"), EVENTS, ids=lambda cls: cls.__qualname__)
def test_every_event_is_named_by_its_aggregates_audit_kind(
    aggregate: type[MarketplaceAggregate], event: type[Any]
) -> None:
    """The audit feed names an event's kind from its type, the history route finds a record by its declared
    kind and checks its events' type against the declaration: both must agree."""
    declaration = declaration_of(aggregate)
    assert event.__qualname__.startswith(declaration.event_prefix)
    assert event.__qualname__.partition(".")[0] == aggregate.__name__
