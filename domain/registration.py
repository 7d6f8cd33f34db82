"""A care micro-enterprise's registration: checked by the council before listing, kept in date while listed.

Lifecycle: applied (services, area, capacity, rate, workers) -> evidence added (DBS check per worker,
public liability insurance, training, CQC registration where regulated, two references) -> a commissioner
checks each piece (passed or failed, with a note) -> approved (listed) or rejected with reasons ->
corrected and resubmitted -> while listed, by the clock: renewal due 30 days before any evidence expires,
lapsed once it has, whatever else has run; renewed evidence that passes its check restores the listing ->
suspended and reinstated with reasons -> withdrawn by the provider.

The chronograph records `RenewalDue` and `Lapsed` for the audit trail; `standing(now)` never waits for it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from domain.base import Context, MarketplaceAggregate
from domain.organisation import ACTIVE as ORGANISATION_ACTIVE
from domain.organisation import Organisation, SizeClass
from domain.rules import DomainError, Refusal, Rule, StateAllows, TextWithin, check
from domain.values import choice, district, money
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
        check(RatePositive(money(checked["hourly_rate"], "hourly_rate")))
    if "cqc_regulated" in checked:
        checked["cqc_regulated"] = bool(checked["cqc_regulated"])
    return checked


def _checked_application(details: dict[str, Any], policy: MicroEnterprisePolicy) -> dict[str, Any]:
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


def _checked_evidence(given: Evidence, cqc_regulated: bool, today: date, policy: MicroEnterprisePolicy) -> Evidence:
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


class Registration(MarketplaceAggregate):
    organisation: str  # org-id.guide identifier of the micro-enterprise
    name: str
    services: list[str]
    districts: list[str]
    parishes: list[str]
    weekly_capacity_hours: int
    available_hours: int  # what it can take on now
    hourly_rate: Decimal
    workers: int
    cqc_regulated: bool
    status: str = APPLIED
    suspended_from: str = ""
    decision_reason: str = ""  # why the latest decision was taken
    evidence: dict[str, Evidence] = field(default_factory=dict)  # by id, in the order sent
    checks: dict[str, Check] = field(default_factory=dict)  # by evidence id
    clock_recorded: tuple[str, date | None] = ("", None)  # the last standing (and expiry) the clock recorded

    # --- evidence as it stands ------------------------------------------------------------------------------------

    def latest(self) -> dict[str, Evidence]:
        """The newest piece of evidence for each slot: what is waiting for, or has had, its check."""
        return {item.slot: item for item in self.evidence.values()}

    def effective(self) -> dict[str, Evidence]:
        """For each slot, the newest piece that passed its check: what the listing stands on."""
        passed = (item for item in self.evidence.values() if self.check_of(item.evidence_id) == PASSED)
        return {item.slot: item for item in passed}

    def check_of(self, evidence_id: str) -> str:
        found = self.checks.get(evidence_id)
        return PENDING if found is None else PASSED if found.passed else FAILED

    def earliest_expiry(self) -> date | None:
        return min((item.expires for item in self.effective().values() if item.expires), default=None)

    def standing(self, now: datetime, policy: MicroEnterprisePolicy) -> str:
        return standing_of(self.status, self.earliest_expiry(), now, policy)

    def missing_evidence(self, policy: MicroEnterprisePolicy) -> list[str]:
        kinds = [item.kind for item in self.effective().values()]
        missing = []
        if (dbs := kinds.count(EvidenceKind.DBS_CHECK)) < self.workers:
            missing.append(f"a DBS check for every worker ({dbs} of {self.workers})")
        if EvidenceKind.PUBLIC_LIABILITY_INSURANCE not in kinds:
            missing.append("public liability insurance")
        if EvidenceKind.TRAINING_CERTIFICATE not in kinds:
            missing.append("a training certificate")
        if self.cqc_regulated and EvidenceKind.CQC_REGISTRATION not in kinds:
            missing.append("the CQC registration (the activity is regulated)")
        if (references := kinds.count(EvidenceKind.REFERENCE)) < policy.references_required:
            missing.append(f"{policy.references_required} references ({references} given)")
        return missing

    # --- applying ---------------------------------------------------------------------------------------------------

    class Applied(MarketplaceAggregate.Created):
        organisation: str
        name: str
        services: list[str]
        districts: list[str]
        parishes: list[str]
        weekly_capacity_hours: int
        available_hours: int
        hourly_rate: Decimal
        workers: int
        cqc_regulated: bool

    @classmethod
    def apply(
        cls,
        ctx: Context,
        policy: MicroEnterprisePolicy,
        organisation: Organisation,
        *,
        services: list[str],
        districts: list[str],
        parishes: list[str],
        weekly_capacity_hours: int,
        hourly_rate: Decimal,
        workers: int,
        cqc_regulated: bool,
    ) -> Registration:
        """A micro organisation applies to be listed; it can take on its whole weekly capacity to begin with."""
        check(MicroEnterprise(organisation), OrganisationActive(organisation))
        details = {
            "services": services,
            "districts": districts,
            "parishes": parishes,
            "weekly_capacity_hours": weekly_capacity_hours,
            "hourly_rate": hourly_rate,
            "workers": workers,
            "cqc_regulated": cqc_regulated,
        }
        checked = _checked_application(details, policy)
        return cls._create(
            cls.Applied,
            id=registration_uuid(organisation.identifier),
            **ctx.stamp(),
            organisation=organisation.identifier,
            name=organisation.name,
            available_hours=checked["weekly_capacity_hours"],
            **checked,
        )

    class EvidenceAdded(MarketplaceAggregate.Event):
        evidence: Evidence

        def apply(self, registration: Registration) -> None:
            registration.evidence[self.evidence.evidence_id] = self.evidence

    def add_evidence(
        self,
        ctx: Context,
        policy: MicroEnterprisePolicy,
        kind: str,
        name: str,
        issued: date,
        expires: date | None = None,
        amount: Decimal | None = None,
        reference: str = "",
    ) -> Evidence:
        """New or renewed evidence; it replaces what it renews once a commissioner's check passes it."""
        check(StateAllows(self.status, frozenset({APPLIED, REJECTED, LISTED, SUSPENDED}), "add evidence"))
        evidence = _checked_evidence(
            Evidence(f"E{len(self.evidence) + 1}", kind, name, issued, expires, amount, reference),
            self.cqc_regulated,
            ctx.today,
            policy,
        )
        self.record(self.EvidenceAdded, ctx, evidence=evidence)
        return evidence

    # --- checks and decisions -----------------------------------------------------------------------------------------

    class CheckRecorded(MarketplaceAggregate.Event):
        evidence_id: str
        passed: bool
        note: str

        def apply(self, registration: Registration) -> None:
            registration.checks[self.evidence_id] = Check(self.passed, self.note, self.actor.subject, self.timestamp)

    class Restored(MarketplaceAggregate.Event):
        """Renewed evidence passed its check and the lapsed listing is in date again."""

        evidence_id: str

    def record_check(
        self, ctx: Context, policy: MicroEnterprisePolicy, evidence_id: str, passed: bool, note: str
    ) -> None:
        check(
            StateAllows(self.status, frozenset({APPLIED, LISTED, SUSPENDED}), "record a check"),
            TextWithin(note, "note", 2000, min_length=3),
        )
        item = self.evidence.get(evidence_id)
        if item is None:
            raise DomainError(
                f"The registration has no evidence {evidence_id}.",
                field="evidence_id",
                kind=Refusal.NOT_FOUND,
                rule="EvidenceExists",
            )
        newest = self.latest()[item.slot]
        if newest.evidence_id != evidence_id:
            raise DomainError(
                f"Evidence {evidence_id} was replaced by {newest.evidence_id}: check that instead.",
                field="evidence_id",
                kind=Refusal.CONFLICT,
                rule="EvidenceCurrent",
            )
        if evidence_id in self.checks:
            raise DomainError(
                f"Evidence {evidence_id} is already checked ({self.check_of(evidence_id)}).",
                field="evidence_id",
                kind=Refusal.CONFLICT,
                rule="CheckedOnce",
            )
        was = self.standing(ctx.now, policy)
        self.record(self.CheckRecorded, ctx, evidence_id=evidence_id, passed=passed, note=note.strip())
        if was == LAPSED and self.standing(ctx.now, policy) != LAPSED:
            self.record(self.Restored, ctx, evidence_id=evidence_id)

    class Approved(MarketplaceAggregate.Decision):
        def apply(self, registration: Registration) -> None:
            registration.status, registration.decision_reason = LISTED, self.reason

    def approve(self, ctx: Context, policy: MicroEnterprisePolicy, reason: str) -> None:
        """List it: every piece of evidence checked and passed, nothing missing, nothing expired."""
        latest = self.latest().values()
        check(
            NotSuspended(self.status),
            StateAllows(self.status, frozenset({APPLIED}), "approve"),
            NoFailedCheck([e for e in latest if self.check_of(e.evidence_id) == FAILED]),
            EveryItemChecked([e for e in latest if self.check_of(e.evidence_id) == PENDING]),
            EvidenceComplete(self.missing_evidence(policy)),
            EvidenceInDate([e for e in self.effective().values() if e.expired(ctx.today)]),
        )
        self.decide(self.Approved, ctx, reason)

    class Rejected(MarketplaceAggregate.Decision):
        def apply(self, registration: Registration) -> None:
            registration.status, registration.decision_reason = REJECTED, self.reason

    def reject(self, ctx: Context, reason: str) -> None:
        check(StateAllows(self.status, frozenset({APPLIED}), "reject"))
        self.decide(self.Rejected, ctx, reason)

    class Resubmitted(MarketplaceAggregate.Event):
        changes: dict[str, Any]

        def apply(self, registration: Registration) -> None:
            for name, value in self.changes.items():
                setattr(registration, name, value)
            registration.status = APPLIED

    def resubmit(self, ctx: Context, policy: MicroEnterprisePolicy, **corrections: Any) -> None:
        """After a rejection: the corrected application goes back for checks."""
        check(StateAllows(self.status, frozenset({REJECTED}), "resubmit"))
        corrected = {k: v for k, v in corrections.items() if k in CORRECTABLE}
        merged = _checked_application({name: corrected.get(name, getattr(self, name)) for name in CORRECTABLE}, policy)
        changes = {name: value for name, value in merged.items() if getattr(self, name) != value}
        if self.available_hours > merged["weekly_capacity_hours"]:
            changes["available_hours"] = merged["weekly_capacity_hours"]
        self.record(self.Resubmitted, ctx, changes=changes)

    class Suspended(MarketplaceAggregate.Decision):
        def apply(self, registration: Registration) -> None:
            registration.suspended_from, registration.status = registration.status, SUSPENDED
            registration.decision_reason = self.reason

    def suspend(self, ctx: Context, reason: str) -> None:
        """For example a safeguarding concern: out of the directory at once, whatever its evidence."""
        check(StateAllows(self.status, frozenset({APPLIED, LISTED}), "suspend"))
        self.decide(self.Suspended, ctx, reason)

    class Reinstated(MarketplaceAggregate.Decision):
        def apply(self, registration: Registration) -> None:
            registration.status, registration.suspended_from = registration.suspended_from, ""
            registration.decision_reason = self.reason

    def reinstate(self, ctx: Context, reason: str) -> None:
        """Back to where it was before the suspension (listed, or awaiting checks)."""
        check(StateAllows(self.status, frozenset({SUSPENDED}), "reinstate"))
        self.decide(self.Reinstated, ctx, reason)

    class Withdrawn(MarketplaceAggregate.Decision):
        def apply(self, registration: Registration) -> None:
            registration.status, registration.decision_reason = WITHDRAWN, self.reason

    def withdraw(self, ctx: Context, reason: str) -> None:
        check(StateAllows(self.status, frozenset({APPLIED, REJECTED, LISTED, SUSPENDED}), "withdraw"))
        self.decide(self.Withdrawn, ctx, reason)

    # --- while listed -----------------------------------------------------------------------------------------------

    class AvailabilityUpdated(MarketplaceAggregate.Event):
        available_hours: int

        def apply(self, registration: Registration) -> None:
            registration.available_hours = self.available_hours

    def update_availability(self, ctx: Context, available_hours: int) -> None:
        check(
            StateAllows(self.status, frozenset({APPLIED, REJECTED, LISTED, SUSPENDED}), "update availability"),
            HoursWithin(available_hours, 0, self.weekly_capacity_hours, "Available hours", "available_hours"),
            AvailabilityChanges(self.available_hours, available_hours),
        )
        self.record(self.AvailabilityUpdated, ctx, available_hours=available_hours)

    class RenewalDue(MarketplaceAggregate.Event):
        """Recorded by the chronograph: evidence expires within the renewal window."""

        evidence_ids: list[str]
        expires_on: date

        def apply(self, registration: Registration) -> None:
            registration.clock_recorded = (RENEWAL_DUE, self.expires_on)

    class Lapsed(MarketplaceAggregate.Event):
        """Recorded by the chronograph: evidence has expired, so the listing has lapsed."""

        evidence_ids: list[str]
        expires_on: date

        def apply(self, registration: Registration) -> None:
            registration.clock_recorded = (LAPSED, self.expires_on)

    def record_standing(self, ctx: Context, policy: MicroEnterprisePolicy) -> str:
        """For the audit trail: what the clock already says (renewal due, lapsed), recorded once per expiry."""
        standing, expires_on = self.standing(ctx.now, policy), self.earliest_expiry()
        if standing not in (RENEWAL_DUE, LAPSED) or expires_on is None:
            message = f"The registration is {standing}: nothing to record."
            raise DomainError(message, kind=Refusal.CONFLICT, rule="ClockHasNews")
        if self.clock_recorded == (standing, expires_on):
            raise DomainError(f"Already recorded as {standing}.", kind=Refusal.CONFLICT, rule="ClockHasNews")
        horizon = ctx.today + timedelta(days=policy.renewal_window_days if standing == RENEWAL_DUE else 0)
        due = [e.evidence_id for e in self.effective().values() if e.expires is not None and e.expires <= horizon]
        event = self.Lapsed if standing == LAPSED else self.RenewalDue
        self.record(
            event, ctx, evidence_ids=sorted(due, key=lambda evidence_id: int(evidence_id[1:])), expires_on=expires_on
        )
        return standing


CORRECTABLE = (
    "services",
    "districts",
    "parishes",
    "weekly_capacity_hours",
    "hourly_rate",
    "workers",
    "cqc_regulated",
)
