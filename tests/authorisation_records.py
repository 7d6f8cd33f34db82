"""One marketplace holding one record of every kind a write route acts on, and for each write route where to send
it: the path with real ids in it, a body that passes request decoding, and the organisation whose record it is.

tests/test_authorisation_table.py sends every write route there as each kind of caller. Building the journeys that
make the records is the slow part, so it is done once per module and database: the table sends its refusals first
(they write nothing) and the requests that may change something last, so each refusal meets the records as built.

Whose record it is: a target's `owner` is its provider side (the bidder, the supplier, the applicant or recipient,
the body expressing an interest, the registrant, the organisation itself); Rural Befrienders, a micro VCSE
charitable trust in Ludlow, wherever one organisation can be all of them. Every record's council side is
Shropshire Council, whose commissioner is cathy and whose admin is ada. The council's scheme of delegation gives
both no limit on the valued decisions (award, vary, offer a grant) but for two entries: bernie, a commissioner,
decides up to £1,000 and is refused beyond it; ada's awards beyond £1,000 are held for approval, and one is held
(the south lot), for the held-decision routes to act on."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient

from api.app import create_app
from marketplace.clock import FixedClock
from marketplace.notifications.mail import MailSettings
from marketplace.scheduler import tick
from marketplace.service import Marketplace
from marketplace.settings import Settings
from tests.authorisation_grants import grants, notices
from tests.authorisation_targets import ADMIN, REASON, Route, Target, steps
from tests.challenge_journey import EOI, ChallengeJourney, interest_body, service_body
from tests.conftest import POSTGRES_URL, SECRET, registration, reset_postgres
from tests.journeys import NATIONAL, OFFICER, PROVIDERS, RURAL, evaluate, offer, ok, provider, publish_tender
from tests.journeys import tender_terms as tender_body
from tests.journeys import tendering_journey as contracted
from tests.people_fixtures import officer_body
from tests.test_api_registrations import APPLICATION, EVIDENCE
from tests.test_payments_journey import invoice, on

LIMITED = "bernie"  # a commissioner of the council whose limit is below every valued decision here
LIMIT = "1000"
CLOSING = "GB-CHC-5550001"  # an organisation that deactivates itself: its own record, so nothing else hangs on it


@dataclass(frozen=True)
class Records:
    client: TestClient[Any]
    market: Marketplace
    targets: dict[Route, Target]


DATABASES = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]  # as the conftest's `database_url`


@contextmanager
def marketplace_records(database: str, var: Path) -> Iterator[Records]:
    """The marketplace, built on SQLite (a file in `var`, a pytest tmp path) or on PostgreSQL as the conftest's
    `market` fixture is, with its settings (no write limit, no chronograph) and its clock; served to a client."""
    if database == "sqlite":
        url = f"sqlite:///{var / 'marketplace.db'}"
    elif not POSTGRES_URL:
        pytest.skip("MARKETPLACE_TEST_POSTGRES_URL is not set")
    else:
        reset_postgres(POSTGRES_URL)
        url = POSTGRES_URL
    clock = FixedClock(datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc))
    quiet = MailSettings(post_seconds=0)  # no postman in the background: its reads are no route's
    settings = Settings(database_url=url, jwt_secret=SECRET, var_dir=var, tick_seconds=0, write_rate=0, mail=quiet)
    market = Marketplace(settings, clock)
    try:
        with TestClient(create_app(market)) as client:
            yield Records(client, market, built(client, market, clock))
    finally:
        market.close()


def built(client: TestClient[Any], market: Marketplace, clock: FixedClock) -> dict[Route, Target]:
    """Every record, in the order the clock allows: the scheme of delegation, tenders and contracts (their deadlines
    and standstill pass), then on 1 July 2026 June's invoice, a tender still open, grants, the challenge, the
    organisations and their people, a care registration, and the notices the council publishes."""
    targets = authority(client)
    targets |= tendering(client, market, clock)
    on(clock, "2026-07-01")
    targets |= payments(client, targets) | open_tenders(client, clock) | grants(client, clock)
    targets |= challenge(client, clock) | organisations(client) | people(client) | care(client)
    return targets | notices(client, targets)


def delegate(client: TestClient[Any], decision: str, subject: str, up_to: str | None = None, held: bool = False) -> str:
    """An entry of the council's scheme naming one officer (no `up_to`: no limit); its id."""
    body = {"decision": decision, "holders": {"subjects": [subject]}, "source": "Scheme of delegation, part 4"}
    body |= {"up_to": up_to} if up_to else {}
    body |= {"beyond_limit": "held-for-approval"} if held else {}
    return str(ok(client.post("/delegations", json=body, headers=ADMIN), 201)["id"])


