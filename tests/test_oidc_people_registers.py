"""Suppliers sign in through a GOV.UK One Login-like provider whose tokens name no organisation: they act for the
organisation whose people register lists their subject (`organisation_from: people`), looked up on every request.

A real provider answers on loopback (tests/test_oidc_sign_in.py's), the registers are real, development tokens are
off: only the council's staff (through their own provider) and the registers' people act. Someone in one register
acts for it; in several, says which with X-Organisation (400 until they do); who left acts no more (403); whom no
register lists reads but writes nothing (403 naming their subject, to pass to their organisation's owner).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import jwt
import pytest
from litestar.testing import TestClient

from api.app import create_app
from domain.base import Actor, Role
from domain.organisations.organisation import Address, Contact, OrganisationDetails
from domain.people.terms import OfficerDetails, PersonDetails
from marketplace.oidc_config import OidcIssuer
from marketplace.organisations.services import Organisations
from marketplace.service import Marketplace
from marketplace.settings import Settings
from tests.challenge_journey import refused
from tests.conftest import COUNCIL, registration
from tests.grants_fixtures import APPLICANTS
from tests.journeys import ok
from tests.people_fixtures import CHARITY, CIC, officers, people, request
from tests.test_oidc_sign_in import Provider, key

ADA = Actor("staff:ada", COUNCIL, Role.ADMIN)  # the council's admin, signed in through the staff provider
FOOD_SHARE = "GB-CHC-7654321"  # registered, but keeps no person of the suppliers'
GONE = {"reason": "Moved to another charity."}


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Production: development tokens off, so only registered, active people act."""
    return replace(settings, dev_tokens=False)


@pytest.fixture
def provider() -> Iterator[Provider]:
    found = Provider()
    yield found
    found.close()


def issuers(provider: Provider) -> tuple[OidcIssuer, ...]:
    """Staff (Entra-like: app roles, always the council) and suppliers (One Login-like: no org claim, no roles)."""
    staff = OidcIssuer(
        provider.issuer("staff"),
        "marketplace-api",
        roles={"Marketplace.Admin": Role.ADMIN},
        organisation=COUNCIL,
        name="staff",
    )
    suppliers = OidcIssuer(
        provider.issuer("suppliers"), "one-login-client", organisation_from="people", name="suppliers"
    )
    return staff, suppliers


@pytest.fixture
def client(market: Marketplace, provider: Provider) -> Iterator[TestClient[Any]]:
    """The council's admin ada registered; the charity, the CIC and the food share registered; the charity's
    people started by ada with pat, its owner, whom One Login knows as `pat`."""
    officers(market).register(request(ADA), OfficerDetails(ADA.subject, "Ada Admin", "Marketplace admin", "Digital"))
    for organisation in (CHARITY, CIC, FOOD_SHARE):
        _register(market, organisation)
    people(market).add(request(ADA), CHARITY, PersonDetails("suppliers:pat", "Pat Owner", "owner"))
    changes = {"oidc_issuers": issuers(provider), "oidc_refetch_seconds": 0}
    with TestClient(create_app(market, replace(market.settings, **changes))) as client:
        yield client


def _register(market: Marketplace, organisation: str) -> None:
    """Registered by ada: with development tokens off, the fixtures' unregistered commissioner may not."""
    name, legal_form, size, vcse, postcode = APPLICANTS[organisation]
    details = OrganisationDetails(
        organisation,
        name,
        legal_form,
        size,
        vcse,
        Address("1 High Street", "Shrewsbury", postcode),
        Contact("Ann Example", "ann@example.org"),
    )
    market.service(Organisations).register(request(ADA), details)


def one_login(provider: Provider, sub: str, chosen: str | None = None) -> dict[str, str]:
    """A One Login-like ID token for `sub`: iss, aud, sub and times, no organisation and no role claim."""
    now = int(time.time())
    claims = {"iss": provider.issuer("suppliers"), "aud": "one-login-client", "sub": sub, "iat": now, "exp": now + 600}
    signer = key("ec-supplier")
    token = jwt.encode(claims, signer.private, algorithm="ES256", headers={"kid": signer.kid})
    return {"Authorization": f"Bearer {token}", **({"X-Organisation": chosen} if chosen else {})}


