"""Every view says what it follows, and of every event class of every aggregate it follows whether it folds it
or ignores it: never both, never neither, and nothing folded that it does not follow (projections/batch.py).

So adding an event to an aggregate fails here until each view that follows the aggregate decides what the
event means to it.
"""

from __future__ import annotations

from typing import Any

import pytest

from domain.base import MarketplaceAggregate, event_classes
from domain.tendering.contract import Contract
from marketplace.capability import all_projections, declared
from projections.batch import BatchProjection, Folds, domain_aggregates
from projections.engine import Projection
from projections.tendering.contracts import contracts

VIEWS = all_projections()
AGGREGATES = domain_aggregates()


def named(kind: type, names: Any) -> bool:
    """Whether a view names this class, or a class it derives from (how the platform's views name theirs)."""
    return any(cls in names for cls in kind.__mro__)


def follows_all(view: BatchProjection) -> bool:
    return set(view.follows) == set(AGGREGATES)


def undecided(view: BatchProjection) -> list[str]:
    """What a view leaves unsaid, or says twice, of the events of the aggregates it follows."""
    problems = []
    for aggregate in view.follows:
        for kind in event_classes(aggregate):
            folded, ignored = named(kind, view.folds), named(kind, view.ignores)
            if folded == ignored:
                problems.append(f"{kind.__qualname__} is {'both folded and ignored' if folded else 'neither'}")
            elif view.wants_class(kind) != folded:
                problems.append(f"{kind.__qualname__} is {'folded' if folded else 'ignored'} but wanted is wrong")
    return problems


def strays(view: BatchProjection) -> list[str]:
    """What a view folds or names of aggregates it does not follow."""
    followed = {kind for aggregate in view.follows for kind in event_classes(aggregate)}
    problems = []
    if not follows_all(view):  # a view of named aggregates names each of their classes, no base class
        problems += [f"names {c.__qualname__}" for c in (*view.folds, *view.ignores) if c not in followed]
    for aggregate in set(AGGREGATES) - set(view.follows):
        for kind in event_classes(aggregate):
            if view.wants_class(kind) or named(kind, view.folds) or named(kind, view.ignores):
                problems.append(f"folds or names {kind.__qualname__}, but does not follow {aggregate.__name__}")
    return problems


def batch_view(view: Projection) -> BatchProjection:
    assert isinstance(view, BatchProjection), f"{view.name} is not written as a BatchProjection"
    return view


@pytest.mark.parametrize("view", VIEWS, ids=lambda view: view.name)
def test_every_view_is_a_batch_projection_following_aggregates_the_domain_defines(view: Projection) -> None:
    followed = batch_view(view).follows
    assert followed and set(followed) <= set(AGGREGATES)


@pytest.mark.parametrize("view", VIEWS, ids=lambda view: view.name)
def test_every_event_of_what_a_view_follows_is_folded_or_ignored_never_both_never_neither(view: Projection) -> None:
    assert undecided(batch_view(view)) == []


@pytest.mark.parametrize("view", VIEWS, ids=lambda view: view.name)
def test_no_view_folds_or_names_an_event_of_an_aggregate_it_does_not_follow(view: Projection) -> None:
    assert strays(batch_view(view)) == []


def test_the_platforms_views_follow_every_aggregate_the_decision_log_folding_exactly_the_decisions() -> None:
    platform = {view.name: batch_view(view) for view in VIEWS if follows_all(batch_view(view))}
    assert set(platform) == {"decision_log", "audit_chain"}
    for aggregate in AGGREGATES:
        for kind in event_classes(aggregate):
            assert platform["decision_log"].wants_class(kind) == issubclass(kind, MarketplaceAggregate.Decision)
            assert platform["audit_chain"].wants_class(kind)


def test_each_declaration_names_exactly_the_views_that_follow_its_aggregate() -> None:
    """marketplace/capability.py wires a view by the declarations that name it: they must agree with `follows`."""
    by_class = {type(view): batch_view(view) for view in VIEWS}
    for declaration in declared():
        named_views = {by_class[make].name for make in declaration.views if isinstance(make, type)}
        following = {v.name for v in by_class.values() if declaration.aggregate in v.follows and not follows_all(v)}
        assert named_views == following, declaration.kind


class HalfContracts(BatchProjection):
    """A view that says of each contract event what it does with it: the checks' own test bends it."""

    name = "half_contracts"
    tables = (contracts,)
    follows = (Contract,)
    folds: Folds = {Contract.Concluded: lambda touched, event: None, Contract.Varied: lambda touched, event: None}
    ignores = (Contract.Ended, Contract.OutcomeDefined, Contract.PaymentRecorded, Contract.KpiSet, Contract.KpiMeasured)


def test_the_checks_find_what_a_view_leaves_unsaid_and_what_it_folds_without_following() -> None:
    assert undecided(HalfContracts()) == [] and strays(HalfContracts()) == []
    forgetful = type("Forgetful", (HalfContracts,), {"ignores": HalfContracts.ignores[1:]})()
    assert undecided(forgetful) == ["Contract.Ended is neither"]
    unfollowing = type("Unfollowing", (HalfContracts,), {"follows": ()})()
    assert "folds or names Contract.Varied, but does not follow Contract" in strays(unfollowing)
    assert "names Contract.Ended" in strays(unfollowing)


def test_a_class_both_folded_and_ignored_is_refused_when_the_view_is_written() -> None:
    with pytest.raises(TypeError, match="both folds and ignores"):
        type("Both", (HalfContracts,), {"ignores": (Contract.Varied,)})


def test_a_view_wants_only_what_it_folds() -> None:
    view = HalfContracts()
    assert view.wants_class(Contract.Concluded) and not view.wants_class(Contract.Ended)
    assert view.folds_for(Contract.Ended) == ()
    assert view.folds_for(Contract.Varied) == (HalfContracts.folds[Contract.Varied],)
