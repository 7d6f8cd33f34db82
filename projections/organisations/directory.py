"""The organisation directory: one row per registered organisation, and its queries."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Boolean, Column, DateTime, Index, Integer, String, Table, select
from sqlalchemy.orm import Session

from domain.organisations.organisation import ACTIVE, DEACTIVATED, IDENTITY_FIELDS, Organisation
from domain.values import Address, Contact
from projections.engine import Envelope, RowProjection, metadata
from projections.pagination import fetch_page

organisations = Table(
    "organisations",
    metadata,
    Column("id", String(36), primary_key=True),  # the aggregate's id
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
    Index("organisations_by_name", "name", "identifier"),
    Index("organisations_by_district", "district"),
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


class OrganisationDirectory(RowProjection):
    name = "organisations"
    table = organisations
    handles = (Organisation.Event,)

    def fold(self, row: dict[str, Any] | None, envelope: Envelope) -> dict[str, Any] | None:
        event: Any = envelope.event
        if isinstance(event, Organisation.Registered):
            row = {
                "id": str(event.originator_id),
                "identifier": event.identifier,
                "name": event.name,
                "legal_form": event.legal_form,
                "size": event.size,
                "vcse": event.vcse,
                **_address_columns(event.address),
                **_contact_columns(event.contact),
                "status": ACTIVE,
                "verified": False,
                "events_folded": 0,
                "registered_at": event.timestamp,
            }
        assert row is not None, "an organisation event before its registration"
        row.update(version=event.originator_version, updated_at=event.timestamp, events_folded=row["events_folded"] + 1)
        if isinstance(event, Organisation.DetailsUpdated):
            row.update(_changed_columns(event.changes))
            row["verified"] = row["verified"] and not (IDENTITY_FIELDS & event.changes.keys())
        elif isinstance(event, Organisation.Verified):
            row["verified"] = True
        elif isinstance(event, Organisation.Deactivated):
            row["status"] = DEACTIVATED
        return row


def find_organisation(session: Session, identifier: str) -> dict[str, Any] | None:
    row = session.execute(select(organisations).where(organisations.c.identifier == identifier)).mappings().first()
    return dict(row) if row else None


def search_organisations(
    session: Session,
    *,
    size: str | None = None,
    vcse: bool | None = None,
    district: str | None = None,
    verified: bool | None = None,
    status: str | None = None,
    cursor: str | None = None,
    limit: int = 100,
) -> tuple[list[dict[str, Any]], str | None]:
    """The directory, filtered, in name order, one keyset page at a time."""
    query = select(organisations)
    for column, value in (
        (organisations.c.size, size),
        (organisations.c.vcse, vcse),
        (organisations.c.district, district),
        (organisations.c.verified, verified),
        (organisations.c.status, status),
    ):
        if value is not None:
            query = query.where(column == value)
    return fetch_page(session, query, [organisations.c.name, organisations.c.identifier], cursor, limit)
