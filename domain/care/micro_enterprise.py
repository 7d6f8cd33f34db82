"""Care micro-enterprises: the services, the evidence and the council's policy, and the rules an application
and its evidence keep. The registration that goes through them is `domain.care.registration`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from domain.money import HOURLY_RATE_MAXIMUM, money
from domain.organisations.organisation import ACTIVE as ORGANISATION_ACTIVE
from domain.organisations.organisation import Organisation, SizeClass
from domain.rules import DomainError, Refusal, Rule, TextWithin, check
from domain.values import choice, district
from domain.working_days import uk_date


class CareService(StrEnum):
    """What a micro-enterprise offers: the directory's code list."""

    PERSONAL_CARE = "personal-care"
    DOMESTIC_HELP = "domestic-help"
    COMPANIONSHIP = "companionship"
    RESPITE = "respite"
    DAY_OPPORTUNITIES = "day-opportunities"
    TRANSPORT = "transport"
    MEAL_PREPARATION = "meal-preparation"
    SHOPPING_AND_ERRANDS = "shopping-and-errands"
    SOCIAL_ACTIVITIES = "social-activities"
    SITTING_SERVICE = "sitting-service"
    GARDENING_AND_HOME_MAINTENANCE = "gardening-and-home-maintenance"


class EvidenceKind(StrEnum):
    DBS_CHECK = "dbs-check"  # one per worker; renewed every few years by council policy
    PUBLIC_LIABILITY_INSURANCE = "public-liability-insurance"
    TRAINING_CERTIFICATE = "training-certificate"
    CQC_REGISTRATION = "cqc-registration"  # where the activity is regulated
    REFERENCE = "reference"


# Recorded states (the events say so) ...
APPLIED = "applied"  # awaiting checks (again, after a resubmission)
REJECTED = "rejected"
LISTED = "listed"
SUSPENDED = "suspended"
WITHDRAWN = "withdrawn"
# ... and states a listing is in by the clock, from its evidence's expiry dates.
RENEWAL_DUE = "renewal-due"
LAPSED = "lapsed"
IN_DIRECTORY = frozenset({LISTED, RENEWAL_DUE})

PENDING, PASSED, FAILED = "pending", "passed", "failed"
# Evidence of these kinds covers one person or course each; the others are one of a kind.
PER_NAME = frozenset({EvidenceKind.DBS_CHECK, EvidenceKind.TRAINING_CERTIFICATE, EvidenceKind.REFERENCE})
_CQC_NUMBER = re.compile(r"^1-\d{6,12}$")  # CQC provider and location ids: 1-101234567


@dataclass(frozen=True)
class MicroEnterprisePolicy:
    """The council's policy for listing care micro-enterprises."""

    max_workers: int = 8
    insurance_minimum: Decimal = Decimal("5000000")  # public liability cover, GBP
    renewal_window_days: int = 30  # renewal is due this long before any evidence expires
    dbs_renewal_years: int = 3  # a DBS check is renewed this long after its issue date
    references_required: int = 2
    max_weekly_hours: int = 168  # per worker


def registration_uuid(organisation: str) -> UUID:
    """One registration per organisation: a second application collides in the event store."""
    return uuid5(NAMESPACE_URL, f"https://org-id.guide/{organisation}#care-micro-enterprise")


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def standing_of(status: str, earliest_expiry: date | None, now: datetime, policy: MicroEnterprisePolicy) -> str:
    """Where a registration stands at `now`: a listing is renewal-due or lapsed by its evidence's dates alone."""
    if status != LISTED or earliest_expiry is None:
        return status
    today = uk_date(now)
    if today >= earliest_expiry:
        return LAPSED
    if today >= earliest_expiry - timedelta(days=policy.renewal_window_days):
        return RENEWAL_DUE
    return LISTED


