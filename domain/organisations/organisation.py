"""An organisation in the council's register: the council itself and its providers.

Lifecycle: registered -> details updated (any number of times) -> verified by a
commissioner -> deactivated. Tenders, bids, grants, registrations and expressions
of interest all refer to an organisation by its org-id.guide identifier.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from enum import StrEnum
from typing import TYPE_CHECKING, Any
from uuid import NAMESPACE_URL, UUID, uuid5

from domain.base import Context, MarketplaceAggregate
from domain.rules import DomainError, Rule, StateAllows, StateRule, TextWithin, check
from domain.values import Address, Contact, choice, email, org_id, postcode

if TYPE_CHECKING:
    from _typeshed import DataclassInstance


class SizeClass(StrEnum):
    """UK size classes (Companies Act thresholds); micro is 1-9 staff."""

    MICRO = "micro"
    SMALL = "small"
    MEDIUM = "medium"
    LARGE = "large"


class LegalForm(StrEnum):
    COMPANY = "company"
    COMPANY_LIMITED_BY_GUARANTEE = "company-limited-by-guarantee"
    COMMUNITY_INTEREST_COMPANY = "community-interest-company"
    CHARITABLE_INCORPORATED_ORGANISATION = "charitable-incorporated-organisation"
    CHARITABLE_TRUST = "charitable-trust"
    COMMUNITY_BENEFIT_SOCIETY = "community-benefit-society"
    COOPERATIVE = "co-operative"
    UNINCORPORATED_ASSOCIATION = "unincorporated-association"
    SOLE_TRADER = "sole-trader"
    PARTNERSHIP = "partnership"
    PARISH_COUNCIL = "parish-council"
    LOCAL_AUTHORITY = "local-authority"
    PUBLIC_BODY = "public-body"


class OrganisationStatus(StrEnum):
    ACTIVE = "active"
    DEACTIVATED = "deactivated"


ACTIVE, DEACTIVATED = OrganisationStatus.ACTIVE, OrganisationStatus.DEACTIVATED
# A sole trader or a partnership is people: where it is, is where someone lives (personal data).
PEOPLE = frozenset({LegalForm.SOLE_TRADER.value, LegalForm.PARTNERSHIP.value})
# Changing who the organisation is (not where it is) means it must be verified again.
IDENTITY_FIELDS = frozenset({"name", "legal_form", "size", "vcse"})


def organisation_uuid(identifier: str) -> UUID:
    """One identifier, one aggregate: a second registration collides in the event store."""
    return uuid5(NAMESPACE_URL, f"https://org-id.guide/{identifier}")


def canonical(identifier: str) -> str:
    """An identifier as the register writes it; one that is none is kept as given (it names no organisation),
    so a path or an actor's organisation is compared with the register's own form."""
    try:
        return org_id(identifier)
    except DomainError:
        return identifier


def given(value: DataclassInstance, kind: type[DataclassInstance] | None = None) -> dict[str, Any]:
    """The fields of a command value (or of `kind`, a class it extends) that it gives: those not None.
    Shallow: the addresses and contacts inside stay values, as the events store them."""
    return {f.name: found for f in fields(kind or value) if (found := getattr(value, f.name)) is not None}


@dataclass(frozen=True)
class OrganisationDetails:
    """Who an organisation is and where: what registering it says."""

    identifier: str  # org-id.guide
    name: str
    legal_form: str  # a LegalForm code
    size: str  # a SizeClass code
    vcse: bool
    address: Address
    contact: Contact


@dataclass(frozen=True)
class DetailsChange:
    """An update to the register: only the details given change (None: unchanged)."""

    name: str | None = None
    legal_form: str | None = None
    size: str | None = None
    vcse: bool | None = None
    address: Address | None = None
    contact: Contact | None = None


@dataclass(frozen=True)
class ChangesSomething(Rule):
    changes: dict[str, Any]
    message = "The update changes nothing."

    def is_broken(self) -> bool:
        return not self.changes


@dataclass(frozen=True)
class NotAlreadyVerified(StateRule):
    verified: bool
    message = "The organisation is already verified."

    def is_broken(self) -> bool:
        return self.verified


def _checked(details: dict[str, Any]) -> dict[str, Any]:
    """Validate and normalise the details a registration or an update gives."""
    checked = dict(details)
    if "name" in checked:
        check(TextWithin(checked["name"], "name", max_length=200))
        checked["name"] = checked["name"].strip()
    if "legal_form" in checked:
        checked["legal_form"] = choice(LegalForm, checked["legal_form"], "legal_form")
    if "size" in checked:
        checked["size"] = choice(SizeClass, checked["size"], "size")
    if "address" in checked:
        address: Address = checked["address"]
        check(TextWithin(address.line1, "address.line1", 200), TextWithin(address.town, "address.town", 100))
        checked["address"] = replace(address, postcode=postcode(address.postcode))
    if "contact" in checked:
        contact: Contact = checked["contact"]
        check(TextWithin(contact.name, "contact.name", 200))
        checked["contact"] = replace(contact, email=email(contact.email))
    return checked


class Organisation(MarketplaceAggregate):
    """The aggregate's fields are set from its Registered event, then changed by later events."""

    identifier: str
    name: str
    legal_form: str
    size: str
    vcse: bool
    address: Address
    contact: Contact
    status: OrganisationStatus = ACTIVE
    verified: bool = False

    class Registered(MarketplaceAggregate.Created):
        identifier: str
        name: str
        legal_form: str
        size: str
        vcse: bool
        address: Address
        contact: Contact

    @classmethod
    def register(cls, ctx: Context, details: OrganisationDetails) -> Organisation:
        identifier = org_id(details.identifier)
        checked = _checked(given(details) | {"identifier": identifier})
        return cls._create(cls.Registered, id=organisation_uuid(identifier), **ctx.stamp(), **checked)

    class DetailsUpdated(MarketplaceAggregate.Event):
        changes: dict[str, Any]

        def apply(self, org: Organisation) -> None:
            for name, value in self.changes.items():
                setattr(org, name, value)
            if IDENTITY_FIELDS & self.changes.keys():
                org.verified = False

    def _active(self, action: str) -> StateAllows:
        """Only an active organisation's record changes: a deactivated one stays as it ended."""
        return StateAllows(self.status, frozenset({ACTIVE}), action)

    def update_details(self, ctx: Context, change: DetailsChange) -> None:
        """Record only what actually changed, so the history shows real edits."""
        check(self._active("update an organisation"))
        changes = {k: v for k, v in _checked(given(change)).items() if getattr(self, k) != v}
        check(ChangesSomething(changes))
        self.record(self.DetailsUpdated, ctx, changes=changes)

    class Verified(MarketplaceAggregate.Decision):
        def apply(self, org: Organisation) -> None:
            org.verified = True

        def summary(self) -> str:
            return "organisation verified"

    def verify(self, ctx: Context, reason: str) -> None:
        check(self._active("verify an organisation"), NotAlreadyVerified(self.verified))
        self.decide(self.Verified, ctx, reason)

    class Deactivated(MarketplaceAggregate.Decision):
        def apply(self, org: Organisation) -> None:
            org.status = DEACTIVATED

        def summary(self) -> str:
            return "organisation deactivated"

    def deactivate(self, ctx: Context, reason: str) -> None:
        check(self._active("deactivate an organisation"))
        self.decide(self.Deactivated, ctx, reason)
