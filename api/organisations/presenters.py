"""An organisation as each reader may see it, from its directory row or its aggregate (now or as it stood), and
the answer to a command on it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from litestar import Request, Response

from api.auth import current_actor
from api.commanding import answer
from api.organisations.bodies import AddressBody, ContactBody, OrganisationView
from api.rendering import utc
from domain.base import Actor
from domain.organisations.organisation import Organisation, OrganisationStatus
from domain.values import Address, Contact
from marketplace.organisations.access import sees_address, sees_contact
from marketplace.outcome import Outcome
from marketplace.service import Marketplace

_AS_STORED = ("identifier", "name", "legal_form", "size", "vcse", "address", "contact", "status", "verified", "version")


def _view(record: Mapping[str, Any], reader: Actor | None, legal_forms: list[str]) -> OrganisationView:
    """What the reader may see: a person's address and a named contact only where the rules allow."""
    identifier, address, contact = record["identifier"], record["address"], record["contact"]
    return OrganisationView(
        identifier=identifier,
        name=record["name"],
        legal_form=record["legal_form"],
        size=record["size"],
        vcse=record["vcse"],
        address=AddressBody(address.line1, address.town, address.postcode, address.line2)
        if sees_address(reader, identifier, legal_forms)
        else None,
        status=OrganisationStatus(record["status"]),
        verified=record["verified"],
        version=record["version"],
        registered_at=record["registered_at"],
        updated_at=record["updated_at"],
        contact=ContactBody(contact.name, contact.email, contact.phone) if sees_contact(reader, identifier) else None,
    )


def from_row(row: Mapping[str, Any], reader: Actor | None) -> OrganisationView:
    """The organisation as the directory holds it now."""
    record = {
        **row,
        "address": Address(row["address_line1"], row["town"], row["postcode"], row["address_line2"]),
        "contact": Contact(row["contact_name"], row["contact_email"], row["contact_phone"]),
        "registered_at": utc(row["registered_at"]),
        "updated_at": utc(row["updated_at"]),
    }
    return _view(record, reader, [row["legal_form"]])


def from_aggregate(org: Organisation, reader: Actor | None, legal_form_now: str | None = None) -> OrganisationView:
    """The organisation as the aggregate stands (now, or then: give the legal form it has now)."""
    record = {name: getattr(org, name) for name in _AS_STORED}
    record |= {"registered_at": org.created_on, "updated_at": org.modified_on}
    return _view(record, reader, [org.legal_form] if legal_form_now is None else [org.legal_form, legal_form_now])


def respond(
    market: Marketplace, request: Request[Any, Any, Any], outcome: Outcome, created: bool = False
) -> Response[OrganisationView]:
    """The answer to a command: the organisation as the command left it, as the caller may see it."""
    reader = current_actor(request)
    location = (lambda org: f"/organisations/{org.identifier}") if created else None
    return answer(market, outcome, Organisation, lambda org: from_aggregate(org, reader), location)