def authority(client: TestClient[Any]) -> dict[Route, Target]:
    """The council's scheme (see the module's docstring), and an entry nothing relies on, to be revoked."""
    for decision in ("award-contract", "vary-contract", "offer-grant"):
        delegate(client, decision, "cathy")
        delegate(client, decision, LIMITED, LIMIT)
    delegate(client, "award-contract", "ada", LIMIT, held=True)
    delegate(client, "vary-contract", "ada")
    delegate(client, "offer-grant", "ada")
    spare = delegate(client, "award-contract", "rhea")
    entry = {"decision": "award-contract", "holders": {"subjects": ["sid"]}, "source": "Scheme of delegation, 4.3"}
    return {
        ("POST", "/delegations"): Target("/delegations", entry),
        ("POST", "/delegations/{delegation:str}/revoke"): Target(f"/delegations/{spare}/revoke", REASON),
    }


def tendering(client: TestClient[Any], market: Marketplace, clock: FixedClock) -> dict[Route, Target]:
    """The journeys' tender to its two contracts (north: Rural's; south: National's), and a second tender like it,
    bid on, opened, scored and moderated, its lots ready to award (north: Rural's bid of £380,000); ada's award of
    its south lot (£300,000) is held for approval."""
    north, south = contracted(client, market, clock).contracts
    path = f"/tenders/{publish_tender(client, clock)}"
    rural = ok(client.post(f"{path}/bids", json=offer({"north": "380000"}), headers=provider(RURAL)), 201)["id"]
    national = ok(client.post(f"{path}/bids", json=offer({"south": "300000"}), headers=provider(NATIONAL)), 201)["id"]
    clock.advance(days=30, seconds=1)
    tick(market)
    ok(client.post(f"{path}/open-bids", headers=OFFICER))
    evaluate(client, path, {RURAL: rural, NATIONAL: national}, quality={RURAL: 80, NATIONAL: 78})
    south_award = {"lot_id": "south", "bid_id": national, "reason": "Most advantageous"}
    held = f"/decisions/{ok(client.post(f'{path}/award', json=south_award, headers=ADMIN), 202)['id']}"
    scored = {"bid_id": rural, "criterion": "quality", "score": 80}
    ending = {**REASON, "effective": "2026-12-31", "consultation": "Users consulted in September"}
    kpi = {"key": "punctuality", "title": "Visits on time", "measure": "Visits begun on time", "target": "95%"}
    measured = {"period_start": "2026-06-01", "period_end": "2026-06-30", "value": "84%", "evidence": "Register"}
    outcome = {"code": "employment", "description": "A job held 3 months", "price": "800", "evidence": "Payslips"}
    lines = [{"description": "Transport, June", "net": "50", "vat": "0"}]
    route = "/contracts/{contract:str}"
    return {
        **steps(
            "/tenders/{tender:str}",
            path,
            {
                "award": {"lot_id": "north", "bid_id": rural, "reason": "Most advantageous"},
                "contracts": {"lot_id": "north", "start": "2026-09-01", "end": "2028-08-31"},
                "evaluation/declarations": {"conflict": False, "statement": "No interests in any bidder"},
                "evaluation/evaluators": {"evaluator": "evan"},
                "evaluation/moderation": {**scored, "note": "Evaluators agreed"},
                "evaluation/scores": {**scored, "justification": "Evidence in section 2"},
                "open-bids": None,
            },
        ),
        **steps("/decisions/{held:str}", held, dict.fromkeys(("approve", "decline", "withdraw"), REASON)),
        **steps(
            route,
            f"/contracts/{north}",
            {
                "vary": {"reason": "More hours", "value": "400000"},
                "kpis": {**kpi, "frequency": "monthly", **REASON},
                "outcomes": {**outcome, **REASON},
                "invoices": invoice("N-2", "2026-06-01", "2026-06-30", lines),
            },
        ),
        ("POST", f"{route}/kpis/{{kpi:str}}/measurements"): Target(
            f"/contracts/{north}/kpis/attendance/measurements", {**measured, "rating": "approaching-target", **REASON}
        ),
        **steps(route, f"/contracts/{south}", {"terminate": ending, "decommission": ending}, NATIONAL),
    }


