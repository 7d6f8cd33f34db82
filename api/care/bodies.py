"""Care micro-enterprise request and response bodies.

A request body is converted whole into the domain command it carries (`api.commanding.command_from`),
so its fields are named as the command's. Statuses, standings and check results are the domain's enums: the
OpenAPI description lists their codes.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated

import msgspec

from api.care.fields import Districts, Hours, Parishes, Services, Workers
from api.fields import HourlyRate, Money
from api.organisations.bodies import OrgId
from domain.care.micro_enterprise import CheckResult, EvidenceKind, RegistrationStatus, Standing

# --- requests ---------------------------------------------------------------------------------------------------------


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


# --- responses --------------------------------------------------------------------------------------------------------


class EvidenceView(msgspec.Struct):
    evidence_id: str
    kind: str
    name: str
    reference: str
    issued: date
    expires: date | None
    amount: Decimal | None
    check: CheckResult
    current: bool  # the newest piece of its kind (for that worker, course or referee)
    effective: bool  # the listing stands on it
    note: str | None = None
    checked_by: str | None = None
    checked_at: datetime | None = None


class RegistrationView(msgspec.Struct):
    id: str
    organisation: str
    name: str
    status: RegistrationStatus
    standing: Standing  # the status, or renewal-due or lapsed by the clock for a listing
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
    standing: Standing  # listed or renewal-due
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
    status: RegistrationStatus
    unchecked: int  # evidence waiting for a check
    applied_at: datetime
    updated_at: datetime
    decision_reason: str | None = None


class ExpiringItem(msgspec.Struct):
    registration_id: str
    organisation: str
    name: str
    status: RegistrationStatus
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
