"""A care micro-enterprise's registration: checked by the council before listing, kept in date while listed.

Lifecycle: applied (services, area, capacity, rate, workers) -> evidence added (DBS check per worker,
public liability insurance, training, CQC registration where regulated, two references) -> a commissioner
checks each piece (passed or failed, with a note) -> approved (listed) or rejected with reasons ->
corrected and resubmitted -> while listed, by the clock: renewal due 30 days before any evidence expires,
lapsed once it has, whatever else has run; renewed evidence that passes its check restores the listing ->
suspended and reinstated with reasons -> withdrawn by the provider.

The chronograph records `RenewalDue` and `Lapsed` for the audit trail; `standing(now)` never waits for it.
Stored events name this module and these classes: they stay here.
"""

from __future__ import annotations

from dataclasses import field, fields
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from domain.base import Context, MarketplaceAggregate
from domain.care.micro_enterprise import (
    APPLIED,
    FAILED,
    LAPSED,
    LISTED,
    PASSED,
    PENDING,
    REJECTED,
    RENEWAL_DUE,
    SUSPENDED,
    WITHDRAWN,
    Check,
    CheckResult,
    Corrections,
    Evidence,
    EvidenceCheck,
    EvidenceItem,
    EvidenceKind,
    ListingApplication,
    ListingTerms,
    MicroEnterprisePolicy,
    RegistrationStatus,
    Standing,
    registration_uuid,
    standing_of,
)
from domain.care.rules import (
    AvailabilityChanges,
    EveryItemChecked,
    EvidenceComplete,
    EvidenceInDate,
    HoursWithin,
    MicroEnterprise,
    NoFailedCheck,
    NotSuspended,
    OrganisationActive,
    checked_evidence,
    checked_terms,
)
from domain.organisations.organisation import Organisation, given
from domain.rules import DomainError, Refusal, StateAllows, TextWithin, check