def staff(provider: Provider, chosen: str | None = None) -> dict[str, str]:
    now = int(time.time())
    claims = {"iss": provider.issuer("staff"), "aud": "marketplace-api", "sub": "ada", "iat": now, "exp": now + 600}
    claims["roles"] = ["Marketplace.Admin"]
    signer = key("rsa-1")
    token = jwt.encode(claims, signer.private, algorithm="RS256", headers={"kid": signer.kid})
    return {"Authorization": f"Bearer {token}", **({"X-Organisation": chosen} if chosen else {})}


def add(client: TestClient[Any], organisation: str, subject: str, role: str, as_: dict[str, str]) -> Any:
    body = {"subject": subject, "name": f"{subject.title()} Person", "role": role}
    return client.post(f"/organisations/{organisation}/people", json=body, headers=as_)


def actors(client: TestClient[Any], provider: Provider, organisation: str) -> list[dict[str, str]]:
    """Who recorded each event of the organisation's people, as the audit history (read by ada) shows them."""
    history = ok(client.get(f"/audit/organisation_people/{organisation}/history", headers=staff(provider)))
    return [event["actor"] for event in history]


# One register: the person acts for it


def test_a_token_with_no_organisation_claim_acts_for_the_organisation_whose_register_lists_its_subject(
    client: TestClient[Any], provider: Provider
) -> None:
    pat = one_login(provider, "pat")
    ok(add(client, CHARITY, "suppliers:bea", "bid-writer", pat), 201)  # only an owner of the charity may
    assert actors(client, provider, CHARITY)[-1] == {
        "subject": "suppliers:pat",
        "organisation": CHARITY,
        "role": "provider",  # people of an organisation are its providers; their role there is the register's
    }
    assert ok(client.get(f"/organisations/{CHARITY}/people", headers=one_login(provider, "bea")))
    assert ok(add(client, CHARITY, "suppliers:cy", "finance", one_login(provider, "pat", CHARITY)), 201)
    refused(add(client, CIC, "suppliers:pat", "owner", pat), 403, "kept-by-an-owner")  # never another's


def test_x_organisation_must_name_one_of_the_persons_own_organisations(
    client: TestClient[Any], provider: Provider
) -> None:
    problem = refused(
        client.get("/organisations", headers=one_login(provider, "pat", CIC)), 403, "one-of-your-organisations"
    )
    assert problem["detail"] == (
        f"X-Organisation names {CIC}, but its people register does not list you as one of its active people: "
        f"you act for {CHARITY}."
    )
    assert client.get("/organisations", headers=one_login(provider, "pat", CHARITY.lower())).status_code == 200


def test_a_token_that_names_its_organisation_may_not_choose_another_with_the_header(
    client: TestClient[Any], provider: Provider
) -> None:
    assert client.get("/organisations", headers=staff(provider, COUNCIL)).status_code == 200
    problem = refused(client.get("/organisations", headers=staff(provider, CHARITY)), 403, "one-of-your-organisations")
    assert f"your sign-in is for {COUNCIL}" in problem["detail"]


# Two registers: the request says which


def test_someone_in_two_organisations_registers_says_which_they_act_for_on_each_request(
    client: TestClient[Any], provider: Provider
) -> None:
    ok(add(client, CIC, "suppliers:pat", "owner", staff(provider)), 201)  # the council starts the CIC's people
    problem = refused(client.get("/organisations", headers=one_login(provider, "pat")), 400, "organisation-chosen")
    assert problem["detail"] == (
        f"You are one of the people of {CHARITY} and {CIC}: say which organisation you act for with an "
        f"X-Organisation header, e.g. X-Organisation: {CHARITY}."
    )
    assert [error["field"] for error in problem["errors"]] == ["X-Organisation"]
    refused(add(client, CIC, "suppliers:dan", "finance", one_login(provider, "pat")), 400, "organisation-chosen")
    ok(add(client, CIC, "suppliers:dan", "finance", one_login(provider, "pat", CIC)), 201)
    assert actors(client, provider, CIC)[-1]["organisation"] == CIC
    problem = refused(
        client.get("/organisations", headers=one_login(provider, "pat", FOOD_SHARE)), 403, "one-of-your-organisations"
    )
    assert problem["detail"].endswith(f"you act for {CHARITY} or {CIC}.")


