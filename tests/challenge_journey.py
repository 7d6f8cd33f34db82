"""The Community Right to Challenge over HTTP, step by step, for the tests that follow it: what each step sends,
as the council's officers and the bodies that challenge send it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from litestar.testing import TestClient

from domain.base import Role
from marketplace.clock import FixedClock
from tests.challenge_fixtures import BODIES, PARISH, STAFF
from tests.conftest import COUNCIL, bearer, registration
from tests.journeys import OFFICER, ok, tender_terms

AUDITOR = bearer(Role.AUDITOR, COUNCIL, "audrey")
NEIGHBOUR = bearer(Role.COMMISSIONER, "GB-LAE-TFW", "tom")  # an officer of another council
MEMBERS = ("Jo Reader", "Sam Shelf")  # a staff group's employees: personal data, never published
EOI = "/expressions-of-interest"


def body(identifier: str) -> dict[str, str]:
    """The bearer token of someone acting for a body (a staff group's members sign in under its identifier)."""
    return bearer(Role.PROVIDER, identifier, f"lead-at-{identifier}")


def service_body(**changes: Any) -> dict[str, Any]:
    made = {
        "name": "Library outreach",
        "description": "Mobile library visits to rural villages and housebound readers.",
        "department": "Culture and leisure",
        "priority": "embrace-our-rurality",
        "delivery": "in-house",
        "annual_budget": "240000",
        "periods": {"decide_within": 30, "procure_after": 14, "procure_within": 90},
        "area": [{"kind": "postcode-district", "code": "SY7", "name": "Clun"}],
    }
    return {**made, **changes}


def interest_body(service: str, **changes: Any) -> dict[str, Any]:
    made = {
        "service_id": service,
        "body_kind": "organisation",
        "financial_resources": "Reserves of £120,000 and a bank facility of £50,000.",
        "capability_evidence": "We run the community library at Clun and employ two qualified librarians.",
        "outcomes": ["Weekly visits to every village", "Home delivery for 300 readers"],
        "well_being": "Volunteers from each village drive and host the visits, keeping the spend local.",
        "users_needs": "Readers choose their stops through a village panel.",
        "partners": [
            {"role": "sub-contractor", "name": "Marches Mobile Vehicles Ltd", "identifier": "GB-COH-11111111"}
        ],
    }
    return {**made, **changes}


def staff_interest_body(service: str, **changes: Any) -> dict[str, Any]:
    return interest_body(
        service,
        body_kind="staff-group",
        group_name="Library outreach staff mutual",
        members=[{"name": MEMBERS[0], "job_title": "Outreach librarian"}, {"name": MEMBERS[1], "job_title": "Driver"}],
        staff_engagement="Monthly open meetings and a ballot of every outreach employee before we go further.",
        partners=[],
        **changes,
    )


def refused(response: Any, status: int, rule: str, field: str | None = None) -> dict[str, Any]:
    """A refusal as problem+json, naming its rule and (when given) the field at fault."""
    assert response.status_code == status, response.text
    problem: dict[str, Any] = response.json()
    assert problem["type"] == f"urn:marketplace:problem:{rule}", problem
    if field is not None:
        assert field in [error["field"] for error in problem["errors"]], problem
    return problem


@dataclass
class ChallengeJourney:
    client: TestClient[Any]
    clock: FixedClock

    def register_bodies(self) -> None:
        for identifier, (name, legal_form, size, vcse, postcode) in BODIES.items():
            address = {"line1": "1 High Street", "town": "Clun", "postcode": postcode}
            made = registration(identifier, name=name, legal_form=legal_form, size=size, vcse=vcse, address=address)
            ok(self.client.post("/organisations", json=made, headers=OFFICER), 201)

    def register_service(self, **changes: Any) -> str:
        made = ok(self.client.post("/services", json=service_body(**changes), headers=OFFICER), 201)
        return str(made["id"])

    def publish_window(self, service: str, opens_in: int = 0, lasts: int = 30, **more: Any) -> dict[str, Any]:
        opens = self.clock.now().date() + timedelta(days=opens_in)
        window = {
            "reason": "Cabinet agreed the window.",
            "opens": str(opens),
            "closes": str(opens + timedelta(days=lasts)),
        }
        shown: dict[str, Any] = ok(
            self.client.post(f"/services/{service}/windows", json={**window, **more}, headers=OFFICER), 201
        )
        return shown

    def submit(self, identifier: str, service: str, **changes: Any) -> Any:
        made = staff_interest_body(service) if identifier == STAFF else interest_body(service, **changes)
        return self.client.post(EOI, json=made, headers=body(identifier))

    def submitted(self, identifier: str, service: str) -> str:
        return str(ok(self.submit(identifier, service), 201)["id"])

    def acknowledged(self, identifier: str, service: str) -> str:
        expression = self.submitted(identifier, service)
        ok(self.client.post(f"{EOI}/{expression}/acknowledge", headers=OFFICER))
        return expression

    def accepted_with_modification(self, service: str, identifier: str = PARISH) -> str:
        """Acknowledged; a modification proposed and agreed; accepted as modified."""
        expression = self.acknowledged(identifier, service)
        proposal = {"reason": "Visits must reach Newcastle-on-Clun.", "modification": "Add a stop at Newcastle."}
        ok(self.client.post(f"{EOI}/{expression}/propose-modification", json=proposal, headers=OFFICER))
        ok(self.client.post(f"{EOI}/{expression}/agree-modification", headers=body(identifier)))
        decision = {"reason": "A local body able to run the service, as modified."}
        accepted = ok(self.client.post(f"{EOI}/{expression}/accept", json=decision, headers=OFFICER))
        assert accepted["outcome"] == "accepted-with-modification", accepted
        return expression

    def reject(self, expression: str, *grounds: str, reason: str = "The finances are not evidenced.") -> Any:
        rejection = {"reason": reason, "grounds": list(grounds)}
        return self.client.post(f"{EOI}/{expression}/reject", json=rejection, headers=OFFICER)

    def draft_tender(self, service: str) -> str:
        """A tender naming the service, its conflicts assessed: ready to publish (its path)."""
        terms = {**tender_terms(self.clock), "service_id": service}
        path = f"/tenders/{ok(self.client.post('/tenders', json=terms, headers=OFFICER), 201)['id']}"
        conflicts = {"conflicts_found": False, "reason": "Panel declared no interests in bidders"}
        ok(self.client.post(f"{path}/conflicts-assessment", json=conflicts, headers=OFFICER))
        return path

    def publish_tender(self, path: str) -> Any:
        """Publishing it starts the procurement exercise every challenge accepted for the service waits for."""
        return self.client.post(f"{path}/publish", json={"reason": "Approved by the board"}, headers=OFFICER)
