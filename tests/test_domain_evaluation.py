"""Evaluation rules, without a database: declarations before scoring, moderation, and the weighted ranking."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from itertools import pairwise
from uuid import uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.rules import DomainError, Refusal
from domain.tendering.evaluation import Evaluation, OpenedBid
from domain.tendering.terms import Moderation, Score
from tests.tendering_fixtures import (
    AFTER_DEADLINE,
    CRITERIA,
    carries,
    evaluation,
    evaluator,
    moderated,
    officer,
    with_evaluators,
)

TWO_BIDS = {"a": {"1": Decimal("80000")}, "b": {"1": Decimal("100000")}}


def _score(ev: Evaluation, subject: str, score: int = 60, bid_id: str = "a", criterion: str = "quality") -> None:
    ev.score(evaluator(subject), Score(bid_id, criterion, score, "Clear staffing plan"))


# --- who may score ------------------------------------------------------------------------------------------------


def test_an_evaluator_scores_only_after_declaring_no_conflict_of_interest() -> None:
    ev = with_evaluators(evaluation(TWO_BIDS), ("eve", None))
    with pytest.raises(DomainError, match="Declare") as refused:
        _score(ev, "eve")
    assert refused.value.kind is Refusal.CONFLICT and not ev.scores
    ev.declare(evaluator("eve"), False, "No links with any bidder")
    _score(ev, "eve")
    assert ev.scores["a|quality|eve"] == {"score": 60, "justification": "Clear staffing plan"}


def test_an_evaluator_who_declared_a_conflict_may_not_score() -> None:
    ev = with_evaluators(evaluation(TWO_BIDS), ("carl", True))
    with pytest.raises(DomainError, match="conflict of interest") as refused:
        _score(ev, "carl")
    assert refused.value.kind is Refusal.CONFLICT


def test_someone_not_assigned_may_neither_declare_nor_score() -> None:
    ev = with_evaluators(evaluation(TWO_BIDS), ("eve", False))
    with pytest.raises(DomainError, match="not assigned") as scoring:
        _score(ev, "mallory")
    with pytest.raises(DomainError) as refused:
        ev.declare(evaluator("mallory"), False, "No links")
    assert refused.value.kind is Refusal.CONFLICT and "mallory" not in ev.evaluators
    assert scoring.value.rule == refused.value.rule == "AssessorAssigned"  # the rule broken, not a neighbour


def test_a_declaration_is_made_once_and_an_evaluator_assigned_once() -> None:
    ev = with_evaluators(evaluation(TWO_BIDS), ("eve", False))
    with pytest.raises(DomainError):
        ev.declare(evaluator("eve"), True, "Changed my mind")
    with pytest.raises(DomainError, match="already assigned"):
        ev.assign(officer(AFTER_DEADLINE), "eve")
    assert ev.evaluators == {"eve": "no-conflict"}


def test_price_is_scored_by_the_formula_never_by_hand() -> None:
    ev = with_evaluators(evaluation(TWO_BIDS), ("eve", False))
    with pytest.raises(DomainError, match="formula") as refused:
        _score(ev, "eve", criterion="price")
    assert refused.value.field == "criterion"


@given(st.integers(-1000, 1000))
def test_a_score_is_accepted_exactly_when_it_is_from_0_to_100(score: int) -> None:
    ev = with_evaluators(evaluation(TWO_BIDS), ("eve", False))
    try:
        _score(ev, "eve", score)
    except DomainError as refused:
        assert not 0 <= score <= 100
        assert refused.field == "score"
    else:
        assert 0 <= score <= 100


def test_a_score_needs_a_justification_a_real_bid_and_a_real_criterion() -> None:
    ev = with_evaluators(evaluation(TWO_BIDS), ("eve", False))
    with pytest.raises(DomainError) as refused:
        ev.score(evaluator("eve"), Score("a", "quality", 50, "  "))
    assert refused.value.field == "justification"
    for bid_id, criterion in (("z", "quality"), ("a", "innovation")):
        with pytest.raises(DomainError) as refused:
            ev.score(evaluator("eve"), Score(bid_id, criterion, 50, "Fine"))
        assert refused.value.kind is Refusal.NOT_FOUND


# --- moderation ---------------------------------------------------------------------------------------------------


def test_moderation_waits_for_every_evaluator_without_a_conflict_but_not_for_a_conflicted_one() -> None:
    ev = with_evaluators(evaluation(TWO_BIDS), ("eve", False), ("ed", False), ("carl", True))
    _score(ev, "eve", 60)
    with pytest.raises(DomainError, match="ed") as refused:
        ev.moderate(officer(AFTER_DEADLINE), Moderation("a", "quality", 65, "Agreed"))
    assert (refused.value.rule, refused.value.kind) == ("EveryoneScored", Refusal.CONFLICT)
    _score(ev, "ed", 70)
    ev.moderate(officer(AFTER_DEADLINE), Moderation("a", "quality", 65, "  Agreed between eve and ed  "))
    assert ev.agreed["a|quality"] == {"score": 65, "note": "Agreed between eve and ed"}


def test_moderation_needs_at_least_one_score() -> None:
    ev = with_evaluators(evaluation(TWO_BIDS), ("carl", True))
    with pytest.raises(DomainError) as refused:
        ev.moderate(officer(AFTER_DEADLINE), Moderation("a", "quality", 65, "Agreed"))
    assert refused.value.rule == "EveryoneScored"


def test_moderation_waits_for_an_assigned_evaluator_who_has_not_yet_declared() -> None:
    ev = with_evaluators(evaluation(TWO_BIDS), ("eve", False), ("ed", None))
    _score(ev, "eve", 60)
    with pytest.raises(DomainError) as refused:
        ev.moderate(officer(AFTER_DEADLINE), Moderation("a", "quality", 60, "Agreed"))
    assert refused.value.rule == "EveryoneScored"


def test_a_moderated_score_is_from_0_to_100_with_a_note() -> None:
    ev = with_evaluators(evaluation(TWO_BIDS), ("eve", False))
    _score(ev, "eve")
    for score, note, field in ((101, "Agreed", "score"), (-1, "Agreed", "score"), (60, " ", "note")):
        with pytest.raises(DomainError) as refused:
            ev.moderate(officer(AFTER_DEADLINE), Moderation("a", "quality", score, note))
        assert refused.value.field == field
    assert not ev.agreed


# --- ranking ------------------------------------------------------------------------------------------------------


def test_ranking_a_lot_is_refused_until_every_bid_has_an_agreed_score_on_every_criterion() -> None:
    ev = moderated(evaluation(TWO_BIDS), {"a": {"quality": 60, "sv": 50}, "b": {"quality": 70}})
    with pytest.raises(DomainError) as refused:
        ev.ranking("1")
    assert (refused.value.rule, refused.value.kind) == ("ModerationComplete", Refusal.CONFLICT)
    moderated(ev, {"b": {"sv": 40}})
    assert [row.bid_id for row in ev.ranking("1")] == ["a", "b"]


def test_each_lot_is_ranked_on_its_own_bids_once_they_are_moderated() -> None:
    bids = {"a": {"1": Decimal(100), "2": Decimal(100)}, "b": {"2": Decimal(90)}}
    ev = moderated(evaluation(bids), {"a": {"quality": 60, "sv": 50}})
    assert [row.bid_id for row in ev.ranking("1")] == ["a"]
    with pytest.raises(DomainError, match="lot 2"):
        ev.ranking("2")
    with pytest.raises(DomainError, match="lot 3"):
        ev.ranking("3")  # no bids at all


def test_the_ranking_weights_the_price_formula_and_the_agreed_scores() -> None:
    ev = moderated(evaluation(TWO_BIDS), {"a": {"quality": 60, "sv": 50}, "b": {"quality": 90, "sv": 70}})
    first, second = ev.ranking("1")
    # b: price 80000/100000 x 100 = 80 x 50% = 40, quality 90 x 40% = 36, social value 70 x 10% = 7
    assert (first.bid_id, first.rank, first.successful, first.total) == ("b", 1, True, "83.00")
    assert first.scores == {"price": "40.00", "quality": "36.00", "sv": "7.00"}
    # a: the lowest price scores 100 x 50% = 50, quality 24, social value 5
    assert (second.bid_id, second.rank, second.successful, second.total) == ("a", 2, False, "79.00")
    assert second.bidder == "bidder-a"


def test_equal_totals_go_to_the_lower_price() -> None:
    bids = {"dear": {"1": Decimal(200)}, "cheap": {"1": Decimal(100)}}
    ev = moderated(evaluation(bids), {"dear": {"quality": 75, "sv": 0}, "cheap": {"quality": 0, "sv": 50}})
    ranking = ev.ranking("1")
    assert [row.total for row in ranking] == ["55.00", "55.00"]
    assert [row.bid_id for row in ranking] == ["cheap", "dear"]


BID_ROWS = st.lists(
    st.tuples(st.integers(1, 10**8).map(lambda p: Decimal(p).scaleb(-2)), st.integers(0, 100), st.integers(0, 100)),
    min_size=1,
    max_size=6,
)


@given(BID_ROWS)
def test_the_first_ranked_bid_has_the_highest_weighted_total_and_ties_go_to_the_lower_price(
    rows: list[tuple[Decimal, int, int]],
) -> None:
    bids = {f"b{i}": {"1": price} for i, (price, _, _) in enumerate(rows)}
    agreed = {f"b{i}": {"quality": quality, "sv": sv} for i, (_, quality, sv) in enumerate(rows)}
    ranking = moderated(evaluation(bids), agreed).ranking("1")

    lowest = min(price for price, _, _ in rows)
    weights = {c.key: Decimal(c.weight) / 100 for c in CRITERIA}
    exact = {
        f"b{i}": lowest / price * 100 * weights["price"] + quality * weights["quality"] + sv * weights["sv"]
        for i, (price, quality, sv) in enumerate(rows)
    }
    totals = [Decimal(row.total) for row in ranking]
    assert [row.rank for row in ranking] == list(range(1, len(rows) + 1))
    assert [row.successful for row in ranking] == [True] + [False] * (len(rows) - 1)
    assert totals[0] == max(totals) and totals == sorted(totals, reverse=True)
    for row in ranking:
        assert abs(Decimal(row.total) - exact[row.bid_id]) <= Decimal("0.015")  # pence rounding per criterion
        assert Decimal(row.total) == sum(Decimal(s) for s in row.scores.values())
    assert exact[ranking[0].bid_id] >= max(exact.values()) - Decimal("0.03")
    for better, worse in pairwise(ranking):
        if better.total == worse.total:
            assert bids[better.bid_id]["1"] <= bids[worse.bid_id]["1"]


# --- every event --------------------------------------------------------------------------------------------------


def test_every_evaluation_event_carries_its_commands_actor_request_and_time() -> None:
    contexts = [evaluator(subject, AFTER_DEADLINE + timedelta(hours=h))
                for h, subject in enumerate(("cathy", "cathy", "eve", "eve", "cathy"))]  # fmt: skip
    start, assign, declare, score, moderate = contexts
    ev = Evaluation.start(start, uuid4(), list(CRITERIA), [OpenedBid("a", "bidder-a", {"1": Decimal(100)})])
    ev.assign(assign, "eve")
    ev.declare(declare, False, "No links with any bidder")
    ev.score(score, Score("a", "quality", 60, "Clear staffing plan"))
    ev.moderate(moderate, Moderation("a", "quality", 60, "Agreed"))
    for event, ctx in zip(ev.collect_events(), contexts, strict=True):
        assert carries(event, ctx)


def test_an_evaluator_who_declared_a_conflict_may_not_moderate() -> None:
    ev = with_evaluators(evaluation(TWO_BIDS), ("eve", False), ("carl", True))
    _score(ev, "eve", 60)
    with pytest.raises(DomainError) as refused:
        ev.moderate(evaluator("carl"), Moderation("a", "quality", 60, "Agreed"))
    assert (refused.value.rule, refused.value.kind) == ("NotConflicted", Refusal.FORBIDDEN)
    ev.moderate(officer(AFTER_DEADLINE), Moderation("a", "quality", 60, "Agreed"))
