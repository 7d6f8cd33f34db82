"""The grants' records for the authorisation table (tests/authorisation_records.py builds the rest): a programme and
its applications at each stage, a grant with its first instalment paid and part of it clawed back (the recovery to
record received), and the notices the council publishes about its payments and contracts.

The recovery is raised by rhea, and the grant's instalment validated and paid by rhea and approved by ed, so that
cathy and ada, the table's officers, are neither raiser nor approver: four eyes refuses neither of them. The notices
are approved by named officers, so cathy and ada are entered in the council's people register first."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from litestar.testing import TestClient

from domain.base import Role
from marketplace.clock import FixedClock
from tests.authorisation_targets import ADMIN, REASON, Route, Target, steps
from tests.conftest import COUNCIL, bearer
from tests.grants_journey import LUDLOW, OSWESTRY, GrantsJourney, applicant, offer_body, programme_body, proposal_body
from tests.grants_journey import SEVERN as COMMUNITY_INTEREST
from tests.journeys import NATIONAL, OFFICER, RURAL, ok
from tests.people_fixtures import officer_body

RAISER = bearer(Role.COMMISSIONER, COUNCIL, "rhea")
APPROVER = bearer(Role.COMMISSIONER, COUNCIL, "ed")


def grants(client: TestClient[Any], clock: FixedClock) -> dict[Route, Target]:
    """A published programme: Ludlow's application assessed (to decide), Oswestry's offered (to answer), the
    community interest company's a grant (to manage), Rural's a draft; and a second programme, still a draft."""
    journey = GrantsJourney(client, clock)
    journey.register_applicants()
    journey.publish()
    for identifier in (LUDLOW, OSWESTRY, COMMUNITY_INTEREST):
        journey.applied_and_submitted(identifier, "10000")
        journey.assess(identifier, (4, 8))
    for identifier in (OSWESTRY, COMMUNITY_INTEREST):
        ok(journey.offer(identifier, "10000"))
    ok(client.post(f"{journey.path(COMMUNITY_INTEREST)}/accept", headers=applicant(COMMUNITY_INTEREST)))
    grant = journey.grant_path(COMMUNITY_INTEREST)
    recovery = clawed_back(client, grant, clock.now().date().isoformat())
    draft = f"/grant-applications/{ok(journey.apply(RURAL, '5000'), 201)['id']}"
    programme = f"/grant-programmes/{journey.programme}"
    second = programme_body(clock, code="CRF-2027")
    unpublished = f"/grant-programmes/{ok(client.post('/grant-programmes', json=second, headers=OFFICER), 201)['id']}"
    assessed, offered = journey.path(LUDLOW), journey.path(OSWESTRY)
    today = clock.now().date()
    scored = {"criterion": "need", "score": 4}
    route = "/grant-applications/{application:str}"
    return {
        ("POST", "/grant-programmes"): Target("/grant-programmes", programme_body(clock, code="CRF-2028")),
        ("POST", "/grant-programmes/{programme:str}/applications"): Target(
            f"{programme}/applications", proposal_body("5000")
        ),
        **steps(
            "/grant-programmes/{programme:str}",
            unpublished,
            {
                "budget": {**REASON, "budget": "60000"},
                "close": REASON,
                "extend": {**REASON, "closes": (clock.now() + timedelta(days=40)).isoformat()},
                "publish": REASON,
            },
        ),
        **steps(route, draft, {"draft": {"project_title": "Warmth"}, "submit": None, "withdraw": None}),
        **steps(
            route,
            assessed,
            {
                "assessors": {"assessor": "asha"},
                "changes": REASON,
                "declarations": {"conflict": False, "statement": "No interest in this applicant."},
                "decline": {**REASON, "feedback": "Show more evidence of local need."},
                "moderation": {**scored, "note": "Assessors agreed."},
                "offer": offer_body("10000", today),
                "scores": {**scored, "justification": "Evidence given in section 2."},
            },
            LUDLOW,
        ),
        **steps(route, offered, {"accept": None, "decline-offer": REASON}, OSWESTRY),
        **steps("/grants/{grant:str}", grant, grant_bodies(today.isoformat()), COMMUNITY_INTEREST),
        ("POST", "/invoices/{invoice:str}/recover"): Target(
            f"/invoices/{recovery}/recover", {"amount": "100", "received_on": today.isoformat()}, COMMUNITY_INTEREST
        ),
    }


def clawed_back(client: TestClient[Any], grant: str, today: str) -> str:
    """The grant's first instalment paid through its payment record, then £100 of it clawed back: the recovery's id."""
    evidence = {**REASON, "condition": "safeguarding", "evidence": "Policy adopted 1 July."}
    ok(client.post(f"{grant}/conditions", json=evidence, headers=RAISER))
    claim = ok(client.post(f"{grant}/claims", json={"instalment": "first"}, headers=RAISER), 201)
    ok(client.post(f"/invoices/{claim['id']}/validate", json=REASON, headers=RAISER))
    ok(client.post(f"/invoices/{claim['id']}/approve", json=REASON, headers=APPROVER))
    paid = {"amount": claim["gross"], "paid_on": today}
    ok(client.post(f"/invoices/{claim['id']}/pay", json=paid, headers=RAISER))
    ok(client.post(f"{grant}/clawback", json={**REASON, "amount": "100"}, headers=RAISER))
    recoveries = ok(client.get(f"{grant}/recoveries", headers=RAISER))["items"]
    return str(recoveries[0]["id"])


def grant_bodies(today: str) -> dict[str, Any]:
    """What each step of managing a grant is sent: the grant is £10,000 in two instalments, the first on a
    condition."""
    period = {"period": "2026-Q3"}
    return {
        "clawback": {**REASON, "amount": "100"},
        "close": {**REASON, "actual_start": "2026-07-01", "actual_end": today},
        "conditions": {**REASON, "condition": "safeguarding", "evidence": "Policy adopted 1 July."},
        "claims": {"instalment": "first"},
        "returns": {**period, "spend": "100", "progress": "Twenty visits made; volunteers trained."},
        "returns/review": {**REASON, **period, "accepted": True},
        "underspend": {"amount": "100", "explanation": "Volunteer expenses lower than planned."},
        "underspend/return": {**REASON, "repaid": "0"},
        "variations": {**REASON, "amount": "9000"},
    }


def notices(client: TestClient[Any], targets: dict[Route, Target]) -> dict[Route, Target]:
    """The council's payment notices for the first half of 2026 and its second quarter (both ended), and notices on
    the contracts: the north one's performance and a change to it, the south one's termination."""
    for subject in ("cathy", "ada"):
        ok(client.post("/people", json=officer_body(subject), headers=ADMIN), 201)
    north = targets[("POST", "/contracts/{contract:str}/vary")].path.removesuffix("/vary").removeprefix("/contracts/")
    south = targets[("POST", "/contracts/{contract:str}/terminate")].path
    south = south.removesuffix("/terminate").removeprefix("/contracts/")
    change = {"description": "Twenty more hours a week", "value": "450000"}
    ended = {"terminated_for": "contract-provision"}
    return {
        **steps(
            "/notices",
            "/notices",
            {
                "payments-compliance": {**REASON, "day": "2026-03-01"},
                "payments-over-30000": {**REASON, "day": "2026-05-01"},
                "contract-performance": {**REASON, "contract_id": north},
                "contract-change": {**REASON, "contract_id": north, **change},
            },
        ),
        ("POST", "/notices/contract-termination"): Target(
            "/notices/contract-termination", {**REASON, "contract_id": south, **ended}, NATIONAL
        ),
    }
