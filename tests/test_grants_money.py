"""Grants' money: a grant's own money rules (variation, underspend, clawback, closure), each with what it does to
the programme's budget; the programme's figures (budget, committed, disbursed, remaining) after every step of a
longer history; and the grant views rebuilt from the log to the very same rows. Money asked back (a clawback, an
underspend's paid part) is a recovery: it moves nothing until it is received, then it comes off the award, comes
back out of what was disbursed, and is freed in the budget."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest
from sqlalchemy import Table, select

from domain.base import Context
from domain.grants import terms as gt
from domain.grants.application import GrantApplication
from domain.grants.grant import Grant, grant_uuid
from domain.grants.programme import GrantProgramme
from domain.payments.invoice import Invoice
from domain.payments.terms import PaymentPolicy, RecoveryAsked
from domain.rules import DomainError, Refusal
from marketplace.clock import FixedClock
from marketplace.grants.services import Grants, Programmes
from marketplace.payments.sources import GRANTS
from marketplace.scheduler import tick
from marketplace.service import Marketplace
from projections.grants.applications import application_criteria, find_application, grant_applications
from projections.grants.programmes import find_programme, grant_programmes
from projections.grants.register import find_grant, grant_transactions, grants, transactions_of
from tests.grants_fixtures import (
    Funded,
    awaited_recoveries,
    committed,
    funded,
    lead,
    offer_terms,
    pay_instalment,
    recover,
    refused,
    request,
    today,
)

LUDLOW, OSWESTRY, SEVERN = "GB-CHC-1234567", "GB-CHC-7654321", "GB-COH-12345678"
OFFICER = request()
GRANT_VIEWS = ["grant_programmes", "grant_applications", "grants"]
GRANT_TABLES = (grant_programmes, grant_applications, application_criteria, grants, grant_transactions)


def gbp(*pounds: int) -> tuple[Decimal, ...]:
    return tuple(Decimal(amount) for amount in pounds)


def grant(fund: Funded, grant_id: UUID) -> Grant:
    return fund.market.commands.load(Grant, grant_id)


def offer(fund: Funded, application: UUID, amount: str, **changes: Any) -> None:
    fund.applications.offer(OFFICER, application, "Strong case.", offer_terms(amount, today(fund), **changes))


def granted(fund: Funded) -> tuple[UUID, Grants]:
    """A £10,000 grant to Ludlow Befrienders: £5,000 ("first") on a safeguarding condition, £5,000 ("second")."""
    application = fund.assessed(LUDLOW)
    offer(fund, application, "10000")
    fund.applications.accept(lead(), application)
    return grant_uuid(application), fund.market.service(Grants)


def pay(fund: Funded, grant_id: UUID, instalment: str = "second") -> None:
    pay_instalment(fund.market, grant_id, instalment, today(fund))


# --- a grant's money, rule by rule ----------------------------------------------------------------------------


def test_a_variation_commits_money_the_budget_has_releases_it_and_never_goes_below_what_is_paid(
    market: Marketplace, clock: FixedClock
) -> None:
    fund = funded(market, clock, budget=Decimal("15000"), maximum_award=Decimal("15000"))
    (grant_id, grants), vary = granted(fund), market.service(Grants).vary

    def amount(pounds: str) -> gt.GrantVariation:
        return gt.GrantVariation(amount=Decimal(pounds))

    vary(OFFICER, grant_id, "Extra sessions.", amount("12000"))
    assert committed(fund) == Decimal("12000")
    refused("BudgetNotOverCommitted", vary, OFFICER, grant_id, "More.", amount("15000.01"), kind=Refusal.CONFLICT)
    assert (grant(fund, grant_id).amount, committed(fund)) == (Decimal("12000"), Decimal("12000"))  # neither saved
    vary(OFFICER, grant_id, "Fewer sessions.", amount("8000"))
    assert (grant(fund, grant_id).amount, committed(fund)) == (Decimal("8000"), Decimal("8000"))
    pay(fund, grant_id)  # £5,000
    refused("PaidWithinAward", vary, OFFICER, grant_id, "Less.", amount("4999.99"), kind=Refusal.CONFLICT)
    grants.claw_back(OFFICER, grant_id, "Ineligible spend.", Decimal("1000"))
    refused("PaidWithinAward", vary, OFFICER, grant_id, "Less.", amount("4000"), kind=Refusal.CONFLICT)  # not back yet
    recover(market, grant_id, today(fund))  # £4,000 net, of £7,000
    vary(OFFICER, grant_id, "Less.", amount("4000"))
    assert committed(fund) == Decimal("4000")


def test_underspend_declared_then_returned_reduces_the_award_frees_its_money_and_repays_only_what_was_paid(
    fund: Funded,
) -> None:
    grant_id, grants = granted(fund)
    back = grants.return_underspend
    refused("UnderspendDeclared", back, OFFICER, grant_id, "None.", Decimal(0), kind=Refusal.CONFLICT)
    too_much = Decimal("10000.01")
    refused("UnderspendWithinAward", grants.declare_underspend, lead(), grant_id, too_much, "Too much.", field="amount")
    grants.declare_underspend(lead(), grant_id, Decimal("2000"), "A venue lent free.")
    refused("ReclaimWithinPaid", back, OFFICER, grant_id, "Repaid.", Decimal("0.01"), field="repaid")  # none paid
    back(OFFICER, grant_id, "Underspend agreed.", Decimal(0))
    after = grant(fund, grant_id)
    assert (after.amount, after.underspend_declared, committed(fund)) == (Decimal("8000"), Decimal(0), Decimal("8000"))
    pay(fund, grant_id)  # £5,000
    grants.declare_underspend(lead(), grant_id, Decimal("6000"), "Fewer visits needed.")  # £5,000 of it paid
    refused("ReclaimWithinPaid", back, OFFICER, grant_id, "Repaid.", Decimal("5000.01"), field="repaid")
    back(OFFICER, grant_id, "Repaid.", Decimal("5000"))  # the £1,000 never paid comes off now; the £5,000 is asked
    asked = grant(fund, grant_id)
    assert (asked.amount, asked.reclaimed, asked.asked_back, committed(fund)) == gbp(7000, 0, 5000, 7000)
    recover(fund.market, grant_id, today(fund))
    after = grant(fund, grant_id)
    assert (after.amount, after.paid, after.reclaimed, committed(fund)) == gbp(2000, 5000, 5000, 2000)
    assert after.asked_back == 0


def test_a_clawback_takes_back_no_more_than_was_paid_and_not_yet_reclaimed(fund: Funded) -> None:
    grant_id, grants = granted(fund)
    claw_back = grants.claw_back
    pay(fund, grant_id)  # £5,000
    for too_much in ("5000.01", "0"):
        refused("ReclaimWithinPaid", claw_back, OFFICER, grant_id, "Misspent.", Decimal(too_much), field="amount")
    claw_back(OFFICER, grant_id, "Misspent.", Decimal("3000"))
    assert (grant(fund, grant_id).amount, committed(fund)) == gbp(10000, 10000)  # asked back: nothing moves yet
    refused("ReclaimWithinPaid", claw_back, OFFICER, grant_id, "Misspent.", Decimal("2000.01"))  # £3,000 asked
    recover(fund.market, grant_id, today(fund))
    assert (grant(fund, grant_id).amount, committed(fund)) == gbp(7000, 7000)
    refused("ReclaimWithinPaid", claw_back, OFFICER, grant_id, "Misspent.", Decimal("2000.01"))
    claw_back(OFFICER, grant_id, "Misspent.", Decimal("2000"))
    recover(fund.market, grant_id, today(fund))
    after = grant(fund, grant_id)
    assert (after.paid, after.reclaimed, after.amount, committed(fund)) == gbp(5000, 5000, 5000, 5000)
    assert awaited_recoveries(fund.market, grant_id) == []


def test_closing_waits_for_pending_returns_then_releases_the_unpaid_balance(fund: Funded) -> None:
    (grant_id, grants), day = granted(fund), today(fund)
    pay(fund, grant_id)  # £5,000 of £10,000
    grants.submit_return(lead(), grant_id, gt.MonitoringReturn("2026-Q2", Decimal("5000"), "Done."))
    closure, early = gt.Closure(day - timedelta(days=60), day), gt.Closure(day, day + timedelta(days=1))
    with pytest.raises(DomainError, match="Review the returns for 2026-Q2") as waiting:
        grants.close(OFFICER, grant_id, "Project done.", closure)
    assert waiting.value.kind is Refusal.CONFLICT
    grants.review_return(OFFICER, grant_id, "Evidenced.", "2026-Q2", True)
    refused("NotAfterToday", grants.close, OFFICER, grant_id, "Project done.", early, field="actual_end")
    grants.close(OFFICER, grant_id, "Project done.", closure)
    assert committed(fund) == Decimal("5000")
    with fund.market.views() as session:
        row = find_grant(session, str(grant_id))
        assert row is not None
        assert (row["status"], row["amount_awarded"], row["amount_disbursed"]) == ("closed", 5000, 5000)
    assert figures(fund) == gbp(50000, 5000, 5000, 45000)
    refused("StateAllows", pay, fund, grant_id, "first")


# --- the programme's figures through a longer history ---------------------------------------------------------


def figures(fund: Funded) -> tuple[Decimal, Decimal, Decimal, Decimal]:
    """Budget, committed, disbursed and remaining as the programme's view shows them (committed and the budget
    as the programme's own ledger keeps them, too)."""
    with fund.market.views() as session:
        row = find_programme(session, str(fund.programme_id))
    assert row is not None
    programme = fund.market.commands.load(GrantProgramme, fund.programme_id)
    assert (row["budget"], row["committed"]) == (programme.budget, programme.committed)
    return row["budget"], row["committed"], row["disbursed"], row["remaining"]


