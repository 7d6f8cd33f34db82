"""The organisation register: register, read, update, verify, deactivate."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, get, patch, post
from litestar.exceptions import ClientException
from litestar.params import Parameter
from sqlalchemy.orm import Session

from api.as_it_stood import Asked, AsOf, Version, read_record, reads_as_it_stood
from api.auth import current_actor
from api.commanding import BLOCKING, command_from, command_request, writes
from api.fields import DecisionBody
from api.organisations.bodies import (
    OrganisationPage,
    OrganisationView,
    RegisterOrganisation,
    UpdateOrganisation,
)
from api.organisations.presenters import from_aggregate, from_row, respond
from api.paging import Cursor, Limit
from api.problems import problem_responses
from domain.organisations.organisation import (
    DetailsChange,
    Organisation,
    OrganisationDetails,
    OrganisationStatus,
    SizeClass,
    canonical,
    organisation_uuid,
)
from domain.values import district
from marketplace.as_it_stood import Stood
from marketplace.organisations.access import DEACTIVATE, REGISTER, UPDATE_DETAILS, VERIFY
from marketplace.organisations.services import Organisations
from marketplace.service import Marketplace
from projections.organisations.directory import find_organisation, search_organisations
from projections.search.words import MAX_QUERY_LENGTH, MAX_QUERY_WORDS, BadSearch, search_words

# The free-text search every searched list takes (tenders, organisations, the care directory).
Search = Annotated[
    str | None,
    Parameter(
        max_length=MAX_QUERY_LENGTH,
        description=f"Words to search for (at most {MAX_QUERY_WORDS}): each must begin a word of what is found, "
        "letters and digits only, case and accents aside. Best matches first, a word of the title or name first.",
    ),
]


def searched_words(q: str | None) -> tuple[str, ...]:
    """The words of `q` (none when not given); a `q` that asks for nothing, or too much, is refused naming `q`."""
    if q is None:
        return ()
    try:
        return search_words(q)
    except BadSearch as error:
        raise ClientException(str(error), extra={"field": "q", "rule": "SearchWordsValid"}) from error


class OrganisationController(Controller):
    path = "/organisations"
    tags = ["organisations"]

    @post(summary="Register an organisation", **writes(REGISTER, created=True))
    def register(
        self, market: Marketplace, request: Request[Any, Any, Any], data: RegisterOrganisation
    ) -> Response[OrganisationView]:
        """A provider registers its own organisation; council officers may register any."""
        command = command_request(request, data)
        outcome = market.service(Organisations).register(command, command_from(data, OrganisationDetails))
        return respond(market, request, outcome, created=True)

    @get(responses=problem_responses(400, 422), summary="The organisation directory", **BLOCKING)
    def directory(  # noqa: PLR0913 - Litestar reads, validates and documents each query parameter from its own argument
        self,
        market: Marketplace,
        request: Request[Any, Any, Any],
        *,
        size: SizeClass | None = None,
        vcse: bool | None = None,
        postcode_district: Annotated[str | None, Parameter(query="district", max_length=4)] = None,
        verified: bool | None = None,
        status: OrganisationStatus | None = None,
        q: Search = None,
        cursor: Cursor = None,
        limit: Limit = 100,
    ) -> OrganisationPage:
        """Filter by size class, VCSE status, postcode district and verification, and search by words (`q`: name,
        town, postcode district, legal form); pages by `next_cursor`."""
        words = searched_words(q)
        area = district(postcode_district, "district") if postcode_district else None
        with market.views() as session:
            rows, next_cursor = search_organisations(
                session,
                size=size.value if size else None,
                vcse=vcse,
                district=area,
                verified=verified,
                status=status.value if status else None,
                words=words,
                cursor=cursor,
                limit=limit,
            )
        reader = current_actor(request)
        return OrganisationPage([from_row(row, reader) for row in rows], next_cursor)

    @get(
        "/{identifier:str}",
        summary="One organisation (now, or as it stood at a version or moment)",
        **reads_as_it_stood(400, 404),
    )
    def read(
        self,
        market: Marketplace,
        request: Request[Any, Any, Any],
        identifier: str,
        version: Version = None,
        as_of: AsOf = None,
    ) -> Response[OrganisationView]:
        reader, organisation = current_actor(request), canonical(identifier)
        org = organisation_uuid(organisation)

        def then(stood: Stood[Organisation]) -> OrganisationView:
            legal_form_now = market.commands.load(Organisation, org).legal_form
            return from_aggregate(stood.aggregate, reader, legal_form_now)

        def now(session: Session) -> tuple[OrganisationView, int] | None:
            row = find_organisation(session, organisation)
            return None if row is None else (from_row(row, reader), row["version"])

        asked = Asked(Organisation, org, "organisation", identifier)
        return read_record(market, asked, version, as_of, then=then, now=now)

    @patch("/{identifier:str}", summary="Update an organisation's details", **writes(UPDATE_DETAILS))
    def update(
        self, market: Marketplace, request: Request[Any, Any, Any], identifier: str, data: UpdateOrganisation
    ) -> Response[OrganisationView]:
        command = command_request(request, data)
        outcome = market.service(Organisations).update_details(command, identifier, command_from(data, DetailsChange))
        return respond(market, request, outcome)

    @post("/{identifier:str}/verify", summary="Verify an organisation (commissioner, with reason)", **writes(VERIFY))
    def verify(
        self, market: Marketplace, request: Request[Any, Any, Any], identifier: str, data: DecisionBody
    ) -> Response[OrganisationView]:
        outcome = market.service(Organisations).verify(command_request(request, data), identifier, data.reason)
        return respond(market, request, outcome)

    @post("/{identifier:str}/deactivate", summary="Deactivate an organisation (with reason)", **writes(DEACTIVATE))
    def deactivate(
        self, market: Marketplace, request: Request[Any, Any, Any], identifier: str, data: DecisionBody
    ) -> Response[OrganisationView]:
        outcome = market.service(Organisations).deactivate(command_request(request, data), identifier, data.reason)
        return respond(market, request, outcome)