NOT_WITHDRAWN = frozenset({APPLIED, REJECTED, LISTED, SUSPENDED})


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
    status: RegistrationStatus = APPLIED
    suspended_from: RegistrationStatus = APPLIED  # while suspended: the status a reinstatement returns it to
    decision_reason: str = ""  # why the latest decision was taken
    evidence: dict[str, Evidence] = field(default_factory=dict)  # by id, in the order sent
    checks: dict[str, Check] = field(default_factory=dict)  # by evidence id
    clock_recorded: tuple[str, date | None] = ("", None)  # the last standing (and expiry) the clock recorded

    # --- as it stands -----------------------------------------------------------------------------------------------

    def terms(self) -> ListingTerms:
        """What the listing offers now, as its application (and any corrections) said."""
        return ListingTerms(**{f.name: getattr(self, f.name) for f in fields(ListingTerms)})

    def latest(self) -> dict[str, Evidence]:
        """The newest piece of evidence for each slot: what is waiting for, or has had, its check."""
        return {item.slot: item for item in self.evidence.values()}

    def effective(self) -> dict[str, Evidence]:
        """For each slot, the newest piece that passed its check: what the listing stands on."""
        passed = (item for item in self.evidence.values() if self.check_of(item.evidence_id) == PASSED)
        return {item.slot: item for item in passed}

    def check_of(self, evidence_id: str) -> CheckResult:
        found = self.checks.get(evidence_id)
        return PENDING if found is None else PASSED if found.passed else FAILED

    def earliest_expiry(self) -> date | None:
        return min((item.expires for item in self.effective().values() if item.expires), default=None)

    def standing(self, now: datetime, policy: MicroEnterprisePolicy) -> Standing:
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
    def submit_application(
        cls, ctx: Context, policy: MicroEnterprisePolicy, organisation: Organisation, application: ListingApplication
    ) -> Registration:
        """A micro organisation applies to be listed; it can take on its whole weekly capacity to begin with."""
        check(MicroEnterprise(organisation), OrganisationActive(organisation))
        checked = checked_terms(application, policy)
        return cls._create(
            cls.Applied,
            id=registration_uuid(organisation.identifier),
            **ctx.stamp(),
            **given(checked, ListingTerms),
            organisation=organisation.identifier,
            name=organisation.name,
            available_hours=checked.weekly_capacity_hours,
        )

    class EvidenceAdded(MarketplaceAggregate.Event):
        evidence: Evidence

        def apply(self, registration: Registration) -> None:
            registration.evidence[self.evidence.evidence_id] = self.evidence

    def add_evidence(self, ctx: Context, policy: MicroEnterprisePolicy, item: EvidenceItem) -> Evidence:
        """New or renewed evidence; it replaces what it renews once a commissioner's check passes it."""
        check(StateAllows(self.status, NOT_WITHDRAWN, "add evidence"))
        numbered = item.numbered(f"E{len(self.evidence) + 1}")
        evidence = checked_evidence(numbered, self.cqc_regulated, ctx.today, policy)
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

    def _awaiting_check(self, evidence_id: str) -> None:
        """Only the newest piece for its slot is checked, and only once."""
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

    def record_check(self, ctx: Context, policy: MicroEnterprisePolicy, result: EvidenceCheck) -> None:
        check(
            StateAllows(self.status, frozenset({APPLIED, LISTED, SUSPENDED}), "record a check"),
            TextWithin(result.note, "note", 2000, min_length=3),
        )
        self._awaiting_check(result.evidence_id)
        was = self.standing(ctx.now, policy)
        self.record(
            self.CheckRecorded, ctx, evidence_id=result.evidence_id, passed=result.passed, note=result.note.strip()
        )
        if was == LAPSED and self.standing(ctx.now, policy) != LAPSED:
            self.record(self.Restored, ctx, evidence_id=result.evidence_id)

    class Approved(MarketplaceAggregate.Decision):
        def apply(self, registration: Registration) -> None:
            registration.status, registration.decision_reason = LISTED, self.reason

        def summary(self) -> str:
            return "registration approved: listed in the directory"

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

        def summary(self) -> str:
            return "registration rejected"

    def reject(self, ctx: Context, reason: str) -> None:
        check(StateAllows(self.status, frozenset({APPLIED}), "reject"))
        self.decide(self.Rejected, ctx, reason)

    class Resubmitted(MarketplaceAggregate.Event):
        changes: dict[str, Any]

        def apply(self, registration: Registration) -> None:
            for name, value in self.changes.items():
                setattr(registration, name, value)
            registration.status = APPLIED

    def resubmit(self, ctx: Context, policy: MicroEnterprisePolicy, corrections: Corrections) -> None:
        """After a rejection: the corrected application goes back for checks, recording only what changed."""
        check(StateAllows(self.status, frozenset({REJECTED}), "resubmit"))
        corrected = checked_terms(corrections.applied_to(self.terms()), policy)
        changes = {name: value for name, value in given(corrected).items() if getattr(self, name) != value}
        if self.available_hours > corrected.weekly_capacity_hours:
            changes["available_hours"] = corrected.weekly_capacity_hours
        self.record(self.Resubmitted, ctx, changes=changes)

    class Suspended(MarketplaceAggregate.Decision):
        def apply(self, registration: Registration) -> None:
            registration.suspended_from, registration.status = registration.status, SUSPENDED
            registration.decision_reason = self.reason

        def summary(self) -> str:
            return "registration suspended: out of the directory"

    def suspend(self, ctx: Context, reason: str) -> None:
        """For example a safeguarding concern: out of the directory at once, whatever its evidence."""
        check(StateAllows(self.status, frozenset({APPLIED, LISTED}), "suspend"))
        self.decide(self.Suspended, ctx, reason)

    class Reinstated(MarketplaceAggregate.Decision):
        def apply(self, registration: Registration) -> None:
            registration.status, registration.decision_reason = registration.suspended_from, self.reason

        def summary(self) -> str:
            return "registration reinstated"

    def reinstate(self, ctx: Context, reason: str) -> None:
        """Back to where it was before the suspension (listed, or awaiting checks)."""
        check(StateAllows(self.status, frozenset({SUSPENDED}), "reinstate"))
        self.decide(self.Reinstated, ctx, reason)

    class Withdrawn(MarketplaceAggregate.Decision):
        def apply(self, registration: Registration) -> None:
            registration.status, registration.decision_reason = WITHDRAWN, self.reason

        def summary(self) -> str:
            return "registration withdrawn"

    def withdraw(self, ctx: Context, reason: str) -> None:
        check(StateAllows(self.status, NOT_WITHDRAWN, "withdraw"))
        self.decide(self.Withdrawn, ctx, reason)

    # --- while listed -----------------------------------------------------------------------------------------------

    class AvailabilityUpdated(MarketplaceAggregate.Event):
        available_hours: int

        def apply(self, registration: Registration) -> None:
            registration.available_hours = self.available_hours

    def update_availability(self, ctx: Context, available_hours: int) -> None:
        check(
            StateAllows(self.status, NOT_WITHDRAWN, "update availability"),
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

    def record_standing(self, ctx: Context, policy: MicroEnterprisePolicy) -> Standing:
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
