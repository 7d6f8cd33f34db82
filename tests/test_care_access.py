"""Who may act on a care registration is the service's rule, not only the API's: the command line and the clock
are held to it too. Called through the service, a command the actor's role or organisation may not take is
refused (403, FORBIDDEN) and writes nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from domain.base import Actor, Role
from domain.care.micro_enterprise import Corrections, EvidenceCheck, EvidenceItem, registration_uuid
from domain.rules import DomainError
from marketplace.care.services import Registrations
from marketplace.commands import CommandRequest, by_the_clock
from marketplace.organisations.services import Organisations
from marketplace.service import Marketplace
from tests.conftest import COUNCIL
from tests.registration_fixtures import APPLICATION, MICRO, organisation_details
from tests.test_organisations_access import forbidden

OTHER = "GB-CHC-1102345"
OFFICER = CommandRequest(Actor("cathy", COUNCIL, Role.COMMISSIONER))
AUDITOR = CommandRequest(Actor("audrey", COUNCIL, Role.AUDITOR))


def provider(organisation: str = MICRO) -> CommandRequest:
    return CommandRequest(Actor(f"staff-of-{organisation}", organisation, Role.PROVIDER))


Command = Callable[[Registrations, CommandRequest], Any]
REGISTRATION = registration_uuid(MICRO)
CHECK = EvidenceCheck("E1", True, "Seen the original")
EVIDENCE = EvidenceItem("reference", "Dr A Jones", date(2026, 2, 1))
COMMANDS: dict[str, Command] = {
    "apply": lambda service, by: service.apply_for_listing(by, APPLICATION),
    "add evidence": lambda service, by: service.add_evidence(by, REGISTRATION, EVIDENCE),
    "resubmit": lambda service, by: service.resubmit(by, REGISTRATION, Corrections()),
    "update availability": lambda service, by: service.update_availability(by, REGISTRATION, 10),
    "withdraw": lambda service, by: service.withdraw(by, REGISTRATION, "Retiring"),
    "record a check": lambda service, by: service.record_check(by, REGISTRATION, CHECK),
    "approve": lambda service, by: service.approve(by, REGISTRATION, "All checks passed"),
    "reject": lambda service, by: service.reject(by, REGISTRATION, "References not independent"),
    "suspend": lambda service, by: service.suspend(by, REGISTRATION, "Safeguarding concern"),
    "reinstate": lambda service, by: service.reinstate(by, REGISTRATION, "Concern closed"),
    "record standing": lambda service, by: service.record_standing(by, REGISTRATION),
}
OFFICERS_ONLY = ["record a check", "approve", "reject", "suspend", "reinstate"]
APPLICANTS_OWN = ["apply", "add evidence", "resubmit", "update availability", "withdraw"]  # their own only
# (command, who, the rule that refuses): every refusal a role or an organisation earns.
REFUSED = [
    *[(command, provider(), "RoleAllows") for command in OFFICERS_ONLY],
    *[(command, AUDITOR, "RoleAllows") for command in COMMANDS if command != "record standing"],
    *[(command, provider(OTHER), "OwnRegistration") for command in APPLICANTS_OWN],
    ("withdraw", OFFICER, "RoleAllows"),  # officers suspend; only the provider withdraws
    ("record standing", OFFICER, "RoleAllows"),  # the clock's alone
    ("record standing", provider(), "RoleAllows"),
]


@pytest.fixture
def applied(market: Marketplace) -> Marketplace:
    """A micro organisation (and another) in the register, and the micro one's application."""
    for identifier in (MICRO, OTHER):
        market.service(Organisations).register(OFFICER, organisation_details(identifier=identifier))
    market.service(Registrations).apply_for_listing(provider(), APPLICATION)
    return market


@pytest.mark.parametrize(("command", "by", "rule"), REFUSED, ids=[f"{c}-by-{b.actor.subject}" for c, b, _ in REFUSED])
def test_a_command_the_actor_may_not_take_is_refused_by_the_service_and_writes_nothing(
    applied: Marketplace, command: str, by: CommandRequest, rule: str
) -> None:
    assert forbidden(applied, lambda: COMMANDS[command](applied.service(Registrations), by)) == rule


def test_an_officer_only_command_names_the_roles_it_is_for(applied: Marketplace) -> None:
    with pytest.raises(
        DomainError, match=r"^To approve a registration is for the admin, commissioner role, not provider\.$"
    ):
        applied.service(Registrations).approve(provider(), REGISTRATION, "Approving my own")


def test_the_clock_may_record_a_standing_and_officers_act_on_any_registration(applied: Marketplace) -> None:
    with pytest.raises(DomainError) as nothing_to_record:  # allowed: refused only for having no news
        applied.service(Registrations).record_standing(by_the_clock(), REGISTRATION)
    assert nothing_to_record.value.rule == "ClockHasNews"
    outcome = applied.service(Registrations).add_evidence(OFFICER, REGISTRATION, EVIDENCE)
    assert outcome.version == 2
