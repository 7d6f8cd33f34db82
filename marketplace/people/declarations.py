"""The people registers' aggregates: the council's officers, known by their subject, and each organisation's
people, known by the organisation's org-id.guide identifier (marketplace/capability.py)."""

from __future__ import annotations

from uuid import UUID

from domain.organisations.organisation import canonical
from domain.people.officer import Officer, officer_uuid
from domain.people.organisation_people import OrganisationPeople, people_uuid
from marketplace.capability import Declaration
from marketplace.people.services import OfficerCommands, OrganisationPeopleCommands
from projections.people.officers import OfficerRegister
from projections.people.organisations import OrganisationPeopleView


def people_of(identifier: str) -> UUID:
    return people_uuid(canonical(identifier))


DECLARATIONS = (
    Declaration("officer", Officer, views=(OfficerRegister,), service=OfficerCommands, identify=officer_uuid),
    Declaration(
        "organisation_people",
        OrganisationPeople,
        views=(OrganisationPeopleView,),
        service=OrganisationPeopleCommands,
        identify=people_of,
    ),
)
