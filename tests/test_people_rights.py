"""Leaving ends a person's rights from that moment, on every path (reads, writes, the services), while their past
decisions stay theirs; with development tokens off, only registered, active people act."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from litestar.testing import TestClient

from domain.base import Actor, Role
from domain.people.terms import Leaving
from domain.rules import DomainError
from marketplace.clock import FixedClock
from marketplace.grants.services import Applications
from marketplace.organisations.services import Organisations
from marketplace.service import Marketplace
from marketplace.settings import Settings
from tests.conftest import COUNCIL, bearer, registration
from tests.grants_fixtures import OFFICER as GRANTS_OFFICER
from tests.grants_fixtures import funded, refused
from tests.people_fixtures import ADMIN, officer_details, officers, register_officer, request

CATHY = bearer(Role.COMMISSIONER, COUNCIL, "cathy")
AUDITOR = bearer(Role.AUDITOR, COUNCIL, "audrey")
CHARITY, CIC = "GB-CHC-1234567", "GB-COH-12345678"


def test_an_officer_who_left_can_no_longer_act_and_their_earlier_decisions_still_name_them(
    market: Marketplace, client: TestClient[Any]
) -> None:
    register_officer(market, "cathy")
    assert client.post("/organisations", json=registration(CHARITY), headers=CATHY).status_code == 201
    verified = client.post(f"/organisations/{CHARITY}/verify", json={"reason": "Checked the register"}, headers=CATHY)
    assert verified.status_code == 200, verified.text

    officers(market).leave(request(ADMIN), "cathy", Leaving("Left the council"))
    for answer in (
        client.get("/audit/decisions", headers=CATHY),
        client.post(f"/organisations/{CHARITY}/deactivate", json={"reason": "Closed"}, headers=CATHY),
    ):
        assert answer.status_code == 403 and "left" in answer.json()["detail"], answer.text

    log = client.get("/audit/decisions", params={"decision": "organisation.verified"}, headers=AUDITOR).json()
    assert [entry["actor"]["subject"] for entry in log["items"]] == ["cathy"]


def test_a_leaver_cannot_act_through_the_services_either(market: Marketplace) -> None:
    register_officer(market, "cathy")
    officers(market).leave(request(ADMIN), "cathy", Leaving("Left the council"))
    with pytest.raises(DomainError) as refused:
        market.service(Organisations).verify(request(Actor("cathy", COUNCIL, Role.COMMISSIONER)), CHARITY, "ok")
    assert refused.value.rule == "PersonStanding"


@pytest.fixture
def strict(settings: Settings, clock: FixedClock) -> Any:
    """A marketplace whose development tokens are off: the people registers decide who acts."""
    market = Marketplace(replace(settings, dev_tokens=False), clock)
    yield market
    market.close()


def test_with_development_tokens_off_only_registered_active_people_act(strict: Marketplace) -> None:
    register_officer(strict, "ada", team="Digital")  # the council keeps no officers yet: its first admin starts it
    register_officer(strict, "cathy")
    stranger = request(Actor("sid", COUNCIL, Role.ADMIN))
    with pytest.raises(DomainError) as refused:
        officers(strict).register(stranger, officer_details("sam"))
    assert refused.value.rule == "PersonStanding"
    officers(strict).register(request(ADMIN), officer_details("sam"))  # ada is registered and active


def test_an_assessor_is_an_officer_still_here_and_with_development_tokens_off_a_registered_one(
    market: Marketplace, strict: Marketplace, clock: FixedClock
) -> None:
    officer = request(GRANTS_OFFICER)  # cathy, not yet registered: development tokens are on
    fund = funded(market, clock)
    register_officer(market, "asha")
    fund.applications.assign(officer, fund.submitted(CHARITY), "asha")
    fund.applications.assign(officer, fund.submitted("GB-CHC-7654321"), "walk-in")  # the council's word, tokens on
    officers(market).leave(request(ADMIN), "asha", Leaving("Retired"))
    refused("ActiveOfficer", fund.applications.assign, officer, fund.submitted(CIC), "asha", field="assessor")

    register_officer(market, "ada")  # the same database, now served with development tokens off
    register_officer(market, "cathy")
    another = fund.apply(CHARITY)
    fund.applications.submit(request(Actor("lead", CHARITY, Role.PROVIDER)), another)
    refused("RegisteredOfficer", strict.service(Applications).assign, officer, another, "walk-in", field="assessor")
