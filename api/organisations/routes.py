"""The organisation register: register, read, update, verify, deactivate."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, get, patch, post
from litestar.params import Parameter

from api.as_it_stood import HISTORY_HEADERS, AsOf, Version, as_it_stood_answer, recall
from api.auth import current_actor, ensure_acts_for
from api.commanding import BLOCKING, answer, command_request, etag, writes
from api.problems import problem_responses
from api.rendering import utc
from domain.base import Actor, Role
from domain.organisations.organisation import LegalForm, Organisation, SizeClass, organisation_uuid
from domain.rules import DomainError, NotFound
from domain.values import Address, Contact, district, org_id
from marketplace.organisations.access import sees_address, sees_contact
from marketplace.organisations.services import Organisations
from marketplace.outcome import Outcome
from marketplace.service import Marketplace
from projections.organisations.directory import find_organisation, search_organisations

Text = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Reason = Annotated[str, msgspec.Meta(min_length=3, max_length=2000, description="Why the decision was taken.")]
OrgId = Annotated[str, msgspec.Meta(min_length=5, max_length=80, examples=["GB-CHC-1234567"])]


class AddressBody(msgspec.Struct, forbid_unknown_fields=True):
    line1: Text
    town: Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
    postcode: Annotated[str, msgspec.Meta(min_length=5, max_length=8, examples=["SY3 8HQ"])]
    line2: Annotated[str, msgspec.Meta(max_length=200)] = ""


class ContactBody(msgspec.Struct, forbid_unknown_fields=True):
    name: Text
    email: Annotated[str, msgspec.Meta(min_length=3, max_length=254, examples=["office@example.org"])]
    phone: Annotated[str, msgspec.Meta(max_length=40)] = ""


class RegisterOrganisation(msgspec.Struct, forbid_unknown_fields=True):
    identifier: OrgId
    name: Text
    legal_form: LegalForm
    size: SizeClass
    vcse: bool
    address: AddressBody
    contact: ContactBody


class UpdateOrganisation(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    """Only the fields given change; changing name, legal form, size or VCSE status needs re-verification."""

    name: Text | None = None
    legal_form: LegalForm | None = None
    size: SizeClass | None = None
    vcse: bool | None = None
    address: AddressBody | None = None
    contact: ContactBody | None = None


class DecisionBody(msgspec.Struct, forbid_unknown_fields=True):
    reason: Reason


class OrganisationView(msgspec.Struct):
    identifier: str
    name: str
    legal_form: str
    size: str
    vcse: bool
    address: AddressBody | None  # a sole trader's or partnership's: the organisation itself and officers only
    status: str
    verified: bool
    version: int
    registered_at: datetime
    updated_at: datetime
    contact: ContactBody | None = None  # personal data: the organisation itself and council officers only


class OrganisationPage(msgspec.Struct):
    items: list[OrganisationView]
    next_cursor: str | None = None


def from_row(row: dict[str, Any], actor: Actor | None) -> OrganisationView:
    return OrganisationView(
        identifier=row["identifier"],
        name=row["name"],
        legal_form=row["legal_form"],
        size=row["size"],
        vcse=row["vcse"],
        address=AddressBody(row["address_line1"], row["town"], row["postcode"], row["address_line2"])
        if sees_address(actor, row["identifier"], [row["legal_form"]])
        else None,
        status=row["status"],
        verified=row["verified"],
        version=row["version"],
        registered_at=utc(row["registered_at"]),
        updated_at=utc(row["updated_at"]),
        contact=ContactBody(row["contact_name"], row["contact_email"], row["contact_phone"])
        if sees_contact(actor, row["identifier"])
        else None,
    )


def from_aggregate(org: Organisation, actor: Actor | None, legal_form_now: str | None = None) -> OrganisationView:
    """The organisation as the aggregate stands (now, or then: give the legal form it has now)."""
    forms = [org.legal_form] if legal_form_now is None else [org.legal_form, legal_form_now]
    return OrganisationView(
        identifier=org.identifier,
        name=org.name,
        legal_form=org.legal_form,
        size=org.size,
        vcse=org.vcse,
        address=AddressBody(org.address.line1, org.address.town, org.address.postcode, org.address.line2)
        if sees_address(actor, org.identifier, forms)
        else None,
        status=org.status,
        verified=org.verified,
        version=org.version,
        registered_at=org.created_on,
        updated_at=org.modified_on,
        contact=ContactBody(org.contact.name, org.contact.email, org.contact.phone)
        if sees_contact(actor, org.identifier)
        else None,
    )


def _normal(identifier: str) -> str:
    """Identifiers in paths are matched in their canonical form; an unrecognised one is simply not found."""
    try:
        return org_id(identifier)
    except DomainError:
        return identifier


def _details(body: RegisterOrganisation | UpdateOrganisation) -> dict[str, Any]:
    fields = {f: getattr(body, f) for f in body.__struct_fields__ if getattr(body, f) is not None}
    if "address" in fields:
        a = fields["address"]
        fields["address"] = Address(a.line1, a.town, a.postcode, a.line2)
    if "contact" in fields:
        c = fields["contact"]
        fields["contact"] = Contact(c.name, c.email, c.phone)
    return fields


WRITERS = (Role.PROVIDER, Role.COMMISSIONER, Role.ADMIN)
DECIDERS = (Role.COMMISSIONER, Role.ADMIN)


def _answer(
    market: Marketplace, request: Request[Any, Any, Any], outcome: Outcome, created: bool = False
) -> Response[OrganisationView]:
    actor = current_actor(request)
    location = (lambda org: f"/organisations/{org.identifier}") if created else None
    return answer(market, outcome, Organisation, lambda org: from_aggregate(org, actor), location)


class OrganisationController(Controller):
    path = "/organisations"
    tags = ["organisations"]

    @post(summary="Register an organisation", **writes(*WRITERS, created=True))
    def register(
        self, market: Marketplace, request: Request[Any, Any, Any], data: RegisterOrganisation
    ) -> Response[OrganisationView]:
        """A provider registers its own organisation; council officers may register any."""
        command = command_request(request, data)
        ensure_acts_for(command.actor, _normal(data.identifier))
        details = _details(data)
        identifier = details.pop("identifier")
        outcome = market.service(Organisations).register(command, identifier, **details)
        return _answer(market, request, outcome, created=True)

    @get(responses=problem_responses(400, 422), summary="The organisation directory", **BLOCKING)
    def directory(
        self,
        market: Marketplace,
        request: Request[Any, Any, Any],
        size: SizeClass | None = None,
        vcse: bool | None = None,
        postcode_district: Annotated[str | None, Parameter(query="district", max_length=4)] = None,
        verified: bool | None = None,
        status: Annotated[str | None, Parameter(pattern="^(active|deactivated)$")] = None,
        cursor: Annotated[str | None, Parameter(max_length=500)] = None,
        limit: Annotated[int, Parameter(ge=1, le=1000)] = 100,
    ) -> OrganisationPage:
        """Filter by size class, VCSE status, postcode district and verification; pages by `next_cursor`."""
        area = district(postcode_district, "district") if postcode_district else None
        with market.views() as session:
            rows, next_cursor = search_organisations(
                session,
                size=size.value if size else None,
                vcse=vcse,
                district=area,
                verified=verified,
                status=status,
                cursor=cursor,
                limit=limit,
            )
        actor = current_actor(request)
        return OrganisationPage([from_row(row, actor) for row in rows], next_cursor)

    @get(
        "/{identifier:str}",
        responses=problem_responses(400, 404),
        response_headers=HISTORY_HEADERS,
        summary="One organisation (now, or as it stood at a version or moment)",
        **BLOCKING,
    )
    def read(
        self,
        market: Marketplace,
        request: Request[Any, Any, Any],
        identifier: str,
        version: Version = None,
        as_of: AsOf = None,
    ) -> Response[OrganisationView]:
        actor = current_actor(request)
        org = organisation_uuid(_normal(identifier))
        then = recall(market, Organisation, org, version, as_of, what="organisation", key=identifier)
        if then is not None:
            now = market.commands.load(Organisation, org)
            return as_it_stood_answer(from_aggregate(then, actor, now.legal_form), then)
        with market.views() as session:
            row = find_organisation(session, _normal(identifier))
        if row is None:
            raise NotFound("organisation", identifier)
        return Response(from_row(row, actor), headers=etag(row["version"]))

    @patch("/{identifier:str}", summary="Update an organisation's details", **writes(*WRITERS))
    def update(
        self, market: Marketplace, request: Request[Any, Any, Any], identifier: str, data: UpdateOrganisation
    ) -> Response[OrganisationView]:
        command = command_request(request, data)
        ensure_acts_for(command.actor, _normal(identifier))
        outcome = market.service(Organisations).update_details(command, _normal(identifier), **_details(data))
        return _answer(market, request, outcome)

    @post("/{identifier:str}/verify", summary="Verify an organisation (commissioner, with reason)", **writes(*DECIDERS))
    def verify(
        self, market: Marketplace, request: Request[Any, Any, Any], identifier: str, data: DecisionBody
    ) -> Response[OrganisationView]:
        outcome = market.service(Organisations).verify(command_request(request, data), _normal(identifier), data.reason)
        return _answer(market, request, outcome)

    @post("/{identifier:str}/deactivate", summary="Deactivate an organisation (with reason)", **writes(*WRITERS))
    def deactivate(
        self, market: Marketplace, request: Request[Any, Any, Any], identifier: str, data: DecisionBody
    ) -> Response[OrganisationView]:
        command = command_request(request, data)
        ensure_acts_for(command.actor, _normal(identifier))
        outcome = market.service(Organisations).deactivate(command, _normal(identifier), data.reason)
        return _answer(market, request, outcome)
