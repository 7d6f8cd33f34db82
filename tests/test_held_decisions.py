"""Decisions held for approval: where the scheme of delegation says so, a decision beyond its decider's limit is
held, not refused; an officer whose delegation covers it approves it (and it is carried out as proposed) or
declines it, each with a reason; the person who proposed it never settles it (four eyes); the decision log shows
both people and the authority each acted under; nothing of the decision happens while it is held."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any, NamedTuple
from uuid import UUID

import pytest
from litestar.testing import TestClient

from domain.authority.delegation import BeyondLimit, DelegationTerms, Holders
from domain.authority.held_decision import HeldDecision, HeldStatus
from domain.base import Actor, Role
from domain.grants.programme import GrantProgramme
from domain.rules import Refusal
from marketplace.authority.services import Delegations, HeldDecisions
from marketplace.clock import FixedClock
from marketplace.service import Marketplace
from tests.conftest import COUNCIL, bearer
from tests.grants_fixtures import OFFICER as GRANTS_OFFICER
from tests.grants_fixtures import committed, funded, offer_terms, refused, request, today
from tests.journeys import OFFICER, ok, provider, tendering_journey
from tests.test_delegated_authority import ADMIN, AUDITOR, DIRECTOR, award, tender_in_evaluation

DEPUTY = bearer(Role.COMMISSIONER, COUNCIL, "dan-deputy")  # holds a limit too small to approve


def delegate(client: TestClient[Any], subject: str, up_to: str | None, holds: bool, decision: str) -> str:
    body: dict[str, Any] = {"decision": decision, "holders": {"subjects": [subject]}, "source": "CPR 4.2"}
    if up_to is not None:
        body["up_to"] = up_to
    if holds:
        body["beyond_limit"] = BeyondLimit.HELD.value
    return str(ok(client.post("/delegations", json=body, headers=ADMIN), 201)["id"])


def scheme(client: TestClient[Any], decision: str = "award-contract") -> dict[str, str]:
    """Cathy decides up to £350,000 and beyond it her decisions are held; the director has no limit; the deputy
    holds £100,000 and refuses beyond it."""
    return {
        "cathy": delegate(client, "cathy", "350000", True, decision),
        "director": delegate(client, "dee-director", None, False, decision),
        "deputy": delegate(client, "dan-deputy", "100000", False, decision),
    }


class HeldAward(NamedTuple):
    path: str  # the tender's
    bids: dict[str, str]  # by lot
    held: str  # the held decision's id


@pytest.fixture
def held_award(market: Marketplace, client: TestClient[Any], clock: FixedClock) -> HeldAward:
    """Cathy's award of the north lot (£380,000), beyond her £350,000 and held for approval."""
    path, bids = tender_in_evaluation(client, market, clock)
    scheme(client)
    held = ok(award(client, path, "north", bids["north"], OFFICER), 202)["id"]
    return HeldAward(path, bids, held)


def log(client: TestClient[Any], kind: str) -> list[dict[str, Any]]:
    return ok(client.get("/audit/decisions", params={"kind": kind}, headers=AUDITOR))["items"]  # type: ignore[no-any-return]


def test_an_award_beyond_the_limit_is_held_then_made_by_an_approver_and_the_log_shows_both_people(
    market: Marketplace, client: TestClient[Any], clock: FixedClock
) -> None:
    path, bids = tender_in_evaluation(client, market, clock)
    entries = scheme(client)
    before = ok(client.get(path, headers=OFFICER))

    held = award(client, path, "north", bids["north"], OFFICER)  # £380,000 against her £350,000
    assert held.status_code == 202, held.text
    body = held.json()
    assert held.headers["location"] == f"/decisions/held/{body['id']}"
    assert (body["status"], body["decision"], body["value"], body["proposed_by"]) == (
        "held",
        "award-contract",
        "380000.00",
        "cathy",
    )
    assert body["proposed"] == {
        "reason": "Most advantageous",
        "selection": {"bid_id": bids["north"], "lot_id": "north"},
    }
    assert "up to £350,000.00" in body["beyond"]
    assert ok(client.get(path, headers=OFFICER)) == before  # nothing of the award happens while it is held

    approved = client.post(f"/decisions/{body['id']}/approve", json={"reason": "Value for money"}, headers=DIRECTOR)
    assert ok(approved)["status"] == "approved"
    awarded = ok(client.get(path, headers=OFFICER))["awards"]
    assert [(a["lot_id"], a["bid_id"]) for a in awarded] == [("north", bids["north"])], awarded
    ok(award(client, path, "south", bids["south"], OFFICER))  # £300,000: within her limit, she decides alone

    held_log = [(e["decision"], e["actor"]["subject"], e["reason"]) for e in log(client, "held_decision")]
    assert held_log == [
        ("held_decision.held", "cathy", "Most advantageous"),
        ("held_decision.approved", "dee-director", "Value for money"),
    ]
    awards = [
        (e["actor"]["subject"], e["authority"]) for e in log(client, "tender") if e["decision"] == "tender.awarded"
    ]
    director = f"delegation {entries['director']} (CPR 4.2): award-contract, no limit"
    assert awards == [
        ("dee-director", f"{director}; approving held decision {body['id']}, proposed by cathy ({COUNCIL})"),
        ("cathy", f"delegation {entries['cathy']} (CPR 4.2): award-contract, up to £350,000.00"),
    ]
    exported = client.get("/audit/decisions/export.csv", params={"kind": "tender"}, headers=AUDITOR).text
    assert [row["authority"] for row in csv.DictReader(io.StringIO(exported))][-2:] == [a for _, a in awards]


