"""What the Community Right to Challenge's commands take, each as one value: a service's entry in the council's
register, a window, an expression of interest (Schedule 1 of SI 2012/1313) and a decision on it.

The parts events store (periods, windows, partners, staff-group members) are frozen dataclasses of plain fields,
stored by the event store's transcoder as JSON objects. Areas reuse the grants' `Location` (a postcode district
or a parish), and a service serves one of the council's priorities as a programme does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum

from domain.grants.terms import Location
from domain.working_days import add_working_days


class Delivery(StrEnum):
    """How the service is delivered now."""

    IN_HOUSE = "in-house"
    CONTRACT = "contract"  # by a contract in the register (delivered_by: its id)
    GRANT = "grant"  # by grants from a programme (delivered_by: its code)


class Counting(StrEnum):
    """How the council counts the days of a period it states."""

    CALENDAR = "calendar-days"
    WORKING = "working-days"  # England and Wales: weekends and bank holidays not counted


class BodyKind(StrEnum):
    """Who expresses the interest: a registered organisation, or two or more of the council's employees."""

    ORGANISATION = "organisation"
    STAFF_GROUP = "staff-group"


class PartnerRole(StrEnum):
    CONSORTIUM_MEMBER = "consortium-member"
    SUB_CONTRACTOR = "sub-contractor"


class Ground(StrEnum):
    """The grounds on which an expression of interest may be rejected: the Schedule to SI 2012/1647, and no
    others (Localism Act 2011 s.83(9)). Each code's legal text is `GROUND_TEXT[code]`."""

    NON_COMPLIANT = "non-compliant"
    INADEQUATE_INFORMATION = "inadequate-information"
    BODY_NOT_SUITABLE = "body-not-suitable"
    SERVICE_TO_STOP = "service-to-stop"
    NHS_INTEGRATION = "nhs-integration"
    ALREADY_PROCURED = "already-procured"
    THIRD_PARTY_NEGOTIATIONS = "third-party-negotiations"
    STAFF_LED_BODY_INTENDED = "staff-led-body-intended"
    FRIVOLOUS_OR_VEXATIOUS = "frivolous-or-vexatious"
    BREACH_OF_LAW = "breach-of-law"


GROUND_TEXT: dict[str, tuple[int, str]] = {  # code -> (paragraph of the Schedule, its words)
    Ground.NON_COMPLIANT: (
        1,
        "The expression of interest does not comply with any of the requirements specified "
        "in the Act or in regulations under section 81(4)(c) of the Act.",
    ),
    Ground.INADEQUATE_INFORMATION: (
        2,
        "The relevant body provides information in the expression of interest which "
        "is, in the opinion of the relevant authority, in a material particular "
        "inadequate or inaccurate.",
    ),
    Ground.BODY_NOT_SUITABLE: (
        3,
        "The relevant authority considers, based on the information in the expression of "
        "interest, that the relevant body, any member of its consortium or any sub-contractor "
        "named in it is not suitable to provide or assist in providing the relevant service.",
    ),
    Ground.SERVICE_TO_STOP: (
        4,
        "The relevant authority has decided in writing to stop providing the relevant service.",
    ),
    Ground.NHS_INTEGRATION: (
        5,
        "The relevant service is provided in integration with a service provided or arranged "
        "by an NHS body, and the continued integration of such services is, in the opinion of "
        "the relevant authority, critical to the well-being of the persons who receive them.",
    ),
    Ground.ALREADY_PROCURED: (6, "The relevant service is already the subject of a procurement exercise."),
    Ground.THIRD_PARTY_NEGOTIATIONS: (
        7,
        "The relevant authority and a third party have entered into negotiations "
        "for provision of the service, which are wholly or partly conducted in "
        "writing.",
    ),
    Ground.STAFF_LED_BODY_INTENDED: (
        8,
        "The relevant authority has published its intention to consider the "
        "provision of the relevant service by a body that two or more specified "
        "employees of that authority propose to establish.",
    ),
    Ground.FRIVOLOUS_OR_VEXATIOUS: (9, "The expression of interest is frivolous or vexatious."),
    Ground.BREACH_OF_LAW: (
        10,
        "Acceptance of the expression of interest is likely to lead to contravention of an "
        "enactment or other rule of law or a breach of statutory duty.",
    ),
}


@dataclass(frozen=True)
class Periods:
    """What the council states and publishes for a service (or a window): the most days it takes to decide and
    notify, and the fewest and most days between an acceptance and the start of the procurement exercise."""

    decide_within: int
    procure_after: int
    procure_within: int
    counted_in: str = Counting.CALENDAR  # a Counting code

    def after(self, start: date, days: int) -> date:
        """The day `days` of this period's days after `start` (start itself not counted)."""
        if self.counted_in == Counting.WORKING:
            return add_working_days(start, days)
        return start + timedelta(days=days)


@dataclass(frozen=True)
class Window:
    """A period in which the council will consider expressions of interest for a service, from the first UK day
    to the last, both included; its own periods, or the service's when it states none."""

    opens: date
    closes: date
    periods: Periods | None = None


@dataclass(frozen=True)
class ServiceTerms:
    """A service's entry in the council's register: what it is, whom it serves, how it is delivered, and whether
    the right to challenge applies to it."""

    name: str
    description: str
    department: str
    priority: str  # a CouncilPriority code
    delivery: str  # a Delivery code
    annual_budget: Decimal
    periods: Periods
    area: Sequence[Location] = ()  # none: countywide
    delivered_by: str = ""  # the contract's id or the programme's code
    excluded: bool = False
    exclusion_ground: str = ""  # why the right does not apply (Schedule 2 of SI 2012/1313)


@dataclass(frozen=True)
class ServiceChange:
    """Some of a service's entry, changed: a field left None stays as it is."""

    name: str | None = None
    description: str | None = None
    department: str | None = None
    priority: str | None = None
    delivery: str | None = None
    annual_budget: Decimal | None = None
    periods: Periods | None = None
    area: Sequence[Location] | None = None
    delivered_by: str | None = None
    excluded: bool | None = None
    exclusion_ground: str | None = None


@dataclass(frozen=True)
class Partner:
    """A member of the body's consortium, or a sub-contractor it names (Schedule 1, paragraph 1)."""

    role: str  # a PartnerRole code
    name: str
    identifier: str = ""  # its org-id, when it has one


@dataclass(frozen=True)
class Member:
    """One of the employees who make a staff group: personal data, never published."""

    name: str
    job_title: str


@dataclass(frozen=True)
class Interest:
    """An expression of interest, as Schedule 1 of SI 2012/1313 asks for it."""

    service_id: str
    body_kind: str  # a BodyKind code
    financial_resources: str
    capability_evidence: str  # that by the time of any procurement it will be capable of providing the service
    outcomes: Sequence[str]
    well_being: str  # how it would promote or improve the area's social, economic or environmental well-being
    users_needs: str  # how it would meet the needs of the service's users
    area: Sequence[Location] = ()  # the part of the service's area it would serve (none: all of it)
    partners: Sequence[Partner] = ()
    group_name: str = ""  # a staff group's name
    members: Sequence[Member] = field(default_factory=tuple)  # a staff group's employees, two or more
    staff_engagement: str = ""  # a staff group: how it will engage the other staff affected


@dataclass(frozen=True)
class Rejection:
    """A rejection: on one or more statutory grounds, with reasons."""

    grounds: Sequence[str]  # Ground codes
    reason: str


@dataclass(frozen=True)
class Body:
    """The organisation expressing the interest, as the register has it when it does."""

    identifier: str
    name: str
    legal_form: str
    active: bool