@dataclass(frozen=True)
class Evidence:
    """One piece of evidence, with its dates. A newer piece for the same slot replaces it once checked."""

    evidence_id: str
    kind: str
    name: str  # the worker (DBS), insurer, course, referee; the registered location (CQC)
    issued: date
    expires: date | None  # None: does not expire (a reference, a CQC registration)
    amount: Decimal | None = None  # public liability cover, GBP
    reference: str = ""  # certificate, policy or CQC registration number

    @property
    def slot(self) -> str:
        """What the evidence is evidence of: the DBS check of this worker, the insurance, ..."""
        return f"{self.kind}:{self.name.casefold()}" if self.kind in PER_NAME else self.kind

    def expired(self, today: date) -> bool:
        return self.expires is not None and today >= self.expires


@dataclass(frozen=True)
class Check:
    """A commissioner's check of one piece of evidence (not stored: built from CheckRecorded)."""

    passed: bool
    note: str
    checked_by: str
    checked_at: datetime


# --- rules ------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MicroEnterprise(Rule):
    organisation: Organisation
    field: str | None = "organisation"

    def is_broken(self) -> bool:
        return self.organisation.size != SizeClass.MICRO

    @property
    def message(self) -> str:
        return (
            f"Only a micro organisation can register as a care micro-enterprise; {self.organisation.identifier} "
            f"is registered as {self.organisation.size}."
        )


@dataclass(frozen=True)
class OrganisationActive(Rule):
    organisation: Organisation
    kind: Refusal = Refusal.CONFLICT
    field: str | None = "organisation"

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

    def is_broken(self) -> bool:
        return not self.services

    @property
    def message(self) -> str:
        return "Name at least one service offered."


@dataclass(frozen=True)
class AreaServed(Rule):
    districts: list[str]
    parishes: list[str]
    field: str | None = "districts"

    def is_broken(self) -> bool:
        return not self.districts and not self.parishes

    @property
    def message(self) -> str:
        return "Name the area served: at least one postcode district or parish."


@dataclass(frozen=True)
class RatePositive(Rule):
    rate: Decimal
    field: str | None = "hourly_rate"

    def is_broken(self) -> bool:
        return self.rate <= 0

    @property
    def message(self) -> str:
        return "The hourly rate must be more than zero."


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
class IssuedBy(Rule):
    issued: date
    today: date
    field: str | None = "issued"

    def is_broken(self) -> bool:
        return self.issued > self.today

    @property
    def message(self) -> str:
        return f"The issue date {self.issued} is in the future."


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
class NoFailedCheck(Rule):
    failed: list[Evidence]
    kind: Refusal = Refusal.CONFLICT
    field: str | None = "evidence"

    def is_broken(self) -> bool:
        return bool(self.failed)

    @property
    def message(self) -> str:
        named = ", ".join(f"{e.evidence_id} ({e.kind})" for e in self.failed)
        return f"Cannot approve: evidence failed its check: {named}. The applicant must replace it first."


@dataclass(frozen=True)
class EveryItemChecked(Rule):
    unchecked: list[Evidence]
    kind: Refusal = Refusal.CONFLICT
    field: str | None = "evidence"

    def is_broken(self) -> bool:
        return bool(self.unchecked)

    @property
    def message(self) -> str:
        named = ", ".join(f"{e.evidence_id} ({e.kind})" for e in self.unchecked)
        return f"Cannot approve: record a check of every piece of evidence first; not yet checked: {named}."


@dataclass(frozen=True)
class EvidenceComplete(Rule):
    missing: list[str]
    kind: Refusal = Refusal.CONFLICT
    field: str | None = "evidence"

    def is_broken(self) -> bool:
        return bool(self.missing)

    @property
    def message(self) -> str:
        return f"Cannot approve: checked evidence is missing: {'; '.join(self.missing)}."


@dataclass(frozen=True)
class EvidenceInDate(Rule):
    expired: list[Evidence]
    kind: Refusal = Refusal.CONFLICT
    field: str | None = "evidence"

    def is_broken(self) -> bool:
        return bool(self.expired)

    @property
    def message(self) -> str:
        named = ", ".join(f"{e.evidence_id} ({e.kind}, expired {e.expires})" for e in self.expired)
        return f"Cannot approve: evidence has expired: {named}."


