"""Money is one domain value: a Decimal that is finite, not negative, whole pence, and no larger than the columns
that keep it hold exactly. Every command that takes an amount keeps it, whoever calls the domain."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from sqlalchemy import Numeric

from domain.money import HOURLY_RATE_MAXIMUM, MAXIMUM, PENNY, money
from domain.rules import DomainError, Refusal
from domain.tendering.contract import Contract
from domain.tendering.procurement import Lot
from domain.tendering.tender import Award
from domain.tendering.terms import ContractTerms, Offer, TermsChange, Variation
from marketplace.capability import all_projections
from projections.engine import metadata
from tests import registration_fixtures as care
from tests.tendering_fixtures import (
    AWARDED_AT,
    DURING_TENDERING,
    POLICY,
    RESPONSES,
    SUPPLIER,
    bid_on,
    drafted,
    officer,
    provider,
    published,
)

NOT_MONEY = ["NaN", "-NaN", "sNaN", "Infinity", "-Infinity", "1E+400", "9" * 400, "0.001", "1000000000000", "-0.01"]


def refused(attempt: Callable[[], Any]) -> DomainError:
    with pytest.raises(DomainError) as caught:
        attempt()
    return caught.value


# --- the value ----------------------------------------------------------------------------------------------------


def _is_money(value: Decimal, maximum: Decimal) -> bool:
    """The rule, said independently of the code: finite, zero or more, at most the maximum, and no digit other
    than 0 beyond the second decimal place."""
    if not value.is_finite() or value < 0 or value > maximum:
        return False
    _, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)
    beyond_pence = -exponent - 2
    return beyond_pence <= 0 or not any(digits[-beyond_pence:])


ANY_DECIMAL = st.one_of(
    st.decimals(allow_nan=True, allow_infinity=True),
    st.decimals(min_value=-1, max_value=MAXIMUM + 1, places=2),
    st.decimals(min_value=0, max_value=MAXIMUM + 1, places=3),
    st.builds(
        lambda sign, digits, exponent: Decimal((sign, tuple(digits), exponent)),
        st.integers(0, 1),
        st.lists(st.integers(0, 9), min_size=1, max_size=420),
        st.integers(-450, 450),
    ),
    st.sampled_from([Decimal(text) for text in NOT_MONEY]),
)


@given(ANY_DECIMAL, st.sampled_from([MAXIMUM, HOURLY_RATE_MAXIMUM]))
@example(Decimal("999999999999.99"), MAXIMUM)
@example(Decimal("999999999999.990"), MAXIMUM)
@example(Decimal("99999999.99"), HOURLY_RATE_MAXIMUM)
@example(Decimal("100000000.00"), HOURLY_RATE_MAXIMUM)
@example(Decimal("-0"), MAXIMUM)
@example(Decimal("1E+3"), MAXIMUM)
@example(Decimal("0.0000000000000000000000000000000000001"), MAXIMUM)
def test_an_amount_is_accepted_exactly_when_finite_not_negative_in_pence_and_within_the_maximum(
    value: Decimal, maximum: Decimal
) -> None:
    try:
        accepted = money(value, "value", maximum)
    except DomainError as refusal:
        assert not _is_money(value, maximum), value
        assert (refusal.field, refusal.kind) == ("value", Refusal.INVALID)
        assert refusal.rule.startswith("Amount")
    else:
        assert _is_money(value, maximum), value
        # Exact: the same amount, written so that text, a NUMERIC(p, 2) column and SQLite's double all read it back.
        assert accepted == value and not accepted.is_signed()
        assert Decimal(str(accepted)) == accepted == accepted.quantize(PENNY)
        assert Decimal(f"{float(accepted):.2f}") == accepted


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("NaN", "AmountFinite"),
        ("sNaN", "AmountFinite"),
        ("-Infinity", "AmountFinite"),
        ("-0.01", "AmountNotNegative"),
        ("1E+400", "AmountWithinMaximum"),
        ("9" * 400, "AmountWithinMaximum"),
        ("1000000000000", "AmountWithinMaximum"),
        ("0.001", "AmountInPence"),
    ],
)
def test_each_way_an_amount_is_not_money_is_its_own_named_rule(text: str, rule: str) -> None:
    refusal = refused(lambda: money(Decimal(text), "prices.lot-1"))
    assert (refusal.rule, refusal.field) == (rule, "prices.lot-1")
    assert "prices.lot-1" in refusal.message


@pytest.mark.parametrize("value", [250000.5, 250000, "250000.00", None])
def test_an_amount_must_be_a_decimal_not_a_binary_float_or_text(value: Any) -> None:
    assert refused(lambda: money(value, "value")).rule == "AmountIsDecimal"


def test_the_maximums_are_the_largest_amounts_their_columns_hold() -> None:
    assert MAXIMUM + PENNY == 10**12  # NUMERIC(14, 2) holds less than 10**12
    assert HOURLY_RATE_MAXIMUM + PENNY == 10**8  # NUMERIC(10, 2) holds less than 10**8
    assert len(MAXIMUM.as_tuple().digits) <= 15  # SQLite keeps NUMERIC as a double: exact to 15 digits


SCORES = {("grant_applications", "moderated_score"), ("grant_applications", "rank_order")}  # points out of 100


def test_every_money_column_in_the_views_holds_the_maximum_of_its_kind() -> None:
    all_projections()  # every view's tables, registered
    columns = [
        (table.name, column.name, column.type)
        for table in metadata.tables.values()
        for column in table.columns
        if isinstance(column.type, Numeric) and column.type.scale == 2 and (table.name, column.name) not in SCORES
    ]
    assert {"tenders", "registrations", "contracts"} <= {table for table, _, _ in columns}
    for table, name, kind in columns:
        maximum = HOURLY_RATE_MAXIMUM if (table, name) == ("registrations", "hourly_rate") else MAXIMUM
        assert kind.precision is not None and maximum < 10 ** (kind.precision - 2), (table, name)


# --- every command that takes an amount keeps it ------------------------------------------------------------------


@pytest.mark.parametrize("text", NOT_MONEY)
def test_a_tender_lot_value_that_is_not_money_is_refused_naming_the_lot(text: str) -> None:
    lots = [Lot("1", "Day care", Decimal("300000")), Lot("2", "Respite care", Decimal(text))]
    assert refused(lambda: drafted(lots=lots)).field == "lots[1].value"


def test_lots_whose_values_together_exceed_the_maximum_are_refused() -> None:
    lots = [Lot("1", "Day care", MAXIMUM), Lot("2", "Respite care", PENNY)]
    refusal = refused(lambda: drafted(lots=lots, procedure="open"))
    assert (refusal.field, refusal.rule) == ("lots", "AmountWithinMaximum")
    assert drafted(lots=[Lot("1", "Day care", MAXIMUM - PENNY), Lot("2", "Respite care", PENNY)]).value == MAXIMUM


@pytest.mark.parametrize("text", NOT_MONEY)
def test_revising_or_amending_a_lot_value_to_something_not_money_is_refused(text: str) -> None:
    lots = [Lot("1", "Day care", Decimal(text))]
    assert refused(lambda: drafted().revise(officer(), POLICY, TermsChange(lots=lots))).field == "lots[0].value"
    tender, during = published(), officer(DURING_TENDERING)
    assert refused(lambda: tender.amend(during, POLICY, "Corrected", TermsChange(lots=lots))).field == "lots[0].value"


@pytest.mark.parametrize("text", NOT_MONEY)
def test_a_bid_price_that_is_not_money_is_refused_naming_the_lot(text: str) -> None:
    tender = published()
    assert refused(lambda: bid_on(tender, prices={"1": Decimal(text)})).field == "prices.1"
    bid = bid_on(tender)
    offer = Offer({"1": Decimal(text)}, dict(RESPONSES))
    assert refused(lambda: bid.replace(provider(), tender, offer)).field == "prices.1"


@pytest.mark.parametrize("text", [*NOT_MONEY, "100000000", "99999999.999"])
def test_an_hourly_rate_that_is_not_money_or_above_its_own_maximum_is_refused(text: str) -> None:
    assert refused(lambda: care.applied(hourly_rate=Decimal(text))).field == "hourly_rate"


def test_the_largest_hourly_rate_is_accepted() -> None:
    assert care.applied(hourly_rate=HOURLY_RATE_MAXIMUM).hourly_rate == HOURLY_RATE_MAXIMUM


@pytest.mark.parametrize("text", [t for t in NOT_MONEY if t != "-0.01"])
def test_an_insurance_cover_amount_that_is_not_money_is_refused(text: str) -> None:
    registration = care.applied()
    insurance = replace(care.COMPLETE_EVIDENCE[2], amount=Decimal(text))
    attempt = lambda: registration.add_evidence(care.provider(), care.POLICY, insurance)  # noqa: E731
    assert refused(attempt).field == "amount"


@pytest.mark.parametrize("text", NOT_MONEY)
def test_a_contract_varied_to_a_value_that_is_not_money_is_refused(text: str) -> None:
    award = Award("1", "bid-a", SUPPLIER, Decimal("250000.00"), AWARDED_AT, date(2026, 4, 16))
    terms = ContractTerms("1", date(2026, 5, 1), date(2029, 4, 30), ["On time"])
    contract = Contract.conclude(officer(AWARDED_AT), drafted(), award, terms)
    varied = Variation(value=Decimal(text))
    assert refused(lambda: contract.vary(officer(AWARDED_AT), "Inflation", varied)).field == "value"
