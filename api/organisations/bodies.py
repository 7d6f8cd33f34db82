"""The organisation register's request and response bodies, and the org-id.guide identifier other contexts'
bodies share.

A request body is converted whole into the domain command it carries (`api.commanding.command_from`): the
body's fields and the command's are the same, by name, so no route lists them again.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, TypeVar

import msgspec

from domain.organisations.organisation import LegalForm, OrganisationStatus, SizeClass

T = TypeVar("T")

Text = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
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


class OrganisationView(msgspec.Struct):
    identifier: str
    name: str
    legal_form: str
    size: str
    vcse: bool
    address: AddressBody | None  # a sole trader's or partnership's: the organisation itself and officers only
    status: OrganisationStatus
    verified: bool
    version: int
    registered_at: datetime
    updated_at: datetime
    contact: ContactBody | None = None  # personal data: the organisation itself and council officers only


class OrganisationPage(msgspec.Struct):
    items: list[OrganisationView]
    next_cursor: str | None = None
