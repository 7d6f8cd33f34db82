"""Grants through their services: a programme's budget, an application's way to an offer, a grant's money."""

from __future__ import annotations

from decimal import Decimal

import pytest

from domain.grants.grant import grant_uuid
from domain.grants.programme import GrantProgramme
from domain.rules import DomainError, Refusal
from domain.working_days import uk_date
from marketplace.clock import FixedClock
from marketplace.grants.services import Grants
from marketplace.scheduler import tick
from marketplace.service import Marketplace
from projections.grants.applications import find_application
from projections.grants.programmes import find_programme
from projections.grants.register import find_grant
from tests.grants_fixtures import funded, offer_terms, pay_instalment, provider, request


def test_an_offer_commits_money_and_acceptance_makes_the_grant(market: Marketplace, clock: FixedClock) -> None:
    fund = funded(market, clock)
    application_id = fund.assessed("GB-CHC-1234567")
    today = uk_date(clock.now())
    fund.applications.offer(request(), application_id, "Strong case.", offer_terms("10000", today))
    programme = market.commands.load(GrantProgramme, fund.programme_id)
    assert programme.committed == Decimal("10000")
    fund.applications.accept(request(provider("GB-CHC-1234567")), application_id)
    grants = market.service(Grants)
    grant_id = grant_uuid(application_id)
    grants.discharge(request(), grant_id, "Policy seen.", "safeguarding", "Policy dated 2026.")
    pay_instalment(market, grant_id, "first", today)
    with market.views() as session:
        shown = find_programme(session, str(fund.programme_id))
        assert shown is not None
        assert (shown["committed"], shown["disbursed"], shown["remaining"]) == (
            Decimal("10000"),
            Decimal("5000"),
            Decimal("40000"),
        )
        application = find_application(session, str(application_id))
        assert application is not None and application["status"] == "accepted"
        assert application["moderated_score"] == Decimal("80.00")
        grant = find_grant(session, str(grant_id))
        assert grant is not None and grant["amount_disbursed"] == Decimal("5000")


def test_an_ineligible_applicant_is_refused_with_the_rule_it_breaks(market: Marketplace, clock: FixedClock) -> None:
    fund = funded(market, clock)
    with pytest.raises(DomainError) as refused:
        fund.apply("GB-COH-87654321")
    assert refused.value.rule == "VcseEligible"


def test_an_offer_beyond_the_budget_is_refused(market: Marketplace, clock: FixedClock) -> None:
    fund = funded(market, clock, budget=Decimal("15000"), maximum_award=Decimal("15000"))
    first, second = fund.assessed("GB-CHC-1234567"), fund.assessed("GB-CHC-7654321")
    today = uk_date(clock.now())
    fund.applications.offer(request(), first, "Strong.", offer_terms("10000", today))
    with pytest.raises(DomainError) as refused:
        fund.applications.offer(request(), second, "Strong.", offer_terms("10000", today))
    assert (refused.value.rule, refused.value.kind) == ("BudgetNotOverCommitted", Refusal.CONFLICT)


def test_an_offer_lapses_by_the_clock_and_frees_its_money(market: Marketplace, clock: FixedClock) -> None:
    fund = funded(market, clock)
    application_id = fund.assessed("GB-CHC-1234567")
    fund.applications.offer(request(), application_id, "Strong.", offer_terms("10000", uk_date(clock.now())))
    clock.advance(days=16)
    moved = tick(market)
    assert moved["grant offers lapsed"] == 1
    assert market.commands.load(GrantProgramme, fund.programme_id).committed == 0
    with pytest.raises(DomainError):
        fund.applications.accept(request(provider("GB-CHC-1234567")), application_id)


def test_the_window_is_recorded_by_the_clock(market: Marketplace, clock: FixedClock) -> None:
    fund = funded(market, clock)
    assert tick(market)["grant windows recorded"] == 1  # opened
    clock.advance(days=29)
    assert tick(market)["grant windows recorded"] == 1  # closed
    with pytest.raises(DomainError) as refused:
        fund.apply("GB-CHC-1234567")
    assert refused.value.rule == "WindowStillOpen"
    assert market.commands.load(GrantProgramme, fund.programme_id).window_recorded == "closed"