def status(fund: Funded, application: UUID) -> str:
    with fund.market.views() as session:
        row = find_application(session, str(application))
    assert row is not None and row["status"] == fund.market.commands.load(GrantApplication, application).status
    return str(row["status"])


def a_longer_history(fund: Funded) -> UUID:
    """Three offers (one declined by its applicant, one lapsed by the clock, one accepted), a budget cut, both
    instalments paid, a variation up, underspend returned, a clawback and the grant closed: the figures checked
    after every step. Returns the grant."""
    market, clock, apps = fund.market, fund.clock, fund.applications
    assert figures(fund) == gbp(50000, 0, 0, 50000)
    ludlow, oswestry, severn = fund.assessed(LUDLOW), fund.assessed(OSWESTRY, "8000"), fund.assessed(SEVERN, "12000")
    assert figures(fund) == gbp(50000, 0, 0, 50000)  # assessment commits nothing
    offer(fund, ludlow, "10000")
    assert figures(fund) == gbp(50000, 10000, 0, 40000)
    offer(fund, oswestry, "8000")
    assert figures(fund) == gbp(50000, 18000, 0, 32000)
    apps.decline_offer(lead(OSWESTRY), oswestry, "We found other funding.")
    assert (figures(fund), status(fund, oswestry)) == (gbp(50000, 10000, 0, 40000), "offer-declined")
    offer(fund, severn, "12000", expires=today(fund) + timedelta(days=3))
    assert figures(fund) == gbp(50000, 22000, 0, 28000)
    apps.accept(lead(LUDLOW), ludlow)
    grant_id = grant_uuid(ludlow)
    assert (figures(fund), status(fund, ludlow)) == (gbp(50000, 22000, 0, 28000), "accepted")  # an offer, now a grant
    clock.advance(days=4)
    assert tick(market)["grant offers lapsed"] == 1
    assert (figures(fund), status(fund, severn)) == (gbp(50000, 10000, 0, 40000), "lapsed")
    market.service(Programmes).adjust_budget(OFFICER, fund.programme_id, "In-year savings.", Decimal("45000"))
    assert figures(fund) == gbp(45000, 10000, 0, 35000)
    grants = market.service(Grants)
    grants.discharge(OFFICER, grant_id, "Policy seen.", "safeguarding", "Policy dated 2026.")
    pay(fund, grant_id, "first")
    assert figures(fund) == gbp(45000, 10000, 5000, 35000)
    grants.vary(OFFICER, grant_id, "A second winter.", gt.GrantVariation(amount=Decimal("12000")))
    assert figures(fund) == gbp(45000, 12000, 5000, 33000)
    grants.declare_underspend(lead(), grant_id, Decimal("1000"), "A venue lent free.")
    assert figures(fund) == gbp(45000, 12000, 5000, 33000)  # declared: not yet returned
    grants.return_underspend(OFFICER, grant_id, "Underspend agreed.", Decimal(0))
    assert figures(fund) == gbp(45000, 11000, 5000, 34000)
    pay(fund, grant_id, "second")
    assert figures(fund) == gbp(45000, 11000, 10000, 34000)
    grants.claw_back(OFFICER, grant_id, "Receipts missing for £500.", Decimal("500"))
    assert figures(fund) == gbp(45000, 11000, 10000, 34000)  # asked back: nothing moves until it is received
    recover(market, grant_id, today(fund))
    assert figures(fund) == gbp(45000, 10500, 9500, 34500)
    day = today(fund)
    grants.close(OFFICER, grant_id, "Project complete.", gt.Closure(day - timedelta(days=90), day))
    assert figures(fund) == gbp(45000, 9500, 9500, 35500)  # the £1,000 never paid is released
    return grant_id


