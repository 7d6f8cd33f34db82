"""The organisation directory: one row per registered organisation, and its queries."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Boolean, Column, DateTime, Integer, String, Table, select
from sqlalchemy.orm import Session

from domain.organisations.organisation import ACTIVE, DEACTIVATED, IDENTITY_FIELDS, Organisation
from domain.values import Address, Contact
from projections.aggregate_rows import first_row, own_row, taken
from projections.batch import BatchProjection, Folds, Row
from projections.columns import ids, list_index
from projections.engine import metadata
from projections.pagination import fetch_page, one_row, where_given
from projections.search.index import ranked_page
from projections.search.organisations import ORGANISATION_SEARCH

organisations = Table(
    "organisations",
    metadata,
    *ids("id", key=True),  # the aggregate's id
    Column("identifier", String(80), nullable=False, unique=True),  # org-id.guide
    Column("version", Integer, nullable=False),
    Column("name", String(200), nullable=False),
    Column("legal_form", String(64), nullable=False),
    Column("size", String(16), nullable=False),
    Column("vcse", Boolean, nullable=False),
    Column("address_line1", String(200), nullable=False),
    Column("address_line2", String(200), nullable=False),
    Column("town", String(100), nullable=False),
    Column("postcode", String(8), nullable=False),
    Column("district", String(4), nullable=False),
    Column("contact_name", String(200), nullable=False),
    Column("contact_email", String(254), nullable=False),
    Column("contact_phone", String(40), nullable=False),
    Column("status", String(16), nullable=False),
    Column("verified", Boolean, nullable=False),
    Column("events_folded", Integer, nullable=False),  # equals version: each event folded exactly once
    Column("registered_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    list_index("organisations_by_name", "name", "identifier"),
    list_index("organisations_in_district", "district", "name", "identifier"),
    # Each filter of the directory seeks its own rows in name order: a rare value (the few deactivated among
    # 300,000) must not walk the whole name index to fill a page.
    list_index("organisations_of_size", "size", "name", "identifier"),
    list_index("organisations_vcse", "vcse", "name", "identifier"),
    list_index("organisations_verified", "verified", "name", "identifier"),
    list_index("organisations_in_status", "status", "name", "identifier"),
)


def _address_columns(address: Address) -> dict[str, Any]:
    return {
        "address_line1": address.line1,
        "address_line2": address.line2,
        "town": address.town,
        "postcode": address.postcode,
        "district": address.district,
    }


def _contact_columns(contact: Contact) -> dict[str, Any]:
    return {"contact_name": contact.name, "contact_email": contact.email, "contact_phone": contact.phone}


def _changed_columns(changes: dict[str, Any]) -> dict[str, Any]:
    columns: dict[str, Any] = {}
    for name, value in changes.items():
        if name == "address":
            columns.update(_address_columns(value))
        elif name == "contact":
            columns.update(_contact_columns(value))
        else:
            columns[name] = value
    return columns


def _registered(event: Organisation.Registered) -> Row:
    return {
        "id": str(event.originator_id),
        **taken(event, "identifier", "name", "legal_form", "size", "vcse"),
        **_address_columns(event.address),
        **_contact_columns(event.contact),
        "status": ACTIVE,
        "verified": False,
        "events_folded": 0,
        "registered_at": event.timestamp,
    }


def _details_updated(row: Row, event: Organisation.DetailsUpdated) -> Row:
    """A change to who the organisation is (IDENTITY_FIELDS) must be verified again."""
    verified = row["verified"] and not (IDENTITY_FIELDS & event.changes.keys())
    return {**_changed_columns(event.changes), "verified": verified}


def _stamp(row: Row, event: Any) -> Row:
    """As `updated`, but the time as the event gives it: the directory has always kept it so."""
    return {
        "version": event.originator_version,
        "events_folded": row["events_folded"] + 1,
        "updated_at": event.timestamp,
    }


class OrganisationDirectory(BatchProjection):
    name = "organisations"
    tables = (organisations,)
    own_rows = organisations
    follows = (Organisation,)
    folds: Folds = {
        Organisation.Registered: first_row(organisations, _registered, _stamp),
        Organisation.DetailsUpdated: own_row(organisations, _details_updated, _stamp),
        Organisation.Verified: own_row(organisations, lambda row, event: {"verified": True}, _stamp),
        Organisation.Deactivated: own_row(organisations, lambda row, event: {"status": DEACTIVATED}, _stamp),
    }


def find_organisation(session: Session, identifier: str) -> dict[str, Any] | None:
    return one_row(session, organisations.c.identifier, identifier)


def search_organisations(  # noqa: PLR0913 - each keyword is one filter, as its route passes it
    session: Session,
    *,
    size: str | None = None,
    vcse: bool | None = None,
    district: str | None = None,
    verified: bool | None = None,
    status: str | None = None,
    words: Sequence[str] = (),
    cursor: str | None = None,
    limit: int = 100,
) -> tuple[list[dict[str, Any]], str | None]:
    """The directory, filtered, in name order, one keyset page at a time; given search words, those that match
    every word, best match first (projections/search)."""
    c = organisations.c
    filters = (c.size, size), (c.vcse, vcse), (c.district, district), (c.verified, verified), (c.status, status)
    query = where_given(select(organisations), *filters)
    if words:
        return ranked_page(session, query, c.id, ORGANISATION_SEARCH, words, cursor=cursor, limit=limit)
    return fetch_page(session, query, [organisations.c.name, organisations.c.identifier], cursor, limit)
