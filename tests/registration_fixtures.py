"""Builders for the care micro-enterprise tests: a micro organisation, a complete set of evidence, a listing.

Pure domain: no database. Every builder takes the moment it acts at, so a test states the clock it relies on.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from itertools import count
from typing import Any

from domain.base import Actor, Context, Role
from domain.care.micro_enterprise import EvidenceCheck, EvidenceItem, ListingApplication, MicroEnterprisePolicy
from domain.care.registration import Registration
from domain.organisations.organisation import Organisation, OrganisationDetails
from domain.values import Address, Contact
from domain.working_days import UK

COUNCIL = "GB-LAE-SHR"
MICRO = "GB-COH-12345678"
POLICY = MicroEnterprisePolicy()
APPLIED_AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
INSURANCE_EXPIRES = date(2026, 6, 30)  # the earliest expiry of the complete evidence below
RENEWAL_DUE_AT = datetime(2026, 5, 31, 9, 0, tzinfo=UTC)  # 30 days before
LAPSED_AT = datetime(2026, 6, 30, 0, 0, tzinfo=UK)  # the expiry day begins in London (23:00 UTC)

_requests = count(1)


def as_(subject: str, organisation: str, role: Role, now: datetime) -> Context:
    return Context(Actor(subject, organisation, role), now, f"req-{next(_requests)}")


def officer(now: datetime = APPLIED_AT) -> Context:
    return as_("cathy", COUNCIL, Role.COMMISSIONER, now)


def provider(now: datetime = APPLIED_AT, organisation: str = MICRO) -> Context:
    return as_("mo", organisation, Role.PROVIDER, now)


def organisation_details(size: str = "micro", identifier: str = MICRO) -> OrganisationDetails:
    return OrganisationDetails(
        identifier=identifier,
        name="Clun Valley Carers",
        legal_form="community-interest-company",
        size=size,
        vcse=True,
        address=Address("2 High Street", "Clun", "SY7 8JA"),
        contact=Contact("Mo", "mo@example.org"),
    )


def micro_organisation(size: str = "micro", identifier: str = MICRO) -> Organisation:
    return Organisation.register(officer(), organisation_details(size, identifier))


APPLICATION = ListingApplication(
    organisation=MICRO,
    services=["personal-care", "companionship"],
    districts=["SY7"],
    parishes=["Clun"],
    weekly_capacity_hours=60,
    hourly_rate=Decimal("22.50"),
    workers=2,
    cqc_regulated=False,
)


def application(**overrides: Any) -> ListingApplication:
    return replace(APPLICATION, **overrides)


def applied(organisation: Organisation | None = None, **overrides: Any) -> Registration:
    return Registration.submit_application(
        provider(), POLICY, organisation or micro_organisation(), application(**overrides)
    )


COMPLETE_EVIDENCE = [
    EvidenceItem("dbs-check", "Mo Evans", date(2025, 1, 10), reference="001234567890"),
    EvidenceItem("dbs-check", "Sam Price", date(2025, 9, 1), reference="001234567891"),
    EvidenceItem(
        "public-liability-insurance", "Mutual Insurers", date(2025, 7, 1), INSURANCE_EXPIRES, Decimal("5000000"), "PL-1"
    ),
    EvidenceItem("training-certificate", "Care Certificate", date(2025, 2, 1), date(2028, 2, 1)),
    EvidenceItem("reference", "Dr A Jones", date(2026, 2, 1)),
    EvidenceItem("reference", "Clun Parish Council", date(2026, 2, 3)),
]


def with_evidence(registration: Registration, now: datetime = APPLIED_AT) -> Registration:
    for item in COMPLETE_EVIDENCE:
        registration.add_evidence(provider(now), POLICY, item)
    return registration


def checked(evidence_id: str, passed: bool = True, note: str = "Seen the original") -> EvidenceCheck:
    return EvidenceCheck(evidence_id, passed, note)


def all_checked(registration: Registration, passed: bool = True, now: datetime = APPLIED_AT) -> Registration:
    for evidence_id in [item.evidence_id for item in registration.latest().values()]:
        if evidence_id not in registration.checks:
            registration.record_check(officer(now), POLICY, checked(evidence_id, passed))
    return registration


def listed(**overrides: Any) -> Registration:
    registration = all_checked(with_evidence(applied(**overrides)))
    registration.approve(officer(), POLICY, "All checks passed")
    return registration


def renew_insurance(registration: Registration, now: datetime, expires: date = date(2027, 6, 30)) -> str:
    renewal = replace(COMPLETE_EVIDENCE[2], name="Mutual", issued=now.date(), expires=expires, reference="")
    return registration.add_evidence(provider(now), POLICY, renewal).evidence_id
