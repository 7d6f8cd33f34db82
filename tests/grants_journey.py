"""A grant programme's journey over HTTP, step by step, for the tests that follow it (budget figures, open data,
the decision log, records as they stood): what each step sends, as the API's users send it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from litestar.testing import TestClient

from domain.base import Role
from marketplace.clock import FixedClock
from tests.conftest import COUNCIL, bearer, registration
from tests.journeys import ok

OFFICER = bearer(Role.COMMISSIONER, COUNCIL, "cathy")
ASSESSORS = {"asha": bearer(Role.COMMISSIONER, COUNCIL, "asha"), "ben": bearer(Role.COMMISSIONER, COUNCIL, "ben")}

# identifier: (name, legal form, size, VCSE, postcode)
APPLICANTS = {
    "GB-CHC-1234567": ("Ludlow Befrienders", "charitable-trust", "small", True, "SY8 1BB"),
    "GB-CHC-7654321": ("Oswestry Food Share", "charitable-incorporated-organisation", "micro", True, "SY11 1AA"),
    "GB-COH-12345678": ("Severn Community Interest", "community-interest-company", "small", True, "SY3 8HQ"),
    "GB-COH-87654321": ("Big Care Holdings", "company", "large", False, "TF1 1AA"),  # not VCSE: ineligible
}
LUDLOW, OSWESTRY, SEVERN, BIG = APPLICANTS


def applicant(identifier: str) -> dict[str, str]:
    return bearer(Role.PROVIDER, identifier, f"lead-at-{identifier}")


def programme_body(clock: FixedClock, **changes: Any) -> dict[str, Any]:
    now = clock.now()
    body = {
        "code": "CRF-2026",
        "title": "Community Resilience Fund",
        "description": "Small grants for community groups that help people stay independent.",
        "priority": "sustainable-places-and-communities",
        "budget": "50000",
        "opens": now.isoformat(),
        "closes": (now + timedelta(days=28)).isoformat(),
        "minimum_award": "1000",
        "maximum_award": "25000",
        "eligibility": {"vcse_only": True, "postcode_areas": ["SY", "TF"]},
        "criteria": [
            {"key": "need", "name": "Evidence of need", "weight": 60, "scale": 5},
            {"key": "delivery", "name": "Delivery", "weight": 40, "scale": 10},
        ],
        "assessors_needed": 2,
        "payment_basis": "in-arrears",
    }
    return {**body, **changes}


def proposal_body(amount: str, **changes: Any) -> dict[str, Any]:
    body = {
        "project_title": "Winter warmth visits",
        "summary": "Volunteers visit isolated older people through the winter.",
        "amount_requested": amount,
        "planned_start": "2026-06-01",
        "planned_end": "2027-05-31",
        "locations": [
            {"kind": "postcode-district", "code": "SY8", "name": "Ludlow"},
            {"kind": "parish", "code": "E04011234", "name": "Ludford"},
        ],
        "outcomes": ["200 visits", "50 people less isolated"],
        "budget": [{"item": "Volunteer expenses", "amount": amount}],
    }
    return {**body, **changes}


def offer_body(amount: str, today: date, **changes: Any) -> dict[str, Any]:
    first = str(int(amount) // 2)
    body = {
        "reason": "Strong evidence of need; deliverable plan.",
        "amount": amount,
        "conditions": [{"key": "safeguarding", "text": "A safeguarding policy approved by the trustees"}],
        "schedule": [
            {
                "key": "first",
                "amount": first,
                "trigger": "date",
                "due": str(today + timedelta(days=30)),
                "conditions": ["safeguarding"],
            },
            {
                "key": "second",
                "amount": str(int(amount) - int(first)),
                "trigger": "date",
                "due": str(today + timedelta(days=180)),
            },
        ],
        "expires": str(today + timedelta(days=14)),
    }
    return {**body, **changes}


@dataclass
class GrantsJourney:
    client: TestClient[Any]
    clock: FixedClock
    programme: str = ""
    applications: dict[str, str] = field(default_factory=dict)

    def figures(self) -> tuple[str, str, str, str]:
        """The programme's budget, committed, disbursed and remaining, as the public sees them."""
        shown = ok(self.client.get(f"/grant-programmes/{self.programme}"))
        return shown["budget"], shown["committed"], shown["disbursed"], shown["remaining"]

    def register_applicants(self) -> None:
        for identifier, (name, legal_form, size, vcse, postcode) in APPLICANTS.items():
            address = {"line1": "1 High Street", "town": "Shrewsbury", "postcode": postcode}
            body = registration(identifier, name=name, legal_form=legal_form, size=size, vcse=vcse, address=address)
            ok(self.client.post("/organisations", json=body, headers=OFFICER), 201)

    def publish(self, **changes: Any) -> None:
        made = ok(
            self.client.post("/grant-programmes", json=programme_body(self.clock, **changes), headers=OFFICER), 201
        )
        self.programme = made["id"]
        reason = {"reason": "Approved by cabinet on 1 March."}
        ok(self.client.post(f"/grant-programmes/{self.programme}/publish", json=reason, headers=OFFICER))

    def apply(self, identifier: str, amount: str) -> Any:
        path = f"/grant-programmes/{self.programme}/applications"
        return self.client.post(path, json=proposal_body(amount), headers=applicant(identifier))

    def path(self, identifier: str) -> str:
        return f"/grant-applications/{self.applications[identifier]}"

    def applied_and_submitted(self, identifier: str, amount: str) -> None:
        self.applications[identifier] = ok(self.apply(identifier, amount), 201)["id"]
        ok(self.client.post(f"{self.path(identifier)}/submit", headers=applicant(identifier)))

    def assess(self, identifier: str, scores: tuple[int, int]) -> None:
        """Both assessors assigned, declared free of conflict, scored; then moderation."""
        path = self.path(identifier)
        for subject, token in ASSESSORS.items():
            ok(self.client.post(f"{path}/assessors", json={"assessor": subject}, headers=OFFICER))
            declaration = {"conflict": False, "statement": "I have no interest in this applicant."}
            ok(self.client.post(f"{path}/declarations", json=declaration, headers=token))
        for criterion, score in zip(("need", "delivery"), scores, strict=True):
            for token in ASSESSORS.values():
                body = {"criterion": criterion, "score": score, "justification": "Evidence given in section 2."}
                ok(self.client.post(f"{path}/scores", json=body, headers=token))
            agreed = {"criterion": criterion, "score": score, "note": "Assessors agreed."}
            ok(self.client.post(f"{path}/moderation", json=agreed, headers=OFFICER))

    def offer(self, identifier: str, amount: str) -> Any:
        today = self.clock.now().date()
        return self.client.post(f"{self.path(identifier)}/offer", json=offer_body(amount, today), headers=OFFICER)

    def grant_path(self, identifier: str) -> str:
        return f"/grants/{ok(self.client.get(self.path(identifier), headers=OFFICER))['grant_id']}"
