"""The rules a care micro-enterprise's application, evidence and checks keep, each named, with the message the
applicant or commissioner reads; `checked_terms` and `checked_evidence` apply them in the order the refusals
are reported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Generic, TypeVar

from domain.care.micro_enterprise import (
    SUSPENDED,
    CareService,
    Evidence,
    EvidenceKind,
    ListingTerms,
    MicroEnterprisePolicy,
    add_years,
)
from domain.money import HOURLY_RATE_MAXIMUM, money
from domain.organisations.organisation import ACTIVE as ORGANISATION_ACTIVE
from domain.organisations.organisation import Organisation, SizeClass
from domain.rules import DomainError, InOrder, Positive, Rule, StateRule, TextWithin, check
from domain.values import choice, district

T = TypeVar("T", bound=ListingTerms)
V = TypeVar("V")
_CQC_NUMBER = re.compile(r"^1-\d{6,12}$")  # CQC provider and location ids: 1-101234567


@dataclass(frozen=True)
class OrganisationRule(Rule):
    """A rule the applying organisation, as the register has it, keeps (field `organisation`)."""

    organisation: Organisation
    field: str | None = "organisation"


class MicroEnterprise(OrganisationRule):
    def is_broken(self) -> bool:
        return self.organisation.size != SizeClass.MICRO

    @property
    def message(self) -> str:
        return (
            f"Only a micro organisation can register as a care micro-enterprise; {self.organisation.identifier} "
            f"is registered as {self.organisation.size}."
        )


class OrganisationActive(OrganisationRule, StateRule):
    def is_broken(self) -> bool:
        return self.organisation.status != ORGANISATION_ACTIVE

    @property
    def message(self) -> str:
        return f"{self.organisation.identifier} is deactivated."


@dataclass(frozen=True)
class WorkersWithinLimit(Rule):
    workers: int
    maximum: int
    field: str | None = "workers"

    def is_broken(self) -> bool:
        return not 1 <= self.workers <= self.maximum

    @property
    def message(self) -> str:
        return (
            f"A care micro-enterprise has 1 to {self.maximum} workers (council policy); "
            f"this application gives {self.workers}."
        )


@dataclass(frozen=True)
class HoursWithin(Rule):
    hours: int
    low: int
    high: int
    what: str
    field: str | None

    def is_broken(self) -> bool:
        return not self.low <= self.hours <= self.high

    @property
    def message(self) -> str:
        return f"{self.what} must be between {self.low} and {self.high} hours a week."


@dataclass(frozen=True)
class ServicesOffered(Rule):
    services: list[str]
    field: str | None = "services"
    message = "Name at least one service offered."

    def is_broken(self) -> bool:
        return not self.services


@dataclass(frozen=True)
class AreaServed(Rule):
    districts: list[str]
    parishes: list[str]
    field: str | None = "districts"
    message = "Name the area served: at least one postcode district or parish."

    def is_broken(self) -> bool:
        return not self.districts and not self.parishes


@dataclass(frozen=True)
class RatePositive(Positive):
    field: str | None = "hourly_rate"
    message = "The hourly rate must be more than zero."


@dataclass(frozen=True)
class InsuranceCoverMeetsPolicy(Rule):
    amount: Decimal | None
    minimum: Decimal
    field: str | None = "amount"

    def is_broken(self) -> bool:
        return self.amount is None or self.amount < self.minimum

    @property
    def message(self) -> str:
        given = "no amount" if self.amount is None else f"GBP {self.amount:,.2f}"
        return (
            f"Public liability insurance must cover at least GBP {self.minimum:,.0f} (council policy); {given} given."
        )


@dataclass(frozen=True)
class IssuedBy(InOrder):
    """Issued no later than today."""

    strict: bool = False
    field: str | None = "issued"

    @property
    def message(self) -> str:
        return f"The issue date {self.earlier} is in the future."


@dataclass(frozen=True)
class StillInDate(Rule):
    issued: date
    expires: date | None
    today: date
    field: str | None = "expires"

    def is_broken(self) -> bool:
        return self.expires is not None and (self.expires <= self.today or self.expires <= self.issued)

    @property
    def message(self) -> str:
        if self.expires is not None and self.expires <= self.issued:
            return "Evidence must expire after it was issued."
        return f"The evidence expired on {self.expires}: send evidence that is still in date."


@dataclass(frozen=True)
class EvidenceRule(StateRule, Generic[V]):
    """A refusal to approve that lists what is at fault in the evidence, while anything is (409, field `evidence`)."""

    items: list[V]
    field: str | None = "evidence"

    def is_broken(self) -> bool:
        return bool(self.items)

    def named(self: EvidenceRule[Evidence]) -> str:
        return ", ".join(f"{e.evidence_id} ({e.kind})" for e in self.items)


class NoFailedCheck(EvidenceRule[Evidence]):
    @property
    def message(self) -> str:
        return f"Cannot approve: evidence failed its check: {self.named()}. The applicant must replace it first."


class EveryItemChecked(EvidenceRule[Evidence]):
    @property
    def message(self) -> str:
        return f"Cannot approve: record a check of every piece of evidence first; not yet checked: {self.named()}."


class EvidenceInDate(EvidenceRule[Evidence]):
    @property
    def message(self) -> str:
        named = ", ".join(f"{e.evidence_id} ({e.kind}, expired {e.expires})" for e in self.items)
        return f"Cannot approve: evidence has expired: {named}."


class EvidenceComplete(EvidenceRule[str]):
    @property
    def message(self) -> str:
        return f"Cannot approve: checked evidence is missing: {'; '.join(self.items)}."


@dataclass(frozen=True)
class NotSuspended(StateRule):
    status: str
    message = "A suspended registration cannot be listed: reinstate it first, with a reason."

    def is_broken(self) -> bool:
        return self.status == SUSPENDED


@dataclass(frozen=True)
class AvailabilityChanges(Rule):
    current: int
    wanted: int
    field: str | None = "available_hours"

    def is_broken(self) -> bool:
        return self.current == self.wanted

    @property
    def message(self) -> str:
        return f"The availability is already {self.current} hours a week."


def _parishes(given: list[str]) -> list[str]:
    """Each parish once, its spacing tidied, in name order (case aside)."""
    parishes: dict[str, str] = {}
    for parish in given:
        check(TextWithin(parish, "parishes", 100))
        name = " ".join(parish.split())
        parishes.setdefault(name.casefold(), name)
    return sorted(parishes.values(), key=str.casefold)


def checked_terms(terms: T, policy: MicroEnterprisePolicy) -> T:
    """An application's (or a corrected application's) terms, checked field by field, then across fields;
    normalised: codes, districts and parishes once each and in order."""
    services = sorted({choice(CareService, service, "services") for service in terms.services})
    check(ServicesOffered(services))
    districts = sorted({district(d, "districts") for d in terms.districts})
    parishes = _parishes(terms.parishes)
    check(WorkersWithinLimit(terms.workers, policy.max_workers))
    check(RatePositive(money(terms.hourly_rate, "hourly_rate", HOURLY_RATE_MAXIMUM)))
    checked = replace(
        terms, services=services, districts=districts, parishes=parishes, cqc_regulated=bool(terms.cqc_regulated)
    )
    check(
        AreaServed(checked.districts, checked.parishes),
        HoursWithin(
            checked.weekly_capacity_hours,
            1,
            policy.max_weekly_hours * checked.workers,
            "The weekly capacity",
            "weekly_capacity_hours",
        ),
    )
    return checked


def _cqc_registration(given: Evidence, cqc_regulated: bool) -> None:
    if not cqc_regulated:
        message = "The activity is not CQC-regulated: no CQC registration is needed."
        raise DomainError(message, field="kind", rule="CqcRegulated")
    if not _CQC_NUMBER.match(given.reference.strip()):
        message = "Give the CQC registration number, such as 1-101234567."
        raise DomainError(message, field="reference", rule="CqcNumberRecognised")


def _cover(given: Evidence, kind: str, policy: MicroEnterprisePolicy) -> None:
    """Insurance names its cover, at least the policy's minimum, and its expiry; nothing else has a cover."""
    if kind == EvidenceKind.PUBLIC_LIABILITY_INSURANCE:
        amount = None if given.amount is None else money(given.amount, "amount")
        check(InsuranceCoverMeetsPolicy(amount, policy.insurance_minimum))
        if given.expires is None:
            raise DomainError("Give the date the insurance expires.", field="expires", rule="ExpiryGiven")
    elif given.amount is not None:
        raise DomainError(
            "Only public liability insurance has a cover amount.", field="amount", rule="CoverOnInsurance"
        )