def test_the_programmes_budget_figures_are_right_after_every_step(fund: Funded) -> None:
    grant_id = a_longer_history(fund)
    with fund.market.views() as session:
        row = find_grant(session, str(grant_id))
        moved = transactions_of(session, [str(grant_id)])[str(grant_id)]
    assert row is not None and (row["amount_awarded"], row["amount_disbursed"], row["status"]) == (9500, 9500, "closed")
    assert [(t["kind"], t["amount"]) for t in moved] == [("instalment", 5000), ("instalment", 5000), ("clawback", -500)]
    after = grant(fund, grant_id)
    assert (after.amount, after.paid, after.reclaimed, after.disbursed) == gbp(9500, 10000, 500, 9500)


def rows(market: Marketplace, table: Table) -> list[dict[str, Any]]:
    with market.views() as session:
        found = session.execute(select(table).order_by(*table.primary_key.columns)).mappings()
        return [dict(row) for row in found]


def test_the_grant_views_rebuild_to_the_same_rows(fund: Funded) -> None:
    a_longer_history(fund)
    market = fund.market
    incremental = market.projector.checksums(GRANT_VIEWS)
    before = {table.name: rows(market, table) for table in GRANT_TABLES}
    assert all(before.values()), "every grant table has rows to compare"
    assert market.projector.rebuild(GRANT_VIEWS) == incremental  # the whole log in one batch
    assert {table.name: rows(market, table) for table in GRANT_TABLES} == before
    market.projector.batch_size = 3
    assert market.projector.rebuild(GRANT_VIEWS) == incremental  # a command's events split across batches
    assert {table.name: rows(market, table) for table in GRANT_TABLES} == before
    for table in (grant_programmes, grant_applications, grants):
        assert all(row["version"] == row["events_folded"] for row in before[table.name]), table.name