def test_leaving_one_of_two_organisations_leaves_the_person_acting_for_the_other_without_choosing(
    client: TestClient[Any], provider: Provider
) -> None:
    ok(add(client, CIC, "suppliers:pat", "owner", staff(provider)), 201)
    ok(add(client, CIC, "suppliers:dan", "owner", staff(provider)), 201)
    leaving = client.post(f"/organisations/{CIC}/people/suppliers:pat/leave", json=GONE, headers=staff(provider))
    ok(leaving)
    ok(add(client, CHARITY, "suppliers:eve", "finance", one_login(provider, "pat")), 201)
    assert actors(client, provider, CHARITY)[-1]["organisation"] == CHARITY
    refused(client.get("/organisations", headers=one_login(provider, "pat", CIC)), 403, "one-of-your-organisations")


# Left: no rights, on any path


def test_after_leaving_the_same_token_is_refused_on_every_path_and_rejoining_restores_it(
    client: TestClient[Any], provider: Provider
) -> None:
    pat = one_login(provider, "pat")
    ok(add(client, CHARITY, "suppliers:bea", "owner", pat), 201)
    bea = one_login(provider, "bea")
    assert client.get("/organisations", headers=bea).status_code == 200  # the token is verified and remembered
    ok(client.post(f"/organisations/{CHARITY}/people/suppliers:bea/leave", json=GONE, headers=pat))
    for response in (
        client.get("/organisations", headers=bea),
        client.get(f"/organisations/{CHARITY}/people", headers=bea),
        add(client, CHARITY, "suppliers:fay", "finance", bea),
        add(client, CHARITY, "suppliers:fay", "finance", one_login(provider, "bea", CHARITY)),
    ):
        assert "records that you have left" in refused(response, 403, "person-standing")["detail"]
    rejoined = {"reason": "Back from her other post."}
    ok(client.post(f"/organisations/{CHARITY}/people/suppliers:bea/rejoin", json=rejoined, headers=pat))
    ok(add(client, CHARITY, "suppliers:fay", "finance", bea), 201)


# In no register: reads only


def test_someone_no_register_lists_reads_but_every_write_is_refused_naming_their_subject_until_added(
    client: TestClient[Any], provider: Provider
) -> None:
    zoe = one_login(provider, "zoe")
    assert client.get("/organisations", headers=zoe).status_code == 200  # acting for no organisation
    refused(client.get(f"/organisations/{CHARITY}/people", headers=zoe), 403, "allowed")
    for response in (
        client.post("/organisations", json=registration("GB-CHC-1111111"), headers=zoe),
        client.get("/organisations", headers=one_login(provider, "zoe", FOOD_SHARE)),
        add(client, FOOD_SHARE, "suppliers:zoe", "owner", zoe),  # nor start a register for herself
        add(client, FOOD_SHARE, "suppliers:zoe", "owner", one_login(provider, "zoe", FOOD_SHARE)),
    ):
        problem = refused(response, 403, "in-a-people-register")
        assert "No organisation's people register lists you (suppliers:zoe)" in problem["detail"]
    ok(add(client, CHARITY, "suppliers:zoe", "bid-writer", one_login(provider, "pat")), 201)
    assert ok(client.get(f"/organisations/{CHARITY}/people", headers=zoe))  # the same token, now the charity's


def test_someone_who_left_their_only_organisation_is_refused_even_where_nobody_would_be(
    client: TestClient[Any], provider: Provider
) -> None:
    ok(add(client, CHARITY, "suppliers:bea", "owner", staff(provider)), 201)
    ok(client.post(f"/organisations/{CHARITY}/people/suppliers:pat/leave", json=GONE, headers=staff(provider)))
    refused(client.get("/organisations", headers=one_login(provider, "pat")), 403, "person-standing")
    assert client.get("/organisations", headers=one_login(provider, "nobody")).status_code == 200
