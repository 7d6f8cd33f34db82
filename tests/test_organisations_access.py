"""Who may change the organisation register is the service's rule, not only the API's: called through the
service (as the command line and the demo loader call it), a command the actor's role may not take, or one for
another organisation than the provider's own, is refused (403, FORBIDDEN) and writes nothing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest

from domain.base import Actor, Role
from domain.organisations.organisation import DetailsChange
from domain.rules import DomainError, Refusal
from marketplace.commands import CommandRequest
from marketplace.organisations.services import Organisations
from marketplace.service import Marketplace
from tests.conftest import COUNCIL, event_count
from tests.test_domain_organisation import SHOP

CHARITY, OTHER = "GB-CHC-1234567", "GB-CHC-7654321"
OFFICER = CommandRequest(Actor("cathy", COUNCIL, Role.COMMISSIONER))
ADMIN = CommandRequest(Actor("adam", COUNCIL, Role.ADMIN))


def as_(role: Role, organisation: str = CHARITY) -> CommandRequest:
    return CommandRequest(Actor(f"{role.value}-at-{organisation}", organisation, role))


Command = Callable[[Organisations, CommandRequest], Any]
COMMANDS: dict[str, Command] = {
    "register": lambda service, by: service.register(by, replace(SHOP, identifier=OTHER)),
    "update": lambda service, by: service.update_details(by, CHARITY, DetailsChange(name="Renamed")),
    "verify": lambda service, by: service.verify(by, CHARITY, "Checked the register"),
    "deactivate": lambda service, by: service.deactivate(by, CHARITY, "Wound up"),
}
REFUSED = [
    ("verify", as_(Role.PROVIDER), "RoleAllows"),  # an officer-only command, asked by the organisation itself
    *[(command, as_(Role.AUDITOR, COUNCIL), "RoleAllows") for command in COMMANDS],
    *[(command, as_(Role.PROVIDER, OTHER), "Allowed") for command in ("update", "deactivate")],
    ("register", as_(Role.PROVIDER), "Allowed"),  # another organisation than its own
]


@pytest.fixture
def registered(market: Marketplace) -> Marketplace:
    market.service(Organisations).register(OFFICER, replace(SHOP, identifier=CHARITY))
    return market


def forbidden(market: Marketplace, attempt: Callable[[], Any]) -> str:
    """The rule that refused the attempt as forbidden (403), once it is shown to have written nothing."""
    before = event_count(market)
    with pytest.raises(DomainError) as refused:
        attempt()
    assert refused.value.kind is Refusal.FORBIDDEN and event_count(market) == before
    return refused.value.rule


@pytest.mark.parametrize(("command", "by", "rule"), REFUSED, ids=[f"{c}-by-{b.actor.subject}" for c, b, _ in REFUSED])
def test_a_command_the_actor_may_not_take_is_refused_by_the_service_and_writes_nothing(
    registered: Marketplace, command: str, by: CommandRequest, rule: str
) -> None:
    assert forbidden(registered, lambda: COMMANDS[command](registered.service(Organisations), by)) == rule


def test_a_provider_acts_for_its_own_organisation_however_the_identifier_is_written(registered: Marketplace) -> None:
    mine = as_(Role.PROVIDER)
    outcome = registered.service(Organisations).update_details(mine, " gb-chc-1234567 ", DetailsChange(vcse=False))
    assert outcome.version == 2
    assert registered.service(Organisations).deactivate(mine, CHARITY, "Wound up").version == 3


def test_an_admin_registers_and_verifies_any_organisation(registered: Marketplace) -> None:
    """As the demo loader does (marketplace/demo.py)."""
    registered.service(Organisations).register(ADMIN, replace(SHOP, identifier=OTHER))
    assert registered.service(Organisations).verify(ADMIN, OTHER, "Checked the register").version == 2
