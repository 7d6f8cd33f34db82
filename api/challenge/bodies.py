"""What the Community Right to Challenge's routes read: the request bodies, each converted whole into the domain
value its command takes (domain/challenge/terms.py) by `api.commanding.command_from`; fields are named as the
value's."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

import msgspec
from litestar.exceptions import ClientException

from api.commanding import record_id
from api.fields import Money, Reason
from api.grants.bodies import LocationBody
from domain.challenge.rules import MOST_DAYS
from domain.challenge.terms import BodyKind, Counting, Delivery, Ground, PartnerRole
from domain.grants.terms import CouncilPriority

service_id, expression_id = record_id("service"), record_id("expression of interest")

Title = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
LongText = Annotated[str, msgspec.Meta(min_length=1, max_length=10_000)]
Short = Annotated[str, msgspec.Meta(max_length=200)]
Days = Annotated[int, msgspec.Meta(ge=0, le=MOST_DAYS, description="A number of days, counted as `counted_in` says.")]
Area = Annotated[list[LocationBody], msgspec.Meta(max_length=50, description="None: the whole county.")]
EARLIEST_DAY, LATEST_DAY = date(1900, 1, 1), date(9000, 1, 1)


def within_years(day: date, field: str) -> date:
    """A day the service can count periods from: between the years 1900 and 9000 (400 naming the field)."""
    if not EARLIEST_DAY <= day <= LATEST_DAY:
        raise ClientException(f"{field} must be between the years 1900 and 9000.", extra={"field": field})
    return day


class Body(msgspec.Struct, forbid_unknown_fields=True):
    pass


# --- services -----------------------------------------------------------------------------------------------------


class PeriodsBody(Body):
    """The most days the council takes to decide, and the fewest and most days between an acceptance and the
    start of the procurement exercise."""

    decide_within: Days
    procure_after: Days
    procure_within: Days
    counted_in: Counting = Counting.CALENDAR


class ServiceBody(Body):
    name: Title
    description: LongText
    department: Title
    priority: CouncilPriority
    delivery: Delivery
    annual_budget: Money
    periods: PeriodsBody
    area: Area = []
    delivered_by: Annotated[str, msgspec.Meta(max_length=200, description="The contract's id or programme's code.")] = (
        ""
    )
    excluded: bool = False
    exclusion_ground: Annotated[
        str, msgspec.Meta(max_length=3000, description="Why the right does not apply (Schedule 2, SI 2012/1313).")
    ] = ""


class ServiceChangeBody(Body, omit_defaults=True):
    """Why, and only the fields that change."""

    reason: Reason
    name: Title | None = None
    description: LongText | None = None
    department: Title | None = None
    priority: CouncilPriority | None = None
    delivery: Delivery | None = None
    annual_budget: Money | None = None
    periods: PeriodsBody | None = None
    area: Area | None = None
    delivered_by: Short | None = None
    excluded: bool | None = None
    exclusion_ground: Annotated[str, msgspec.Meta(max_length=3000)] | None = None


class WindowBody(Body):
    """A window for expressions of interest, from the first UK day to the last, both included."""

    reason: Reason
    opens: date
    closes: date
    periods: PeriodsBody | None = None


# --- expressions of interest --------------------------------------------------------------------------------------


class PartnerBody(Body):
    role: PartnerRole
    name: Title
    identifier: Annotated[str, msgspec.Meta(max_length=60, description="Its org-id.guide identifier, if any.")] = ""


class MemberBody(Body):
    """One of the employees who make a staff group: never published."""

    name: Title
    job_title: Title


class InterestBody(Body):
    """An expression of interest, as Schedule 1 of SI 2012/1313 asks for it."""

    service_id: UUID
    body_kind: BodyKind
    financial_resources: LongText
    capability_evidence: LongText
    outcomes: Annotated[list[Annotated[str, msgspec.Meta(max_length=1000)]], msgspec.Meta(max_length=50)]
    well_being: LongText
    users_needs: LongText
    area: Area = []
    partners: Annotated[list[PartnerBody], msgspec.Meta(max_length=50)] = []
    group_name: Short = ""
    members: Annotated[list[MemberBody], msgspec.Meta(max_length=100)] = []
    staff_engagement: Annotated[str, msgspec.Meta(max_length=10_000)] = ""


class ModificationBody(Body):
    reason: Reason
    modification: LongText


class RejectionBody(Body):
    """A rejection on one or more of the grounds in the Schedule to SI 2012/1647, with reasons."""

    reason: Reason
    grounds: Annotated[list[Ground], msgspec.Meta(min_length=1, max_length=10)]