def payments(client: TestClient[Any], targets: dict[Route, Target]) -> dict[Route, Target]:
    """On the north contract: a KPI, an outcome paid by results, and June's invoice from Rural, a month of
    befriending and the outcome claimed twice (line 1)."""
    contract = targets[("POST", "/contracts/{contract:str}/invoices")].path.removesuffix("/invoices")
    kpi = {"key": "attendance", "title": "Sessions attended", "measure": "Sessions attended", "target": "90%"}
    ok(client.post(f"{contract}/kpis", json={**kpi, "frequency": "monthly", **REASON}, headers=OFFICER))
    outcome = {"code": "tenancy", "description": "Tenancy sustained 6 months", "price": "500", "evidence": "Letter"}
    ok(client.post(f"{contract}/outcomes", json={**outcome, **REASON}, headers=OFFICER))
    claimed = {"description": "Tenancies sustained", "net": "1000", "vat": "0", "outcome": "tenancy", "quantity": 2}
    lines: list[dict[str, Any]] = [{"description": "Befriending, June", "net": "10000", "vat": "0"}]
    lines.append({**claimed, "evidence": "L-17"})
    body = invoice("N-1", "2026-06-01", "2026-06-30", lines)
    path = f"/invoices/{ok(client.post(f'{contract}/invoices', json=body, headers=provider(RURAL)), 201)['id']}"
    route = "/invoices/{invoice:str}"
    return {
        **steps(route, path, {"correct": body, "pay": {"amount": "11000", "paid_on": "2026-07-01"}}),
        **steps(route, path, dict.fromkeys(("approve", "dispute", "validate"), REASON)),
        **steps(f"{route}/outcomes/{{line:int}}", f"{path}/outcomes/1", dict.fromkeys(("reject", "verify"), REASON)),
    }


def open_tenders(client: TestClient[Any], clock: FixedClock) -> dict[Route, Target]:
    """A tender open for bids, with Rural's bid and question; a draft; another draft, to be cancelled."""
    path = f"/tenders/{publish_tender(client, clock)}"
    bid = ok(client.post(f"{path}/bids", json=offer({"north": "370000"}), headers=provider(RURAL)), 201)["id"]
    ok(client.post(f"{path}/questions", json={"text": "Is transport included?"}, headers=provider(RURAL)), 201)
    draft, doomed = (
        f"/tenders/{ok(client.post('/tenders', json=tender_body(clock), headers=OFFICER), 201)['id']}" for _ in "ab"
    )
    assessed = {"conflicts_found": False, "reason": "Panel declared no interests in bidders"}
    return {
        ("POST", "/tenders"): Target("/tenders", tender_body(clock)),
        ("PATCH", "/tenders/{tender:str}"): Target(draft, {"title": "Community day opportunities, revised"}),
        ("POST", "/tenders/{tender:str}/conflicts-assessment"): Target(f"{draft}/conflicts-assessment", assessed),
        ("POST", "/tenders/{tender:str}/publish"): Target(f"{draft}/publish", REASON),
        ("POST", "/tenders/{tender:str}/cancel"): Target(f"{doomed}/cancel", REASON),
        ("POST", "/tenders/{tender:str}/amend"): Target(f"{path}/amend", {**REASON, "title": "Day opportunities"}),
        ("POST", "/tenders/{tender:str}/bids"): Target(f"{path}/bids", offer({"north": "360000"})),
        ("POST", "/tenders/{tender:str}/lots/{lot:str}/cancel"): Target(f"{path}/lots/south/cancel", REASON),
        ("POST", "/tenders/{tender:str}/questions"): Target(f"{path}/questions", {"text": "Is parking provided?"}),
        ("POST", "/tenders/{tender:str}/questions/{question:str}/answer"): Target(
            f"{path}/questions/Q1/answer", {"answer": "Yes, within the lot area."}
        ),
        ("PUT", "/bids/{bid:str}"): Target(f"/bids/{bid}", offer({"north": "365000"})),
        ("POST", "/bids/{bid:str}/reconfirm"): Target(f"/bids/{bid}/reconfirm"),
        ("POST", "/bids/{bid:str}/withdraw"): Target(f"/bids/{bid}/withdraw"),
    }