@dataclass(frozen=True)
class NotSuspended(Rule):
    status: str
    kind: Refusal = Refusal.CONFLICT
    field: str | None = None

    def is_broken(self) -> bool:
        return self.status == SUSPENDED

    @property
    def message(self) -> str:
        return "A suspended registration cannot be listed: reinstate it first, with a reason."


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


def _checked_details(details: dict[str, Any], policy: MicroEnterprisePolicy) -> dict[str, Any]:
    """Validate and normalise what an application (or a corrected one) says."""
    checked = dict(details)
    if "services" in checked:
        codes = {choice(CareService, service, "services") for service in checked["services"]}
        check(ServicesOffered(sorted(codes)))
        checked["services"] = sorted(codes)
    if "districts" in checked:
        checked["districts"] = sorted({district(d, "districts") for d in checked["districts"]})
    if "parishes" in checked:
        parishes: dict[str, str] = {}
        for parish in checked["parishes"]:
            check(TextWithin(parish, "parishes", 100))
            name = " ".join(parish.split())
            parishes.setdefault(name.casefold(), name)
        checked["parishes"] = sorted(parishes.values(), key=str.casefold)
    if "workers" in checked:
        check(WorkersWithinLimit(checked["workers"], policy.max_workers))
    if "hourly_rate" in checked:
        check(RatePositive(money(checked["hourly_rate"], "hourly_rate", HOURLY_RATE_MAXIMUM)))
    if "cqc_regulated" in checked:
        checked["cqc_regulated"] = bool(checked["cqc_regulated"])
    return checked


def checked_application(details: dict[str, Any], policy: MicroEnterprisePolicy) -> dict[str, Any]:
    """A whole application's rules: each field's, then those across fields."""
    checked = _checked_details(details, policy)
    check(
        AreaServed(checked["districts"], checked["parishes"]),
        HoursWithin(
            checked["weekly_capacity_hours"],
            1,
            policy.max_weekly_hours * checked["workers"],
            "The weekly capacity",
            "weekly_capacity_hours",
        ),
    )
    return checked


def checked_evidence(given: Evidence, cqc_regulated: bool, today: date, policy: MicroEnterprisePolicy) -> Evidence:
    """What each kind of evidence needs; a DBS check's renewal date follows from its issue date."""
    kind = choice(EvidenceKind, given.kind, "kind")
    expires, amount = given.expires, given.amount
    check(IssuedBy(given.issued, today), TextWithin(given.reference, "reference", 100, min_length=0))
    if kind == EvidenceKind.CQC_REGISTRATION:
        if not cqc_regulated:
            message = "The activity is not CQC-regulated: no CQC registration is needed."
            raise DomainError(message, field="kind", rule="CqcRegulated")
        if not _CQC_NUMBER.match(given.reference.strip()):
            message = "Give the CQC registration number, such as 1-101234567."
            raise DomainError(message, field="reference", rule="CqcNumberRecognised")
    else:
        check(TextWithin(given.name, "name", 200))
    if kind == EvidenceKind.PUBLIC_LIABILITY_INSURANCE:
        check(InsuranceCoverMeetsPolicy(None if amount is None else money(amount, "amount"), policy.insurance_minimum))
        if expires is None:
            raise DomainError("Give the date the insurance expires.", field="expires", rule="ExpiryGiven")
    elif amount is not None:
        raise DomainError(
            "Only public liability insurance has a cover amount.", field="amount", rule="CoverOnInsurance"
        )
    if kind == EvidenceKind.DBS_CHECK:
        if expires is not None:
            raise DomainError(
                f"A DBS check is renewed {policy.dbs_renewal_years} years after its issue date (council policy): "
                "give the issue date only.",
                field="expires",
                rule="DbsRenewalByPolicy",
            )
        expires = add_years(given.issued, policy.dbs_renewal_years)
    check(StillInDate(given.issued, expires, today))
    name, reference = " ".join(given.name.split()), given.reference.strip()
    return Evidence(given.evidence_id, kind, name, given.issued, expires, amount, reference)
