"""Care micro-enterprises: apply, evidence, checks, decisions, availability; the public directory and the work queue.

The directory and a registration's standing (listed, renewal due, lapsed) are worked out against the
clock at the time of the request, so they are right whether or not the chronograph has run.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, get, post, put
from litestar.exceptions import ClientException
from litestar.params import Parameter

from api.as_it_stood import HISTORY_HEADERS, AsOf, Version, as_it_stood_answer, recall
from api.auth import current_actor, requires
from api.commanding import BLOCKING, answer, command_request, etag, record_id, writes
from api.fields import HourlyRate, Money
from api.organisations.routes import DecisionBody, OrgId
from api.problems import problem_responses
from api.rendering import pence, utc
from domain.base import Role
from domain.care.micro_enterprise import IN_DIRECTORY, CareService, EvidenceKind, MicroEnterprisePolicy, standing_of
from domain.care.registration import Registration
from domain.rules import NotFound
from domain.values import district as postcode_district
from marketplace.audit_feed import AuditEvent
from marketplace.audit_feed import history as record_history
from marketplace.care.services import Registrations
from marketplace.organisations.access import sees_private_details
from marketplace.outcome import Outcome
from marketplace.service import Marketplace
from projections.care.registrations import (
    awaiting_checks,
    evidence_of,
    expiring_evidence,
    find_registration,
    is_in_directory,
    search_directory,
    suspended,
)

OFFICERS = (Role.COMMISSIONER, Role.ADMIN)
APPLICANTS = (Role.PROVIDER, Role.COMMISSIONER, Role.ADMIN)
READERS = (Role.COMMISSIONER, Role.ADMIN, Role.AUDITOR)  # and the registration's own organisation

District = Annotated[str, msgspec.Meta(min_length=2, max_length=4, examples=["SY7"])]
Parish = Annotated[str, msgspec.Meta(min_length=1, max_length=100, examples=["Clun"])]
Hours = Annotated[int, msgspec.Meta(ge=0, le=10_000, description="Hours a week")]
Workers = Annotated[int, msgspec.Meta(ge=0, le=1000, description="1 to 8 by council policy")]
Services = Annotated[list[CareService], msgspec.Meta(max_length=20)]
Districts = Annotated[list[District], msgspec.Meta(max_length=50)]
Parishes = Annotated[list[Parish], msgspec.Meta(max_length=50)]


class Application(msgspec.Struct, forbid_unknown_fields=True):
    organisation: OrgId
    services: Services
    weekly_capacity_hours: Hours
    hourly_rate: HourlyRate
    workers: Workers
    cqc_regulated: bool
    districts: Districts = []
    parishes: Parishes = []


class Corrections(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    """Only the fields given change; the corrected application goes back for checks."""

    services: Services | None = None
    districts: Districts | None = None
    parishes: Parishes | None = None
    weekly_capacity_hours: Hours | None = None
    hourly_rate: HourlyRate | None = None
    workers: Workers | None = None
    cqc_regulated: bool | None = None


class EvidenceBody(msgspec.Struct, forbid_unknown_fields=True):
    """A DBS check names the worker (its renewal date follows from the issue date); insurance its insurer,
    cover amount and expiry; a training certificate its course; a reference its referee; a CQC registration
    its number."""

    kind: EvidenceKind
    issued: date
    name: Annotated[str, msgspec.Meta(max_length=200)] = ""
    expires: date | None = None
    amount: Money | None = None
    reference: Annotated[str, msgspec.Meta(max_length=100)] = ""


class CheckBody(msgspec.Struct, forbid_unknown_fields=True):
    evidence_id: Annotated[str, msgspec.Meta(pattern=r"^E\d{1,6}$", examples=["E1"])]
    passed: bool
    note: Annotated[str, msgspec.Meta(min_length=3, max_length=2000)]


class AvailabilityBody(msgspec.Struct, forbid_unknown_fields=True):
    available_hours: Hours


class EvidenceView(msgspec.Struct):
    evidence_id: str
    kind: str
    name: str
    reference: str
    issued: date
    expires: date | None
    amount: Decimal | None
    check: str  # pending | passed | failed
    current: bool  # the newest piece of its kind (for that worker, course or referee)
    effective: bool  # the listing stands on it
    note: str | None = None
    checked_by: str | None = None
    checked_at: datetime | None = None


class RegistrationView(msgspec.Struct):
    id: str
    organisation: str
    name: str
    status: str  # applied | rejected | listed | suspended | withdrawn
    standing: str  # the status, or renewal-due or lapsed by the clock for a listing
    services: list[str]
    districts: list[str]
    parishes: list[str]
    weekly_capacity_hours: int
    available_hours: int
    hourly_rate: Decimal
    workers: int
    cqc_regulated: bool
    evidence_expires_on: date | None
    version: int
    applied_at: datetime
    updated_at: datetime
    decision_reason: str | None = None  # the applicant and officers only
    evidence: list[EvidenceView] | None = None  # the applicant and officers only


class DirectoryEntry(msgspec.Struct):
    id: str
    organisation: str
    name: str
    standing: str  # listed or renewal-due
    services: list[str]
    districts: list[str]
    parishes: list[str]
    available_hours: int
    weekly_capacity_hours: int
    hourly_rate: Decimal
    workers: int
    cqc_regulated: bool


class DirectoryPage(msgspec.Struct):
    items: list[DirectoryEntry]
    next_cursor: str | None = None


class QueueItem(msgspec.Struct):
    id: str
    organisation: str
    name: str
    status: str
    unchecked: int  # evidence waiting for a check
    applied_at: datetime
    updated_at: datetime
    decision_reason: str | None = None


class ExpiringItem(msgspec.Struct):
    registration_id: str
    organisation: str
    name: str
    status: str
    evidence_id: str
    kind: str
    evidence_name: str
    expires: date


class QueueSection(msgspec.Struct):
    items: list[QueueItem] = []
    next_cursor: str | None = None


class ExpiringSection(msgspec.Struct):
    items: list[ExpiringItem] = []
    next_cursor: str | None = None


class WorkQueue(msgspec.Struct):
    awaiting_checks: QueueSection
    expiring: ExpiringSection
    suspended: QueueSection


class Section(StrEnum):
    AWAITING_CHECKS = "awaiting-checks"
    EXPIRING = "expiring"
    SUSPENDED = "suspended"


def _pence(value: Decimal | None) -> Decimal | None:
    return None if value is None else pence(value)


registration_id = record_id("registration")


def _public_then(market: Marketplace, registration: Registration, moment: datetime) -> bool:
    """Whether the public may see this past state: a listing in the directory now, listed at that moment."""
    with market.views() as session:
        listed_now = is_in_directory(session, str(registration.id), market.clock.now())
    return listed_now and registration.standing(moment, market.service(Registrations).policy) in IN_DIRECTORY


def from_aggregate(
    registration: Registration, now: datetime, policy: MicroEnterprisePolicy, full: bool = True
) -> RegistrationView:
    latest, effective = registration.latest(), registration.effective()
    evidence = []
    for item in registration.evidence.values():
        found = registration.checks.get(item.evidence_id)
        evidence.append(
            EvidenceView(
                evidence_id=item.evidence_id,
                kind=item.kind,
                name=item.name,
                reference=item.reference,
                issued=item.issued,
                expires=item.expires,
                amount=_pence(item.amount),
                check=registration.check_of(item.evidence_id),
                current=latest[item.slot].evidence_id == item.evidence_id,
                effective=item.slot in effective and effective[item.slot].evidence_id == item.evidence_id,
                note=found.note if found else None,
                checked_by=found.checked_by if found else None,
                checked_at=found.checked_at if found else None,
            )
        )
    return RegistrationView(
        id=str(registration.id),
        organisation=registration.organisation,
        name=registration.name,
        status=registration.status,
        standing=registration.standing(now, policy),
        services=list(registration.services),
        districts=list(registration.districts),
        parishes=list(registration.parishes),
        weekly_capacity_hours=registration.weekly_capacity_hours,
        available_hours=registration.available_hours,
        hourly_rate=_pence(registration.hourly_rate) or Decimal(0),
        workers=registration.workers,
        cqc_regulated=registration.cqc_regulated,
        evidence_expires_on=registration.earliest_expiry(),
        version=registration.version,
        applied_at=registration.created_on,
        updated_at=registration.modified_on,
        decision_reason=(registration.decision_reason or None) if full else None,
        evidence=evidence if full else None,
    )


def from_rows(
    row: dict[str, Any], evidence: list[dict[str, Any]] | None, now: datetime, policy: MicroEnterprisePolicy
) -> RegistrationView:
    return RegistrationView(
        id=row["id"],
        organisation=row["organisation"],
        name=row["name"],
        status=row["status"],
        standing=standing_of(row["status"], row["evidence_expires_on"], now, policy),
        services=list(row["services"]),
        districts=list(row["districts"]),
        parishes=list(row["parishes"]),
        weekly_capacity_hours=row["weekly_capacity_hours"],
        available_hours=row["available_hours"],
        hourly_rate=_pence(row["hourly_rate"]) or Decimal(0),
        workers=row["workers"],
        cqc_regulated=row["cqc_regulated"],
        evidence_expires_on=row["evidence_expires_on"],
        version=row["version"],
        applied_at=utc(row["applied_at"]),
        updated_at=utc(row["updated_at"]),
        decision_reason=row["decision_reason"] if evidence is not None else None,
        evidence=None
        if evidence is None
        else [
            EvidenceView(
                evidence_id=e["evidence_id"],
                kind=e["kind"],
                name=e["name"],
                reference=e["reference"],
                issued=e["issued"],
                expires=e["expires"],
                amount=_pence(e["amount"]),
                check=e["check_result"],
                current=e["latest"],
                effective=e["effective"],
                note=e["check_note"],
                checked_by=e["checked_by"],
                checked_at=utc(e["checked_at"]) if e["checked_at"] else None,
            )
            for e in evidence
        ],
    )


def _entry(row: dict[str, Any], now: datetime, policy: MicroEnterprisePolicy) -> DirectoryEntry:
    return DirectoryEntry(
        id=row["id"],
        organisation=row["organisation"],
        name=row["name"],
        standing=standing_of(row["status"], row["evidence_expires_on"], now, policy),
        services=list(row["services"]),
        districts=list(row["districts"]),
        parishes=list(row["parishes"]),
        available_hours=row["available_hours"],
        weekly_capacity_hours=row["weekly_capacity_hours"],
        hourly_rate=_pence(row["hourly_rate"]) or Decimal(0),
        workers=row["workers"],
        cqc_regulated=row["cqc_regulated"],
    )


def _queue_item(row: dict[str, Any]) -> QueueItem:
    return QueueItem(
        id=row["id"],
        organisation=row["organisation"],
        name=row["name"],
        status=row["status"],
        unchecked=row["unchecked"],
        applied_at=utc(row["applied_at"]),
        updated_at=utc(row["updated_at"]),
        decision_reason=row["decision_reason"],
    )


def _expiring_item(row: dict[str, Any]) -> ExpiringItem:
    return ExpiringItem(
        registration_id=row["registration_id"],
        organisation=row["organisation"],
        name=row["provider_name"],
        status=row["registration_status"],
        evidence_id=row["evidence_id"],
        kind=row["kind"],
        evidence_name=row["name"],
        expires=row["expires"],
    )


def _answer(market: Marketplace, outcome: Outcome, created: bool = False) -> Response[RegistrationView]:
    now, policy = market.clock.now(), market.service(Registrations).policy
    where = (lambda r: f"/registrations/{r.id}") if created else None
    return answer(market, outcome, Registration, lambda r: from_aggregate(r, now, policy), where)


class RegistrationController(Controller):
    path = "/registrations"
    tags = ["care micro-enterprises"]

    @post(summary="Apply to be listed as a care micro-enterprise", **writes(*APPLICANTS, created=True))
    def apply(
        self, market: Marketplace, request: Request[Any, Any, Any], data: Application
    ) -> Response[RegistrationView]:
        """A provider applies for its own (micro) organisation; council officers may apply for any."""
        outcome = market.service(Registrations).apply(
            command_request(request, data),
            data.organisation,
            services=[service.value for service in data.services],
            districts=list(data.districts),
            parishes=list(data.parishes),
            weekly_capacity_hours=data.weekly_capacity_hours,
            hourly_rate=data.hourly_rate,
            workers=data.workers,
            cqc_regulated=data.cqc_regulated,
        )
        return _answer(market, outcome, created=True)

    @get(
        "/work-queue",
        summary="The commissioners' work queue: awaiting checks, evidence expiring soon, suspended",
        guards=[requires(*READERS)],
        responses=problem_responses(400, 401, 403),
        security=[{"bearerAuth": []}],
        **BLOCKING,
    )
    def work_queue(
        self,
        market: Marketplace,
        request: Request[Any, Any, Any],
        section: Section | None = None,
        cursor: Annotated[str | None, Parameter(max_length=500, description="with `section` only")] = None,
        limit: Annotated[int, Parameter(ge=1, le=1000)] = 100,
    ) -> WorkQueue:
        """Every section's first page, or with `section` one section's page from `cursor`."""
        if cursor and section is None:
            raise ClientException("A cursor continues one section: give `section` too.", extra={"field": "cursor"})
        now, window = market.clock.now(), market.service(Registrations).policy.renewal_window_days
        queue = WorkQueue(QueueSection(), ExpiringSection(), QueueSection())
        with market.views() as session:
            if section in (None, Section.AWAITING_CHECKS):
                rows, after = awaiting_checks(session, cursor, limit)
                queue.awaiting_checks = QueueSection([_queue_item(r) for r in rows], after)
            if section in (None, Section.EXPIRING):
                rows, after = expiring_evidence(session, now, window, cursor, limit)
                queue.expiring = ExpiringSection([_expiring_item(r) for r in rows], after)
            if section in (None, Section.SUSPENDED):
                rows, after = suspended(session, cursor, limit)
                queue.suspended = QueueSection([_queue_item(r) for r in rows], after)
        return queue

    @get(
        "/{registration:str}",
        summary="One registration (now, or as it stood at a version or moment)",
        responses=problem_responses(400, 404),
        response_headers=HISTORY_HEADERS,
        **BLOCKING,
    )
    def read(
        self,
        market: Marketplace,
        request: Request[Any, Any, Any],
        registration: str,
        version: Version = None,
        as_of: AsOf = None,
    ) -> Response[RegistrationView]:
        """Everything, evidence included, for the applicant and council officers; a listing's public entry otherwise.

        As it stood (`version`, `as_of`): the same, except that the public sees a past state only of a listing
        in the directory now, and only when it was listed then. Its standing is judged by the clock at `as_of`,
        or when that version was recorded.
        """
        actor, policy = current_actor(request), market.service(Registrations).policy
        then = recall(
            market,
            Registration,
            registration_id(registration),
            version,
            as_of,
            what="registration",
            key=registration,
            visible=lambda r: (
                sees_private_details(actor, r.organisation) or _public_then(market, r, as_of or r.modified_on)
            ),
        )
        if then is not None:
            full = sees_private_details(actor, then.organisation)
            return as_it_stood_answer(from_aggregate(then, as_of or then.modified_on, policy, full), then)
        now = market.clock.now()
        with market.views() as session:
            row = find_registration(session, str(registration_id(registration)))
            if row is None:
                raise NotFound("registration", registration)
            if sees_private_details(actor, row["organisation"]):
                view = from_rows(row, evidence_of(session, row["id"]), now, policy)
            elif is_in_directory(session, row["id"], now):
                view = from_rows(row, None, now, policy)
            else:
                raise NotFound("registration", registration)
        return Response(view, headers=etag(row["version"]))

    @get(
        "/{registration:str}/history",
        summary="The registration's audit history: every event, who, when and why",
        responses=problem_responses(404),
        **BLOCKING,
    )
    def history(self, market: Marketplace, request: Request[Any, Any, Any], registration: str) -> list[AuditEvent]:
        """Read from the event store itself, in the one history shape (as `/audit/{kind}/{id}/history`):
        the applicant, council officers and auditors."""
        reader = current_actor(request)
        with market.views() as session:
            row = find_registration(session, str(registration_id(registration)))
        if row is None or not sees_private_details(reader, row["organisation"]):
            raise NotFound("registration", registration)
        return record_history(market, reader, "registration", row["id"])

    @post(
        "/{registration:str}/evidence",
        summary="Add evidence, or renew it (it replaces the old once checked)",
        **writes(*APPLICANTS, created=True),
    )
    def add_evidence(
        self, market: Marketplace, request: Request[Any, Any, Any], registration: str, data: EvidenceBody
    ) -> Response[RegistrationView]:
        outcome = market.service(Registrations).add_evidence(
            command_request(request, data),
            registration_id(registration),
            data.kind.value,
            data.name,
            data.issued,
            data.expires,
            data.amount,
            data.reference,
        )
        return _answer(market, outcome, created=True)

    @post(
        "/{registration:str}/checks",
        summary="Record a check of one piece of evidence (passed or failed, with a note)",
        **writes(*OFFICERS),
    )
    def record_check(
        self, market: Marketplace, request: Request[Any, Any, Any], registration: str, data: CheckBody
    ) -> Response[RegistrationView]:
        outcome = market.service(Registrations).record_check(
            command_request(request, data), registration_id(registration), data.evidence_id, data.passed, data.note
        )
        return _answer(market, outcome)

    @post("/{registration:str}/approve", summary="Approve and list it, with reasons", **writes(*OFFICERS))
    def approve(
        self, market: Marketplace, request: Request[Any, Any, Any], registration: str, data: DecisionBody
    ) -> Response[RegistrationView]:
        command = command_request(request, data)
        return _answer(
            market, market.service(Registrations).approve(command, registration_id(registration), data.reason)
        )

    @post("/{registration:str}/reject", summary="Reject it, with reasons", **writes(*OFFICERS))
    def reject(
        self, market: Marketplace, request: Request[Any, Any, Any], registration: str, data: DecisionBody
    ) -> Response[RegistrationView]:
        command = command_request(request, data)
        return _answer(
            market, market.service(Registrations).reject(command, registration_id(registration), data.reason)
        )

    @post(
        "/{registration:str}/resubmit",
        summary="Resubmit after a rejection, with any corrections",
        **writes(*APPLICANTS),
    )
    def resubmit(
        self, market: Marketplace, request: Request[Any, Any, Any], registration: str, data: Corrections
    ) -> Response[RegistrationView]:
        corrections = {f: getattr(data, f) for f in data.__struct_fields__ if getattr(data, f) is not None}
        if "services" in corrections:
            corrections["services"] = [service.value for service in corrections["services"]]
        command = command_request(request, data)
        return _answer(
            market, market.service(Registrations).resubmit(command, registration_id(registration), **corrections)
        )

    @post(
        "/{registration:str}/suspend",
        summary="Suspend it (a safeguarding concern, say), with reasons",
        **writes(*OFFICERS),
    )
    def suspend(
        self, market: Marketplace, request: Request[Any, Any, Any], registration: str, data: DecisionBody
    ) -> Response[RegistrationView]:
        command = command_request(request, data)
        return _answer(
            market, market.service(Registrations).suspend(command, registration_id(registration), data.reason)
        )

    @post("/{registration:str}/reinstate", summary="Reinstate it, with reasons", **writes(*OFFICERS))
    def reinstate(
        self, market: Marketplace, request: Request[Any, Any, Any], registration: str, data: DecisionBody
    ) -> Response[RegistrationView]:
        command = command_request(request, data)
        return _answer(
            market, market.service(Registrations).reinstate(command, registration_id(registration), data.reason)
        )

    @post("/{registration:str}/withdraw", summary="Withdraw it (the provider itself)", **writes(Role.PROVIDER))
    def withdraw(
        self, market: Marketplace, request: Request[Any, Any, Any], registration: str, data: DecisionBody
    ) -> Response[RegistrationView]:
        command = command_request(request, data)
        return _answer(
            market, market.service(Registrations).withdraw(command, registration_id(registration), data.reason)
        )

    @put(
        "/{registration:str}/availability",
        summary="The hours a week it can take on now",
        **writes(*APPLICANTS),
    )
    def availability(
        self, market: Marketplace, request: Request[Any, Any, Any], registration: str, data: AvailabilityBody
    ) -> Response[RegistrationView]:
        outcome = market.service(Registrations).update_availability(
            command_request(request, data), registration_id(registration), data.available_hours
        )
        return _answer(market, outcome)


class DirectoryController(Controller):
    path = "/directory"
    tags = ["care micro-enterprises"]

    @get(
        summary="Find care micro-enterprises: listed and in date only",
        responses=problem_responses(400, 422),
        **BLOCKING,
    )
    def search(
        self,
        market: Marketplace,
        service: CareService | None = None,
        district: Annotated[str | None, Parameter(max_length=4, description="a postcode district, e.g. SY7")] = None,
        parish: Annotated[str | None, Parameter(max_length=100)] = None,
        min_hours: Annotated[int | None, Parameter(ge=0, le=10_000, description="available hours a week")] = None,
        cursor: Annotated[str | None, Parameter(max_length=500)] = None,
        limit: Annotated[int, Parameter(ge=1, le=1000)] = 100,
    ) -> DirectoryPage:
        """By service, postcode district or parish, and the hours a week it can take on now; pages by `next_cursor`."""
        area = postcode_district(district, "district") if district else None
        now, policy = market.clock.now(), market.service(Registrations).policy
        with market.views() as session:
            rows, next_cursor = search_directory(
                session,
                now,
                service=service.value if service else None,
                district=area,
                parish=" ".join(parish.split()) if parish else None,
                min_hours=min_hours,
                cursor=cursor,
                limit=limit,
            )
        return DirectoryPage([_entry(row, now, policy) for row in rows], next_cursor)
