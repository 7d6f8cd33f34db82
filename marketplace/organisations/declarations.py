"""The organisations register: providers and buyers, known by their org-id.guide identifier."""

from __future__ import annotations

from domain.organisations.organisation import Organisation, organisation_uuid
from domain.values import Address, Contact
from marketplace.capability import Declaration
from marketplace.organisations.services import Organisations
from projections.organisations.directory import OrganisationDirectory
from projections.search.organisations import OrganisationSearch

DECLARATIONS = (
    Declaration(
        "organisation",
        Organisation,
        values=(Address, Contact),
        views=(OrganisationDirectory, OrganisationSearch),
        service=Organisations,
        identify=organisation_uuid,
    ),
)
