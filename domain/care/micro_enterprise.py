"""Care micro-enterprises: what the directory knows (services, evidence, a registration's statuses), the
council's policy, and the values a registration's commands take.

The rules an application and its evidence keep are `domain.care.rules`; the registration that goes through
them is `domain.care.registration`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from uuid import NAMESPACE_URL, UUID, uuid5

from domain.organisations.organisation import given
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


class RegistrationStatus(StrEnum):
    """What a registration's events have made it."""

    APPLIED = "applied"  # awaiting checks (again, after a resubmission)
    REJECTED = "rejected"
    LISTED = "listed"
    SUSPENDED = "suspended"
    WITHDRAWN = "withdrawn"


class Standing(StrEnum):
    """Where a registration stands at a moment: its status, or by the clock a listing's renewal due or lapse."""

    # A listing is renewal-due or lapsed by its evidence's expiry dates alone, whether or not an event says so.

    APPLIED = "applied"
    REJECTED = "rejected"
    LISTED = "listed"
    SUSPENDED = "suspended"
    WITHDRAWN = "withdrawn"
    RENEWAL_DUE = "renewal-due"
    LAPSED = "lapsed"


class CheckResult(StrEnum):
    """A piece of evidence's check: none yet, or a commissioner's verdict."""

    PENDING = "pending"
    PASSED = "passed"
    FAILED = "failed"


# The codes by name, as the rules and the views compare them.
APPLIED, REJECTED, LISTED = RegistrationStatus.APPLIED, RegistrationStatus.REJECTED, RegistrationStatus.LISTED
SUSPENDED, WITHDRAWN = RegistrationStatus.SUSPENDED, RegistrationStatus.WITHDRAWN
RENEWAL_DUE, LAPSED = Standing.RENEWAL_DUE, Standing.LAPSED
IN_DIRECTORY = frozenset({Standing.LISTED, Standing.RENEWAL_DUE})
PENDING, PASSED, FAILED = CheckResult.PENDING, CheckResult.PASSED, CheckResult.FAILED
# Evidence of these kinds covers one person or course each; the others are one of a kind.
PER_NAME = frozenset({EvidenceKind.DBS_CHECK, EvidenceKind.TRAINING_CERTIFICATE, EvidenceKind.REFERENCE})


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


def standing_of(status: str, earliest_expiry: date | None, now: datetime, policy: MicroEnterprisePolicy) -> Standing:
    """Where a registration stands at `now`: a listing is renewal-due or lapsed by its evidence's dates alone."""
    if status != LISTED or earliest_expiry is None:
        return Standing(status)
    today = uk_date(now)
    if today >= earliest_expiry:
        return LAPSED
    if today >= earliest_expiry - timedelta(days=policy.renewal_window_days):
        return RENEWAL_DUE
    return Standing.LISTED


# --- what the commands take -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ListingTerms:
    """What a listing offers, where, at what rate and with whom: what an application says and a resubmission
    corrects."""

    services: list[str]  # CareService codes
    districts: list[str]  # postcode districts
    parishes: list[str]
    weekly_capacity_hours: int
    hourly_rate: Decimal
    workers: int
    cqc_regulated: bool


@dataclass(frozen=True)
class ListingApplication(ListingTerms):
    """An organisation's application to be listed in the directory."""

    organisation: str  # its org-id.guide identifier


@dataclass(frozen=True)
class Corrections:
    """A rejected application's corrections: only the terms given change (None: as applied)."""

    services: list[str] | None = None
    districts: list[str] | None = None
    parishes: list[str] | None = None
    weekly_capacity_hours: int | None = None
    hourly_rate: Decimal | None = None
    workers: int | None = None
    cqc_regulated: bool | None = None

    def applied_to(self, terms: ListingTerms) -> ListingTerms:
        return replace(terms, **given(self))


@dataclass(frozen=True)
class EvidenceItem:
    """A piece of evidence as the applicant sends it; the registration numbers it (`Evidence`)."""

    kind: str  # an EvidenceKind code
    name: str  # the worker (DBS), insurer, course, referee; the registered location (CQC)
    issued: date
    expires: date | None = None  # None: does not expire, or (a DBS check) follows from the issue date
    amount: Decimal | None = None  # public liability cover, GBP
    reference: str = ""  # certificate, policy or CQC registration number

    def numbered(self, evidence_id: str) -> Evidence:
        return Evidence(evidence_id, self.kind, self.name, self.issued, self.expires, self.amount, self.reference)


@dataclass(frozen=True)
class EvidenceCheck:
    """A commissioner's check of one piece of evidence: passed or failed, and why."""

    evidence_id: str
    passed: bool
    note: str


# --- what the events hold ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Evidence:
    """One piece of evidence, with its dates. A newer piece for the same slot replaces it once checked.

    Stored in `EvidenceAdded` as a JSON object of these fields, by name: keep them as they are."""

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