def challenge(client: TestClient[Any], clock: FixedClock) -> dict[Route, Target]:
    """Library outreach in the council's register, its window open, and Rural's expression of interest in it."""
    journey = ChallengeJourney(client, clock)
    service = journey.register_service()
    journey.publish_window(service)
    expression = f"{EOI}/{journey.submitted(RURAL, service)}"
    later = clock.now().date() + timedelta(days=60)
    window = {**REASON, "opens": str(later), "closes": str(later + timedelta(days=30))}
    return {
        ("POST", "/services"): Target("/services", service_body(name="Meals on wheels")),
        ("PATCH", "/services/{service:str}"): Target(f"/services/{service}", {**REASON, "annual_budget": "250000"}),
        ("POST", "/services/{service:str}/windows"): Target(f"/services/{service}/windows", window),
        ("POST", EOI): Target(EOI, interest_body(service)),
        **steps(
            f"{EOI}/{{expression:str}}",
            expression,
            {
                "accept": REASON,
                "acknowledge": None,
                "agree-modification": None,
                "decline-modification": REASON,
                "propose-modification": {**REASON, "modification": "Add a stop at Newcastle-on-Clun."},
                "reject": {**REASON, "grounds": ["inadequate-information"]},
                "withdraw": None,
            },
        ),
    }


def organisations(client: TestClient[Any]) -> dict[Route, Target]:
    """Rural in the register (the journeys registered it), and an organisation that will deactivate itself."""
    closing = registration(CLOSING, name="Closing Down Trust")
    ok(client.post("/organisations", json=closing, headers=provider(CLOSING)), 201)
    rural = f"/organisations/{RURAL}"
    return {
        ("POST", "/organisations"): Target("/organisations", PROVIDERS[RURAL]),
        ("PATCH", "/organisations/{identifier:str}"): Target(rural, {"name": "Rural Befrienders Trust"}),
        ("POST", "/organisations/{identifier:str}/verify"): Target(f"{rural}/verify", REASON),
        ("POST", "/organisations/{identifier:str}/deactivate"): Target(
            f"/organisations/{CLOSING}/deactivate", {"reason": "Wound up"}, CLOSING
        ),
    }


def people(client: TestClient[Any]) -> dict[Route, Target]:
    """Rural's people (its owner, the provider the table signs in as, and bea, a bid-writer); olive, an officer."""
    staff = f"/organisations/{RURAL}/people"
    owner = {"subject": f"bidder-at-{RURAL}", "name": "Rural Owner", "role": "owner"}
    ok(client.post(staff, json=owner, headers=provider(RURAL)), 201)
    writer = {"subject": "bea", "name": "Bea Writer", "role": "bid-writer"}
    ok(client.post(staff, json=writer, headers=provider(RURAL)), 201)
    ok(client.post("/people", json=officer_body("olive"), headers=ADMIN), 201)
    return {
        ("POST", "/organisations/{identifier:str}/people"): Target(
            staff, {"subject": "finn", "name": "Finn Finance", "role": "finance"}
        ),
        ("PATCH", "/organisations/{identifier:str}/people/{subject:str}"): Target(f"{staff}/bea", {"role": "finance"}),
        ("POST", "/organisations/{identifier:str}/people/{subject:str}/leave"): Target(
            f"{staff}/bea/leave", {"reason": "Moved on"}
        ),
        ("POST", "/organisations/{identifier:str}/people/{subject:str}/rejoin"): Target(
            f"{staff}/bea/rejoin", {"reason": "Came back"}
        ),
        ("POST", "/people"): Target("/people", officer_body("pete")),
        ("PATCH", "/people/{subject:str}"): Target("/people/olive", {"team": "Children's services"}),
        ("POST", "/people/{subject:str}/leave"): Target("/people/olive/leave", {"reason": "Left the council"}),
        ("POST", "/people/{subject:str}/rejoin"): Target("/people/olive/rejoin", {"reason": "Came back"}),
    }


def care(client: TestClient[Any]) -> dict[Route, Target]:
    """Rural's application to be listed as a care micro-enterprise, with one piece of evidence (E1)."""
    application = {**APPLICATION, "organisation": RURAL}
    path = f"/registrations/{ok(client.post('/registrations', json=application, headers=provider(RURAL)), 201)['id']}"
    ok(client.post(f"{path}/evidence", json=EVIDENCE[4], headers=provider(RURAL)), 201)
    route = "/registrations/{registration:str}"
    return {
        ("POST", "/registrations"): Target("/registrations", application),
        ("PUT", f"{route}/availability"): Target(f"{path}/availability", {"available_hours": 10}),
        **steps(
            route,
            path,
            {
                "checks": {"evidence_id": "E1", "passed": True, "note": "Seen the original"},
                "evidence": EVIDENCE[5],
                "resubmit": {},
            },
        ),
        **steps(route, path, dict.fromkeys(("approve", "reinstate", "reject", "suspend", "withdraw"), REASON)),
    }
