"""An organisation in the council's register: the council itself and its providers.

Lifecycle: registered -> details updated (any number of times) -> verified by a
commissioner -> deactivated. Tenders, bids, grants, registrations and expressions
of interest all refer to an organisation by its org-id.guide identifier.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from domain.base import Context, MarketplaceAggregate
from domain.rules import Refusal, Rule, StateAllows, TextWithin, check
from domain.values import Address, Contact, choice, email, org_id, postcode


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


# A sole trader or a partnership is people: where it is, is where someone lives (personal data).
PEOPLE = frozenset({LegalForm.SOLE_TRADER.value, LegalForm.PARTNERSHIP.value})
ACTIVE = "active"
DEACTIVATED = "deactivated"
# Changing who the organisation is (not where it is) means it must be verified again.
IDENTITY_FIELDS = frozenset({"name", "legal_form", "size", "vcse"})
UPDATABLE_FIELDS = IDENTITY_FIELDS | {"address", "contact"}


def organisation_uuid(identifier: str) -> UUID:
    """One identifier, one aggregate: a second registration collides in the event store."""
    return uuid5(NAMESPACE_URL, f"https://org-id.guide/{identifier}")


@dataclass(frozen=True)
class ChangesSomething(Rule):
    changes: dict[str, Any]
    field: str | None = None

    def is_broken(self) -> bool:
        return not self.changes

    @property
    def message(self) -> str:
        return "The update changes nothing."


@dataclass(frozen=True)
class NotAlreadyVerified(Rule):
    verified: bool
    kind: Refusal = Refusal.CONFLICT

    def is_broken(self) -> bool:
        return self.verified

    @property
    def message(self) -> str:
        return "The organisation is already verified."


def _checked_details(details: dict[str, Any]) -> dict[str, Any]:
    """Validate and normalise the fields a registration or an update may carry."""
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
    status: str = ACTIVE
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
    def register(cls, ctx: Context, identifier: str, **details: Any) -> Organisation:
        identifier = org_id(identifier)
        checked = _checked_details(details)
        return cls._create(
            cls.Registered, id=organisation_uuid(identifier), **ctx.stamp(), identifier=identifier, **checked
        )

    class DetailsUpdated(MarketplaceAggregate.Event):
        changes: dict[str, Any]

        def apply(self, org: Organisation) -> None:
            for name, value in self.changes.items():
                setattr(org, name, value)
            if IDENTITY_FIELDS & self.changes.keys():
                org.verified = False

    def update_details(self, ctx: Context, **details: Any) -> None:
        """Record only what actually changed, so the history shows real edits."""
        check(StateAllows(self.status, frozenset({ACTIVE}), "update an organisation"))
        checked = _checked_details({k: v for k, v in details.items() if k in UPDATABLE_FIELDS})
        changes = {k: v for k, v in checked.items() if getattr(self, k) != v}
        check(ChangesSomething(changes))
        self.record(self.DetailsUpdated, ctx, changes=changes)

    class Verified(MarketplaceAggregate.Decision):
        def apply(self, org: Organisation) -> None:
            org.verified = True

        def summary(self) -> str:
            return "organisation verified"

    def verify(self, ctx: Context, reason: str) -> None:
        check(
            StateAllows(self.status, frozenset({ACTIVE}), "verify an organisation"),
            NotAlreadyVerified(self.verified),
        )
        self.decide(self.Verified, ctx, reason)

    class Deactivated(MarketplaceAggregate.Decision):
        def apply(self, org: Organisation) -> None:
            org.status = DEACTIVATED

        def summary(self) -> str:
            return "organisation deactivated"

    def deactivate(self, ctx: Context, reason: str) -> None:
        check(StateAllows(self.status, frozenset({ACTIVE}), "deactivate an organisation"))
        self.decide(self.Deactivated, ctx, reason)