def _expiry(given: Evidence, kind: str, policy: MicroEnterprisePolicy) -> date | None:
    """A DBS check's renewal date follows from its issue date (council policy); other evidence gives its own."""
    if kind != EvidenceKind.DBS_CHECK:
        return given.expires
    if given.expires is not None:
        raise DomainError(
            f"A DBS check is renewed {policy.dbs_renewal_years} years after its issue date (council policy): "
            "give the issue date only.",
            field="expires",
            rule="DbsRenewalByPolicy",
        )
    return add_years(given.issued, policy.dbs_renewal_years)


def checked_evidence(given: Evidence, cqc_regulated: bool, today: date, policy: MicroEnterprisePolicy) -> Evidence:
    """What each kind of evidence needs, checked in the order the refusals are reported; normalised."""
    kind = choice(EvidenceKind, given.kind, "kind")
    check(IssuedBy(given.issued, today), TextWithin(given.reference, "reference", 100, min_length=0))
    if kind == EvidenceKind.CQC_REGISTRATION:
        _cqc_registration(given, cqc_regulated)
    else:
        check(TextWithin(given.name, "name", 200))
    _cover(given, kind, policy)
    expires = _expiry(given, kind, policy)
    check(StillInDate(given.issued, expires, today))
    name, reference = " ".join(given.name.split()), given.reference.strip()
    return Evidence(given.evidence_id, kind, name, given.issued, expires, given.amount, reference)
