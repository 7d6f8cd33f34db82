"""The demo's care micro-enterprises, each at a stage the directory shows: two listed through the real checks (one
of them with its insurance due for renewal, as the chronograph records), one awaiting checks (some evidence
checked, some not), and one whose listing lapsed when its insurance expired, with nobody writing anything but the
clock. Told, like the tenders, as steps on working days before the present (marketplace/demo.py runs them).

Loading is idempotent: a store with the first demo registration is left as it is.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import partial

from domain.base import Actor, Role
from domain.care.micro_enterprise import EvidenceCheck, EvidenceItem, ListingApplication, registration_uuid
from domain.care.registration import Registration
from domain.working_days import uk_date
from marketplace.care.services import Registrations
from marketplace.clock import working_day
from marketplace.commands import CommandRequest
from marketplace.service import Marketplace

COUNCIL = "GB-LAE-SHR"
OFFICER = Actor("demo-commissioner", COUNCIL, Role.COMMISSIONER)
INSURANCE_COVER = Decimal("5000000")
Step = tuple[datetime, Callable[[], object]]


@dataclass(frozen=True)
class Listing:
    """A micro-enterprise's application, the stage it reaches, and when (working days before the present)."""

    organisation: str
    services: tuple[str, ...]
    districts: tuple[str, ...]
    parishes: tuple[str, ...]
    hours: int
    rate: str
    workers: tuple[str, ...]  # their names, one DBS check each
    insurance_expires: int  # calendar days from the present (negative: already expired)
    stage: str  # listed (renewal due and lapsed follow from the insurance's expiry) or awaiting-checks
    applied: int
    decided: int = 0  # checked and approved; for one awaiting checks, its first checks


LISTINGS = (
    Listing(
        "360G-SHR-micro-0015",
        ("sitting-service", "companionship"),
        ("SY12",),
        ("Ellesmere Urban", "Welshampton and Lyneal"),
        30,
        "19.00",
        ("Jan Morris",),
        insurance_expires=-4,
        stage="listed",
        applied=62,
        decided=60,
    ),
    Listing(
        "GB-MPR-31234R",
        ("shopping-and-errands", "meal-preparation", "social-activities"),
        ("SY7",),
        ("Clun", "Newcastle on Clun"),
        40,
        "18.00",
        ("Rhian Lloyd", "Tom Bright"),
        insurance_expires=18,
        stage="listed",
        applied=40,
        decided=37,
    ),
    Listing(
        "360G-SHR-micro-0007",
        ("personal-care", "companionship", "shopping-and-errands"),
        ("SY9", "SY7"),
        ("Bishop's Castle", "Lydbury North"),
        35,
        "21.50",
        ("Mo Evans",),
        insurance_expires=250,
        stage="listed",
        applied=30,
        decided=28,
    ),
    Listing(
        "360G-SHR-micro-0011",
        ("personal-care", "domestic-help", "respite"),
        ("SY6",),
        ("Church Stretton", "All Stretton"),
        60,
        "23.00",
        ("Kit Hughes", "Sam Price"),
        insurance_expires=300,
        stage="awaiting-checks",
        applied=6,
        decided=2,
    ),
)


def _as(actor: Actor) -> CommandRequest:
    return CommandRequest(actor, correlation_id="demo")


def _applicant(organisation: str) -> Actor:
    return Actor(f"demo-owner-{organisation.lower()}", organisation, Role.PROVIDER)


def _evidence(listing: Listing, today: date, present: date) -> list[EvidenceItem]:
    """Every piece the policy asks for: a DBS check per worker, insurance, training and two references."""
    expires = present + timedelta(days=listing.insurance_expires)
    issued = min(expires - timedelta(days=365), today)
    return [
        *(
            EvidenceItem("dbs-check", name, today - timedelta(days=200 + 40 * n), reference=f"00123456789{n}")
            for n, name in enumerate(listing.workers)
        ),
        EvidenceItem("public-liability-insurance", "Marches Mutual", issued, expires, INSURANCE_COVER, "PL-7731"),
        EvidenceItem("training-certificate", "Care Certificate", today - timedelta(days=300), today + timedelta(1000)),
        EvidenceItem("reference", "Dr A Jones, GP", today - timedelta(days=20)),
        EvidenceItem("reference", "The parish council clerk", today - timedelta(days=18)),
    ]


class Applicant:
    """Tells one listing's story on the registrations service."""

    def __init__(self, market: Marketplace, present: datetime, listing: Listing) -> None:
        self.market, self.present, self.listing = market, present, listing
        self.registrations = market.service(Registrations)
        self.id = registration_uuid(listing.organisation)

    def steps(self) -> list[Step]:
        listing, at = self.listing, partial(working_day, self.present)
        steps: list[Step] = [(at(listing.applied, 10), self.apply), (at(listing.applied - 1, 15), self.add_evidence)]
        if listing.stage == "listed":
            steps.append((at(listing.decided, 11), self.check_and_approve))
        else:
            steps.append((at(listing.decided, 11), partial(self.check, 2)))
        return steps

    def apply(self) -> None:
        listing = self.listing
        application = ListingApplication(
            organisation=listing.organisation,
            services=list(listing.services),
            districts=list(listing.districts),
            parishes=list(listing.parishes),
            weekly_capacity_hours=listing.hours,
            hourly_rate=Decimal(listing.rate),
            workers=len(listing.workers),
            cqc_regulated=False,
        )
        self.registrations.apply_for_listing(_as(_applicant(listing.organisation)), application)

    def add_evidence(self) -> None:
        today, present = uk_date(self.market.clock.now()), uk_date(self.present)
        for item in _evidence(self.listing, today, present):
            self.registrations.add_evidence(_as(_applicant(self.listing.organisation)), self.id, item)

    def check(self, how_many: int | None = None) -> None:
        """The officer checks each piece against the original, in the order it came (`how_many` of them)."""
        registration = self.market.commands.load(Registration, self.id)
        pending = [e for e in registration.latest().values() if e.evidence_id not in registration.checks]
        for evidence in pending[:how_many]:
            result = EvidenceCheck(evidence.evidence_id, True, f"Seen the original {evidence.kind.replace('-', ' ')}.")
            self.registrations.record_check(_as(OFFICER), self.id, result)

    def check_and_approve(self) -> None:
        self.check()
        self.registrations.approve(_as(OFFICER), self.id, "Every check passed: listed in the directory.")


def care_steps(market: Marketplace, present: datetime) -> list[Step]:
    """Every listing's steps (none when the demo's registrations are there already)."""
    if market.commands.exists(registration_uuid(LISTINGS[0].organisation)):
        return []
    return [step for listing in LISTINGS for step in Applicant(market, present, listing).steps()]