# --- money asked back: a payment record the other way, and the records kept before it was one ------------------


def test_money_is_asked_back_by_the_grants_funder_alone(fund: Funded) -> None:
    grant_id, _ = granted(fund)
    pay(fund, grant_id)
    recipient = Context(lead().actor, fund.clock.now())
    payee = GRANTS.payee(grant(fund, grant_id))
    asked = RecoveryAsked("clawback-1", "Grant: clawback", Decimal("100"), "We owe it back.")
    refused("Payer", Invoice.ask_back, recipient, payee, asked, PaymentPolicy(), kind=Refusal.FORBIDDEN)


def legacy(fund: Funded, grant_id: UUID, kind: type[Grant.Decision], released: Decimal, **fields: Any) -> None:
    """A decision as the grant recorded it before money asked back was a payment record, with the release beside it."""

    def record(old: Grant, ctx: Context) -> tuple[GrantProgramme, ...]:
        old.decide(kind, ctx, "Recorded at once, as it then was.", **fields)
        programme = fund.market.commands.load(GrantProgramme, fund.programme_id)
        programme.release(ctx, old.application_id, released, "clawback")
        return (programme,)

    fund.market.commands.change(request(), Grant, grant_id, record)


def test_clawbacks_and_repayments_recorded_before_recoveries_still_mean_what_they_meant(fund: Funded) -> None:
    grant_id, grants = granted(fund)
    pay(fund, grant_id)  # £5,000
    legacy(fund, grant_id, Grant.ClawedBack, Decimal("500"), amount=Decimal("500"))
    grants.declare_underspend(lead(), grant_id, Decimal("1500"), "A venue lent free.")
    legacy(fund, grant_id, Grant.UnderspendReturned, Decimal("1500"), amount=Decimal("1500"), repaid=Decimal("300"))
    after = grant(fund, grant_id)
    assert (after.amount, after.paid, after.reclaimed, after.asked_back, committed(fund)) == gbp(
        8000, 5000, 800, 0, 8000
    )
    with fund.market.views() as session:
        moved = transactions_of(session, [str(grant_id)])[str(grant_id)]
    assert [(t["kind"], t["amount"]) for t in moved] == [
        ("instalment", 5000),
        ("clawback", -500),
        ("underspend repaid", -300),
    ]
    assert fund.market.projector.rebuild(GRANT_VIEWS) == fund.market.projector.checksums(GRANT_VIEWS)


def test_an_underspend_returned_as_stored_before_recoveries_loads_with_nothing_asked_back(fund: Funded) -> None:
    grant_id, grants = granted(fund)
    grants.declare_underspend(lead(), grant_id, Decimal("1000"), "A venue lent free.")
    grants.return_underspend(OFFICER, grant_id, "Agreed.", Decimal(0))
    app = fund.market.app
    returned = next(e for e in app.events.get(grant_id) if isinstance(e, Grant.UnderspendReturned))
    stored = app.mapper.to_stored_event(returned)
    state = app.mapper.transcoder.decode(stored.state)
    for field in ("asked_back", "recovery"):  # the fields it had not yet
        del state[field]
    earlier = app.mapper.to_domain_event(replace(stored, state=app.mapper.transcoder.encode(state)))
    assert isinstance(earlier, Grant.UnderspendReturned)
    assert (earlier.amount, earlier.repaid, earlier.asked_back, earlier.recovery) == (Decimal("1000"), 0, 0, "")
    assert earlier.summary() == "underspend of £1,000.00 returned"
