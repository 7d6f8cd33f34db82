"""What grants' routes answer: programmes (with their budget figures), applications (the assessment for the
council's readers only) and grants, each rendered from its view row now and from its aggregate as it stood.

An application's and a grant's record is a document its own events hold whole (proposal, offer, schedule), so
its GET renders the aggregate, now as then; the lists and the budget figures come from the views.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import msgspec

from api.rendering import day, day_or_none
from domain.base import Actor
from domain.grants.application import GrantApplication
from domain.grants.grant import Grant, grant_uuid
from domain.grants.programme import GrantProgramme
from marketplace.grants.access import sees_assessment
from projections.batch import plain, utc


class ProgrammeView(msgspec.Struct):
    id: str
    code: str
    title: str
    description: str
    priority: str
    currency: str
    budget: Decimal
    committed: Decimal
    remaining: Decimal
    disbursed: Decimal | None  # None as it stood: the grants register holds it, now only
    opens: datetime
    closes: datetime
    open_now: bool
    minimum_award: Decimal
    maximum_award: Decimal
    eligibility: dict[str, Any]
    criteria: list[dict[str, Any]]
    assessors_needed: int
    payment_basis: str
    status: str
    window_recorded: str
    owner: str
    version: int


class ProgrammePage(msgspec.Struct):
    items: list[ProgrammeView]
    next: str | None


def programme_from_row(row: dict[str, Any], now: datetime) -> ProgrammeView:
    opens, closes = utc(row["opens"]), utc(row["closes"])
    return ProgrammeView(
        id=row["id"],
        code=row["code"],
        title=row["title"],
        description=row["description"],
        priority=row["priority"],
        currency=row["currency"],
        budget=Decimal(row["budget"]),
        committed=Decimal(row["committed"]),
        remaining=Decimal(row["budget"]) - Decimal(row["committed"]),
        disbursed=None if row.get("disbursed") is None else Decimal(row["disbursed"]),
        opens=opens,
        closes=closes,
        open_now=row["status"] == "published" and opens <= now < closes,
        minimum_award=Decimal(row["minimum_award"]),
        maximum_award=Decimal(row["maximum_award"]),
        eligibility={
            "legal_forms": row["legal_forms"],
            "size_classes": row["size_classes"],
            "vcse_only": row["vcse_only"],
            "postcode_areas": row["postcode_areas"],
        },
        criteria=row["criteria"],
        assessors_needed=row["assessors_needed"],
        payment_basis=row["payment_basis"],
        status=row["status"],
        window_recorded=row["window_recorded"],
        owner=row["owner"],
        version=row["version"],
    )


def programme_from_aggregate(programme: GrantProgramme, now: datetime) -> ProgrammeView:
    eligibility = programme.eligibility
    row = {
        **{name: getattr(programme, name) for name in ("code", "title", "description", "priority", "currency")},
        **{name: getattr(programme, name) for name in ("budget", "committed", "opens", "closes", "owner")},
        **{name: getattr(programme, name) for name in ("minimum_award", "maximum_award", "assessors_needed")},
        "id": str(programme.id),
        "disbursed": None,
        "legal_forms": list(eligibility.legal_forms),
        "size_classes": list(eligibility.size_classes),
        "vcse_only": eligibility.vcse_only,
        "postcode_areas": list(eligibility.postcode_areas),
        "criteria": plain(programme.criteria),
        "payment_basis": programme.payment_basis,
        "status": programme.status.value,
        "window_recorded": programme.window_recorded,
        "version": programme.version,
    }
    return programme_from_row(row, now)


# --- applications -------------------------------------------------------------------------------------------------


class Assessment(msgspec.Struct):
    assessors: dict[str, str]
    scores: dict[str, dict[str, Any]]  # "criterion|assessor" -> score and justification
    agreed: dict[str, dict[str, Any]]  # criterion -> agreed score and note


class ApplicationView(msgspec.Struct):
    id: str
    programme_id: str
    applicant: str
    applicant_name: str
    project_title: str
    summary: str
    amount_requested: Decimal
    planned_start: date
    planned_end: date
    locations: list[dict[str, Any]]
    outcomes: list[str]
    budget: list[dict[str, Any]]
    status: str
    offer: dict[str, Any] | None
    assessment: Assessment | None  # the council's readers only
    grant_id: str | None
    version: int


def application_view(application: GrantApplication, reader: Actor | None) -> ApplicationView:
    assessment = (
        Assessment(
            {who: str(state) for who, state in application.assessors.items()},
            plain(application.scores),
            plain(application.agreed),
        )
        if sees_assessment(reader)
        else None
    )
    return ApplicationView(
        id=str(application.id),
        programme_id=application.programme_id,
        applicant=application.applicant,
        applicant_name=application.applicant_name,
        project_title=application.project_title,
        summary=application.summary,
        amount_requested=application.amount_requested,
        planned_start=application.planned_start,
        planned_end=application.planned_end,
        locations=plain(application.locations),
        outcomes=list(application.outcomes),
        budget=plain(application.budget),
        status=application.status.value,
        offer=plain(application.offer) if application.offer else None,
        assessment=assessment,
        grant_id=str(grant_uuid(application.id)) if application.status == "accepted" else None,
        version=application.version,
    )


class QueueItem(msgspec.Struct):
    id: str
    programme_id: str
    applicant: str
    applicant_name: str
    project_title: str
    amount_requested: Decimal
    status: str
    moderated_score: Decimal
    moderation_complete: bool
    assessors: dict[str, str] | None
    offer_amount: Decimal | None
    offer_expires: date | None
    version: int


class QueuePage(msgspec.Struct):
    items: list[QueueItem]
    next: str | None


def queue_item(row: dict[str, Any], reader: Actor | None) -> QueueItem:
    council = sees_assessment(reader)
    return QueueItem(
        id=row["id"],
        programme_id=row["programme_id"],
        applicant=row["applicant"],
        applicant_name=row["applicant_name"],
        project_title=row["project_title"],
        amount_requested=Decimal(row["amount_requested"]),
        status=row["status"],
        moderated_score=Decimal(row["moderated_score"]) if council else Decimal(0),
        moderation_complete=row["moderation_complete"] and council,
        assessors=row["assessors"] if council else None,
        offer_amount=None if row["offer_amount"] is None else Decimal(row["offer_amount"]),
        offer_expires=day_or_none(row["offer_expires"]),
        version=row["version"],
    )


# --- grants -------------------------------------------------------------------------------------------------------


class GrantView(msgspec.Struct):
    id: str
    application_id: str
    programme_id: str
    programme_code: str
    programme_title: str
    funder: str
    recipient: str
    recipient_name: str
    title: str
    description: str
    currency: str
    amount_awarded: Decimal
    amount_paid: Decimal
    amount_reclaimed: Decimal
    amount_disbursed: Decimal
    amount_asked_back: Decimal  # recoveries raised, their money not yet received
    award_date: date
    planned_start: date
    planned_end: date
    locations: list[dict[str, Any]]
    conditions: list[dict[str, Any]]
    schedule: list[dict[str, Any]]
    returns: dict[str, str]
    underspend_declared: Decimal
    recoveries: list[dict[str, Any]]  # money asked back: its payment record (/invoices/{id}), cause, amount, received
    status: str
    version: int


def grant_view(grant: Grant) -> GrantView:
    return GrantView(
        id=str(grant.id),
        application_id=grant.application_id,
        programme_id=grant.programme_id,
        programme_code=grant.programme_code,
        programme_title=grant.programme_title,
        funder=grant.funder,
        recipient=grant.recipient,
        recipient_name=grant.recipient_name,
        title=grant.title,
        description=grant.description,
        currency=grant.currency,
        amount_awarded=grant.amount,
        amount_paid=grant.paid,
        amount_reclaimed=grant.reclaimed,
        amount_disbursed=grant.disbursed,
        amount_asked_back=grant.asked_back,
        award_date=grant.award_date,
        planned_start=grant.planned_start,
        planned_end=grant.planned_end,
        locations=plain(grant.locations),
        conditions=[{**plain(c), "discharged": c.key in grant.discharged} for c in grant.conditions],
        schedule=[{**plain(i), "paid": plain(grant.payments.get(i.key))} for i in grant.schedule],
        returns={period: str(status) for period, status in grant.returns.items()},
        underspend_declared=grant.underspend_declared,
        recoveries=[{"id": recovery, **plain(asked)} for recovery, asked in grant.recoveries.items()],
        status=grant.status.value,
        version=grant.version,
    )


class RegisterEntry(msgspec.Struct):
    """The public register: recipient, amount, dates, programme."""

    id: str
    recipient: str
    recipient_name: str
    title: str
    programme_code: str
    programme_title: str
    amount_awarded: Decimal
    amount_disbursed: Decimal
    award_date: date
    planned_start: date
    planned_end: date
    status: str


class RegisterPage(msgspec.Struct):
    items: list[RegisterEntry]
    next: str | None


def register_entry(row: dict[str, Any]) -> RegisterEntry:
    return RegisterEntry(
        id=row["id"],
        recipient=row["recipient"],
        recipient_name=row["recipient_name"],
        title=row["title"],
        programme_code=row["programme_code"],
        programme_title=row["programme_title"],
        amount_awarded=Decimal(row["amount_awarded"]),
        amount_disbursed=Decimal(row["amount_disbursed"]),
        award_date=day(row["award_date"]),
        planned_start=day(row["planned_start"]),
        planned_end=day(row["planned_end"]),
        status=row["status"],
    )
