"""Tendering's permits hold in the services, whoever calls them: the API, the command line or the clock.

Each command checks its permit before it loads anything, so these call the services directly, with no HTTP in
between, on records that need not exist: a refused role is refused (403) before any record could be missing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from uuid import UUID, uuid4

import pytest

from domain.base import Actor, Role
from domain.rules import DomainError, Refusal
from domain.tendering.terms import ContractTerms, Ending, Moderation, Offer, Score, Selection, TermsChange, Variation
from marketplace.commands import CommandRequest, by_the_clock
from marketplace.service import Marketplace
from marketplace.tendering.services import Bids, Contracts, Evaluations, Tenders
from tests.conftest import COUNCIL, event_count
from tests.tendering_fixtures import BIDDER, NO_CONFLICTS, terms

PROVIDER = CommandRequest(Actor("pat", BIDDER, Role.PROVIDER))
OFFICER = CommandRequest(Actor("cathy", COUNCIL, Role.COMMISSIONER))
AUDITOR = CommandRequest(Actor("audrey", COUNCIL, Role.AUDITOR))
SOMEONE = uuid4()
Command = Callable[[Marketplace, CommandRequest], object]

OFFICERS_ONLY: dict[str, Command] = {
    "draft": lambda m, r: m.service(Tenders).draft(r, terms()),
    "revise": lambda m, r: m.service(Tenders).revise(r, SOMEONE, TermsChange(title="Retitled")),
    "assess conflicts": lambda m, r: m.service(Tenders).assess_conflicts(r, SOMEONE, NO_CONFLICTS, "None found"),
    "publish": lambda m, r: m.service(Tenders).publish(r, SOMEONE, "Approved"),
    "answer": lambda m, r: m.service(Tenders).answer(r, SOMEONE, "Q1", "Yes."),
    "amend": lambda m, r: m.service(Tenders).amend(r, SOMEONE, "Clarified", TermsChange(title="Retitled")),
    "open bids": lambda m, r: m.service(Tenders).open_bids(r, SOMEONE),
    "award": lambda m, r: m.service(Tenders).award(r, SOMEONE, Selection("1", "bid-a"), "Most advantageous"),
    "conclude": lambda m, r: m.service(Tenders).conclude_contract(
        r, SOMEONE, ContractTerms("1", date(2026, 5, 1), date(2028, 4, 30))
    ),
    "cancel": lambda m, r: m.service(Tenders).cancel(r, SOMEONE, "Budget withdrawn"),
    "cancel a lot": lambda m, r: m.service(Tenders).cancel_lot(r, SOMEONE, "1", "Not needed"),
    "assign": lambda m, r: m.service(Evaluations).assign(r, SOMEONE, "eve"),
    "declare": lambda m, r: m.service(Evaluations).declare(r, SOMEONE, False, "No links"),
    "score": lambda m, r: m.service(Evaluations).score(r, SOMEONE, Score("bid-a", "quality", 60, "Clear plan")),
    "moderate": lambda m, r: m.service(Evaluations).moderate(r, SOMEONE, Moderation("bid-a", "quality", 60, "Agreed")),
    "vary": lambda m, r: m.service(Contracts).vary(r, SOMEONE, "Inflation", Variation(end=date(2029, 4, 30))),
    "terminate": lambda m, r: m.service(Contracts).terminate(r, SOMEONE, "Insolvent", date(2027, 1, 31)),
    "decommission": lambda m, r: m.service(Contracts).decommission(
        r, SOMEONE, "Moved to the NHS", Ending(date(2027, 1, 31), "Drop-in sessions")
    ),
}
OFFER = Offer({"1": Decimal("250000.00")}, {"quality": "Trained staff"})
PROVIDERS_ONLY: dict[str, Command] = {
    "submit": lambda m, r: m.service(Bids).submit(r, SOMEONE, OFFER),
    "replace": lambda m, r: m.service(Bids).replace(r, SOMEONE, OFFER),
    "ask": lambda m, r: m.service(Tenders).ask(r, SOMEONE, "Is transport included?"),
    "withdraw": lambda m, r: m.service(Bids).withdraw(r, SOMEONE),
    "reconfirm": lambda m, r: m.service(Bids).reconfirm(r, SOMEONE),
}


def refusal(market: Marketplace, command: Command, request: CommandRequest) -> DomainError:
    before = event_count(market)
    with pytest.raises(DomainError) as refused:
        command(market, request)
    assert event_count(market) == before
    return refused.value


def test_an_officer_only_command_called_by_a_provider_through_the_service_is_forbidden(market: Marketplace) -> None:
    refused = refusal(market, OFFICERS_ONLY["draft"], PROVIDER)
    assert (refused.kind, refused.rule) == (Refusal.FORBIDDEN, "RoleAllows")
    assert refused.message == "To draft a tender is for the admin, commissioner role, not provider."


@pytest.mark.parametrize("command", list(OFFICERS_ONLY))
def test_every_officer_command_is_refused_to_providers_and_auditors(market: Marketplace, command: str) -> None:
    for request in (PROVIDER, AUDITOR):
        assert refusal(market, OFFICERS_ONLY[command], request).kind is Refusal.FORBIDDEN


@pytest.mark.parametrize("command", list(PROVIDERS_ONLY))
def test_every_provider_command_is_refused_to_officers(market: Marketplace, command: str) -> None:
    assert refusal(market, PROVIDERS_ONLY[command], OFFICER).kind is Refusal.FORBIDDEN


def test_only_the_clock_closes_tendering(market: Marketplace) -> None:
    for request in (OFFICER, PROVIDER):
        assert refusal(market, lambda m, r: m.service(Tenders).close(r, SOMEONE), request).kind is Refusal.FORBIDDEN
    missing = refusal(market, lambda m, r: m.service(Tenders).close(r, UUID(int=1)), by_the_clock())
    assert missing.kind is Refusal.NOT_FOUND  # the clock's permit holds: it is the tender that is not there