def test_the_proposer_may_not_approve_or_decline_their_own_held_decision(
    client: TestClient[Any], held_award: HeldAward
) -> None:
    held = held_award.held
    ok(
        client.post(
            "/delegations",
            json={"decision": "award-contract", "holders": {"subjects": ["cathy"]}, "source": "Emergency powers"},
            headers=ADMIN,
        ),
        201,
    )  # now she holds enough
    for route in ("approve", "decline"):
        own = client.post(f"/decisions/{held}/{route}", json={"reason": "Looks right"}, headers=OFFICER)
        assert own.status_code == 403 and own.json()["type"].endswith("four-eyes"), own.text


def test_an_officer_whose_delegation_does_not_cover_it_may_not_approve_it(
    client: TestClient[Any], held_award: HeldAward
) -> None:
    held = held_award.held
    short = client.post(f"/decisions/{held}/approve", json={"reason": "Fine by me"}, headers=DEPUTY)
    assert short.status_code == 403 and "up to £100,000.00" in short.json()["detail"], short.text
    assert ok(client.get(f"/decisions/held/{held}", headers=OFFICER))["status"] == "held"


def test_a_declined_held_decision_is_never_carried_out_and_may_not_be_approved_after(
    client: TestClient[Any], held_award: HeldAward
) -> None:
    path, held = held_award.path, held_award.held
    before = ok(client.get(path, headers=OFFICER))
    declined = ok(client.post(f"/decisions/{held}/decline", json={"reason": "Re-run the evaluation"}, headers=DIRECTOR))
    assert (declined["status"], declined["settled_by"], declined["settled_reason"]) == (
        "declined",
        "dee-director",
        "Re-run the evaluation",
    )
    late = client.post(f"/decisions/{held}/approve", json={"reason": "Changed my mind"}, headers=DIRECTOR)
    assert late.status_code == 409, late.text
    assert ok(client.get(path, headers=OFFICER)) == before


def test_only_its_proposer_withdraws_a_held_decision(client: TestClient[Any], held_award: HeldAward) -> None:
    held = held_award.held
    other = client.post(f"/decisions/{held}/withdraw", json={"reason": "Not needed"}, headers=DIRECTOR)
    assert other.status_code == 403, other.text
    assert ok(client.post(f"/decisions/{held}/withdraw", json={"reason": "Wrong lot"}, headers=OFFICER))["status"] == (
        "withdrawn"
    )


def test_a_held_award_whose_tender_moved_on_is_refused_on_approval_and_stays_held(
    client: TestClient[Any], held_award: HeldAward
) -> None:
    path, held = held_award.path, held_award.held
    ok(client.post(f"{path}/lots/north/cancel", json={"reason": "Need has changed"}, headers=OFFICER))
    approved = client.post(f"/decisions/{held}/approve", json={"reason": "Value for money"}, headers=DIRECTOR)
    assert approved.status_code == 409, approved.text
    assert ok(client.get(f"/decisions/held/{held}", headers=OFFICER))["status"] == "held"


