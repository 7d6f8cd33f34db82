"""An organisation's own people (`/organisations/{identifier}/people`): who may act for it and as what, kept by
its owners (the first by whoever signs in for it) and the council's admins, read by its own providers and the
council's readers, never by the public."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, get, patch, post
from litestar.params import Parameter
from sqlalchemy.orm import Session

from api.as_it_stood import Asked, AsOf, Version, read_record, reads_as_it_stood
from api.auth import current_actor, requires
from api.commanding import answer, command_from, command_request, writes
from api.people.bodies import LeavingBody, PeopleView, PersonBody, PersonChangeBody, PersonView, RejoiningBody
from api.people.presenters import people_from_aggregate, person_from_aggregate, person_from_row
from domain.organisations.organisation import canonical
from domain.people.organisation_people import OrganisationPeople, people_uuid
from domain.people.terms import Leaving, PersonChange, PersonDetails
from domain.rules import NotFound
from marketplace.outcome import Outcome
from marketplace.people.access import KEEP_PEOPLE, READ_PEOPLE, check_sees_people
from marketplace.people.services import OrganisationPeopleCommands
from marketplace.service import Marketplace
from projections.organisations.directory import find_organisation
from projections.people.organisations import find_person, find_register, people_of

READERS: dict[str, Any] = {"guards": [requires(*sorted(READ_PEOPLE))], "security": [{"bearerAuth": []}]}
Active = Annotated[bool | None, Parameter(description="Whether still there (false: those who left).")]


def _respond(market: Marketplace, outcome: Outcome, subject: str, created: bool = False) -> Response[PersonView]:
    def render(record: OrganisationPeople) -> PersonView:
        found = person_from_aggregate(record, subject)
        assert found is not None, "the command was about this person"
        return found

    location = (lambda record: f"/organisations/{record.organisation}/people/{subject}") if created else None
    return answer(market, outcome, OrganisationPeople, render, location)


def _organisation(request: Request[Any, Any, Any], identifier: str) -> str:
    """The organisation in the register's form, once the reader may see its people."""
    organisation = canonical(identifier)
    check_sees_people(current_actor(request), organisation)
    return organisation


class OrganisationPeopleController(Controller):
    path = "/organisations/{identifier:str}/people"
    tags = ["people"]

    @post(
        summary="Add a person to the organisation (its owner or a council admin; the first, an owner, by any of its "
        "providers)",
        **writes(KEEP_PEOPLE, created=True),
    )
    def add(
        self, market: Marketplace, request: Request[Any, Any, Any], identifier: str, data: PersonBody
    ) -> Response[PersonView]:
        details = command_from(data, PersonDetails)
        outcome = market.service(OrganisationPeopleCommands).add(command_request(request, data), identifier, details)
        return _respond(market, outcome, data.subject, created=True)

    @get(
        summary="The organisation's people by name (now, or as they stood; its providers and council readers)",
        **READERS,
        **reads_as_it_stood(400, 401, 403, 404),
    )
    def list(  # noqa: PLR0913 - the record asked for, when, and a filter
        self,
        market: Marketplace,
        request: Request[Any, Any, Any],
        identifier: str,
        *,
        active: Active = None,
        version: Version = None,
        as_of: AsOf = None,
    ) -> Response[PeopleView]:
        organisation = _organisation(request, identifier)

        def now(session: Session) -> tuple[PeopleView, int] | None:
            register = find_register(session, organisation)
            if register is None:
                return (
                    None if find_organisation(session, organisation) is None else (PeopleView(organisation, [], 0), 0)
                )
            version = register["version"]
            people = [person_from_row(row, version) for row in people_of(session, organisation, active)]
            return PeopleView(organisation, people, version), version

        def then(record: OrganisationPeople) -> PeopleView:
            return PeopleView(organisation, people_from_aggregate(record, active), record.version)

        asked = Asked(OrganisationPeople, people_uuid(organisation), "organisation's people", organisation)
        return read_record(market, asked, version, as_of, then=lambda s: then(s.aggregate), now=now)

    @get(
        "/{subject:str}",
        summary="One of the organisation's people (now, or as they stood; its providers and council readers)",
        **READERS,
        **reads_as_it_stood(400, 401, 403, 404),
    )
    def read(  # noqa: PLR0913 - the record asked for, and when
        self,
        market: Marketplace,
        request: Request[Any, Any, Any],
        identifier: str,
        subject: str,
        *,
        version: Version = None,
        as_of: AsOf = None,
    ) -> Response[PersonView]:
        organisation = _organisation(request, identifier)

        def now(session: Session) -> tuple[PersonView, int] | None:
            register, row = find_register(session, organisation), find_person(session, organisation, subject)
            if register is None or row is None:
                return None
            return person_from_row(row, register["version"]), register["version"]

        def then(record: OrganisationPeople) -> PersonView:
            found = person_from_aggregate(record, subject)
            if found is None:
                raise NotFound("person", f"{subject} among {organisation}'s people then")
            return found

        asked = Asked(OrganisationPeople, people_uuid(organisation), "person", f"{subject} of {organisation}")
        return read_record(market, asked, version, as_of, then=lambda s: then(s.aggregate), now=now)

    @patch(
        "/{subject:str}",
        summary="Change a person's name or role (its owner or a council admin)",
        **writes(KEEP_PEOPLE),
    )
    def change(
        self,
        market: Marketplace,
        request: Request[Any, Any, Any],
        identifier: str,
        subject: str,
        data: PersonChangeBody,
    ) -> Response[PersonView]:
        change = command_from(data, PersonChange)
        outcome = market.service(OrganisationPeopleCommands).change(
            command_request(request, data), identifier, subject, change
        )
        return _respond(market, outcome, subject)

    @post(
        "/{subject:str}/leave",
        summary="Record that a person left, with a reason: their rights end now (its owner or a council admin)",
        **writes(KEEP_PEOPLE),
    )
    def leave(
        self, market: Marketplace, request: Request[Any, Any, Any], identifier: str, subject: str, data: LeavingBody
    ) -> Response[PersonView]:
        leaving = command_from(data, Leaving)
        outcome = market.service(OrganisationPeopleCommands).leave(
            command_request(request, data), identifier, subject, leaving
        )
        return _respond(market, outcome, subject)

    @post(
        "/{subject:str}/rejoin",
        summary="Record that a person who left is back, with a reason (its owner or a council admin)",
        **writes(KEEP_PEOPLE),
    )
    def rejoin(
        self, market: Marketplace, request: Request[Any, Any, Any], identifier: str, subject: str, data: RejoiningBody
    ) -> Response[PersonView]:
        role = data.role.value if data.role is not None else None
        outcome = market.service(OrganisationPeopleCommands).rejoin(
            command_request(request, data), identifier, subject, data.reason, role
        )
        return _respond(market, outcome, subject)
