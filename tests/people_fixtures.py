"""The people registers as the services take them and as the API is sent them: the council's officers, an
organisation's people, and who signs in as whom."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from domain.base import Actor, Role
from domain.people.terms import OfficerDetails, PersonDetails
from marketplace.commands import CommandRequest
from marketplace.people.services import OfficerCommands, OrganisationPeopleCommands
from marketplace.service import Marketplace
from tests.conftest import COUNCIL, bearer
from tests.grants_fixtures import register

NEIGHBOUR = "GB-LAE-TEL"  # another council
CHARITY, CIC = "GB-CHC-1234567", "GB-COH-12345678"  # organisations in tests.grants_fixtures.APPLICANTS

ADMIN = Actor("ada", COUNCIL, Role.ADMIN)
COMMISSIONER = Actor("cathy", COUNCIL, Role.COMMISSIONER)
AUDITOR = Actor("audrey", COUNCIL, Role.AUDITOR)
NEIGHBOURING_ADMIN = Actor("nia", NEIGHBOUR, Role.ADMIN)
OWNER = Actor("pat", CHARITY, Role.PROVIDER)  # the charity's first person, its owner
BID_WRITER = Actor("bea", CHARITY, Role.PROVIDER)
STRANGER = Actor("sam", CIC, Role.PROVIDER)  # a provider of another organisation
OFFICER_SUBJECT = "entra:AAAAAAAAAAAAAAAAAAAAAIkzqFVrSaSaFHy782bbtaQ"  # as an identity provider's subject reads


def request(actor: Actor = ADMIN, expected_version: int | None = None) -> CommandRequest:
    return CommandRequest(actor, correlation_id="test", expected_version=expected_version)


def headers(actor: Actor) -> dict[str, str]:
    return bearer(actor.role, actor.organisation, actor.subject)


def officer_details(subject: str = "cathy", **changes: Any) -> OfficerDetails:
    value = OfficerDetails(subject, "Cathy Commissioner", "Senior commissioning officer", "Adult social care")
    return replace(value, **changes)


def person_details(actor: Actor = OWNER, role: str = "owner", **changes: Any) -> PersonDetails:
    return replace(PersonDetails(actor.subject, f"{actor.subject.title()} Person", role), **changes)


def officers(market: Marketplace) -> OfficerCommands:
    return market.service(OfficerCommands)


def people(market: Marketplace) -> OrganisationPeopleCommands:
    return market.service(OrganisationPeopleCommands)


def register_officer(market: Marketplace, subject: str = "cathy", **changes: Any) -> None:
    officers(market).register(request(ADMIN), officer_details(subject, **changes))


def charity_with_people(market: Marketplace) -> None:
    """The charity and the CIC registered; the charity's people are its owner and a bid-writer."""
    register(market, CHARITY)
    register(market, CIC)
    people(market).add(request(OWNER), CHARITY, person_details(OWNER))
    people(market).add(request(OWNER), CHARITY, person_details(BID_WRITER, "bid-writer"))


def officer_body(subject: str = "cathy", **changes: Any) -> dict[str, Any]:
    body = {"subject": subject, "name": "Cathy Commissioner", "job_title": "Senior commissioner", "team": "Adults"}
    return {**body, **changes}


def person_body(actor: Actor = OWNER, role: str = "owner") -> dict[str, Any]:
    return {"subject": actor.subject, "name": f"{actor.subject.title()} Person", "role": role}