def test_the_queue_lists_what_waits_and_shows_each_held_decision_as_it_stood(
    client: TestClient[Any], held_award: HeldAward
) -> None:
    held = held_award.held
    assert [item["id"] for item in ok(client.get("/decisions/held?status=held", headers=OFFICER))["items"]] == [held]
    ok(client.post(f"/decisions/{held}/approve", json={"reason": "Value for money"}, headers=DIRECTOR))
    assert ok(client.get("/decisions/held?status=held", headers=OFFICER))["items"] == []
    then = client.get(f"/decisions/held/{held}?version=1", headers=AUDITOR)
    assert ok(then)["status"] == "held" and then.headers["x-as-of-version"] == "1"
    now = ok(client.get(f"/decisions/held/{held}", headers=AUDITOR))
    assert (now["status"], now["settled_by"], now["version"]) == ("approved", "dee-director", 2)


@pytest.mark.parametrize("reader", ["provider", "anonymous"])
def test_nobody_outside_the_council_reads_a_held_decision(
    client: TestClient[Any], held_award: HeldAward, reader: str
) -> None:
    held = held_award.held
    headers = provider("GB-CHC-1102345") if reader == "provider" else {}
    for read in ("/decisions/held", f"/decisions/held/{held}", f"/decisions/held/{held}?version=1"):
        assert client.get(read, headers=headers).status_code in (401, 403)
    officer_elsewhere = bearer(Role.COMMISSIONER, "GB-LAE-TFW", "someone")
    assert client.get(f"/decisions/held/{held}", headers=officer_elsewhere).status_code == 404
    assert ok(client.get("/decisions/held", headers=officer_elsewhere))["items"] == []


def test_a_retried_held_award_with_its_idempotency_key_answers_the_same_held_decision(
    market: Marketplace, client: TestClient[Any], clock: FixedClock
) -> None:
    path, bids = tender_in_evaluation(client, market, clock)
    scheme(client)
    body = {"lot_id": "north", "bid_id": bids["north"], "reason": "Most advantageous"}
    keyed = {**OFFICER, "Idempotency-Key": "award-north-1"}
    first = ok(client.post(f"{path}/award", json=body, headers=keyed), 202)
    again = ok(client.post(f"{path}/award", json=body, headers=keyed), 202)
    assert again["id"] == first["id"]
    assert len(ok(client.get("/decisions/held", headers=OFFICER))["items"]) == 1


def test_a_variation_beyond_the_limit_is_held_and_varies_the_contract_only_when_approved(
    market: Marketplace, client: TestClient[Any], clock: FixedClock
) -> None:
    journey = tendering_journey(client, market, clock)
    contract = f"/contracts/{journey.contracts[0]}"
    scheme(client, "vary-contract")
    before = ok(client.get(contract, headers=OFFICER))
    held = ok(client.post(f"{contract}/vary", json={"reason": "More hours", "value": "400000"}, headers=OFFICER), 202)
    assert ok(client.get(contract, headers=OFFICER)) == before
    ok(client.post(f"/decisions/{held['id']}/approve", json={"reason": "Budget agreed"}, headers=DIRECTOR))
    assert ok(client.get(contract, headers=OFFICER))["value"] == "400000.00"


def test_a_grant_offer_beyond_the_limit_commits_the_programmes_money_only_when_approved(
    market: Marketplace, clock: FixedClock
) -> None:
    fund = funded(market, clock)
    application = fund.assessed("GB-CHC-1234567", "10000")
    delegations = market.service(Delegations)
    admin = Actor("ada", COUNCIL, Role.ADMIN)
    for subject, up_to, beyond in (
        ("cathy", Decimal(5000), BeyondLimit.HELD),
        ("dee-director", None, BeyondLimit.REFUSED),
    ):
        delegations.record(
            request(admin), DelegationTerms("offer-grant", Holders([subject]), "Grants 3", up_to, beyond)
        )
    terms = offer_terms("10000", today(fund))
    outcome = fund.applications.offer(request(GRANTS_OFFICER), application, "Strong bid", terms)
    held_decisions = market.service(HeldDecisions)
    held = market.commands.load(HeldDecision, UUID(outcome.aggregate_id))
    assert held.status == HeldStatus.HELD and committed(fund) == 0
    refused("FourEyes", held_decisions.approve, request(GRANTS_OFFICER), held.id, "I approve", kind=Refusal.FORBIDDEN)
    held_decisions.approve(request(Actor("dee-director", COUNCIL, Role.COMMISSIONER)), held.id, "Within the budget")
    assert committed(fund) == 10000
    assert market.commands.load(GrantProgramme, fund.programme_id).committed == 10000
