"""The scheme of delegation: who may take which decision, up to which value. A fresh installation decides as
before (the default scheme: council officers, no limit); once an admin records the council's own, a decision
beyond the decider's authority is refused naming the limit, an officer whose delegation covers it takes it, and
the decision log shows the authority each decision was made under."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import TestClient

from domain.authority.scheme import DEFAULT
from domain.base import Role
from marketplace.clock import FixedClock
from marketplace.scheduler import tick
from marketplace.service import Marketplace
from tests.conftest import COUNCIL, bearer
from tests.journeys import NATIONAL, OFFICER, RURAL, evaluate, offer, ok, provider, publish_tender, register_the_market

ADMIN = bearer(Role.ADMIN, COUNCIL, "ada")
DIRECTOR = bearer(Role.COMMISSIONER, COUNCIL, "dee-director")
AUDITOR = bearer(Role.AUDITOR, COUNCIL, "audrey")


def delegate(client: TestClient[Any], subjects: list[str], up_to: str | None, decision: str = "award-contract") -> str:
    body: dict[str, Any] = {"decision": decision, "holders": {"subjects": subjects}, "source": "CPR 4.2"}
    if up_to is not None:
        body["up_to"] = up_to
    return str(ok(client.post("/delegations", json=body, headers=ADMIN), 201)["id"])


def tender_in_evaluation(client: TestClient[Any], market: Marketplace, clock: FixedClock) -> tuple[str, dict[str, str]]:
    """The journeys' two-lot tender, bid on, closed, opened, scored and moderated: ready to award."""
    register_the_market(client)
    path = f"/tenders/{publish_tender(client, clock)}"
    rural = ok(client.post(f"{path}/bids", json=offer({"north": "380000"}), headers=provider(RURAL)), 201)
    national = ok(client.post(f"{path}/bids", json=offer({"south": "300000"}), headers=provider(NATIONAL)), 201)
    clock.advance(days=30, seconds=1)
    tick(market)
    ok(client.post(f"{path}/open-bids", headers=OFFICER))
    evaluate(client, path, {RURAL: rural["id"], NATIONAL: national["id"]}, quality={RURAL: 80, NATIONAL: 78})
    return path, {"north": rural["id"], "south": national["id"]}


def award(client: TestClient[Any], path: str, lot: str, bid: str, headers: dict[str, str]) -> Any:
    return client.post(
        f"{path}/award", json={"lot_id": lot, "bid_id": bid, "reason": "Most advantageous"}, headers=headers
    )


def awards_logged(client: TestClient[Any]) -> list[tuple[str, str | None]]:
    log = ok(client.get("/audit/decisions", params={"decision": "tender.awarded"}, headers=AUDITOR))["items"]
    return [(entry["actor"]["subject"], entry["authority"]) for entry in log]


def test_with_no_scheme_recorded_officers_decide_as_before_under_the_default(
    market: Marketplace, client: TestClient[Any], clock: FixedClock
) -> None:
    path, bids = tender_in_evaluation(client, market, clock)
    ok(award(client, path, "north", bids["north"], OFFICER))
    assert awards_logged(client) == [("cathy", DEFAULT)]


def test_an_award_beyond_the_deciders_limit_is_refused_naming_it_and_taken_by_an_officer_who_holds_more(
    market: Marketplace, client: TestClient[Any], clock: FixedClock
) -> None:
    path, bids = tender_in_evaluation(client, market, clock)
    limited = delegate(client, ["cathy"], "350000")
    unlimited = delegate(client, ["dee-director"], None)

    refused = award(client, path, "north", bids["north"], OFFICER)  # £380,000 against a limit of £350,000
    assert refused.status_code == 403, refused.text
    problem = refused.json()
    assert problem["type"].endswith("within-delegated-limit") and "up to £350,000.00" in problem["detail"]

    ok(award(client, path, "north", bids["north"], DIRECTOR))
    ok(award(client, path, "south", bids["south"], OFFICER))  # £300,000: within her limit, she decides alone
    assert awards_logged(client) == [
        ("dee-director", f"delegation {unlimited} (CPR 4.2): award-contract, no limit"),
        ("cathy", f"delegation {limited} (CPR 4.2): award-contract, up to £350,000.00"),
    ]


def test_once_the_scheme_names_who_decides_an_officer_it_does_not_name_may_not(
    market: Marketplace, client: TestClient[Any], clock: FixedClock
) -> None:
    path, bids = tender_in_evaluation(client, market, clock)
    delegate(client, ["dee-director"], None)
    refused = award(client, path, "south", bids["south"], OFFICER)
    assert refused.status_code == 403 and refused.json()["type"].endswith("delegated-authority")


def test_a_revoked_delegation_no_longer_counts(market: Marketplace, client: TestClient[Any], clock: FixedClock) -> None:
    path, bids = tender_in_evaluation(client, market, clock)
    mine = delegate(client, ["cathy"], None)
    delegate(client, ["dee-director"], None)
    ok(client.post(f"/delegations/{mine}/revoke", json={"reason": "Cathy moved to another post"}, headers=ADMIN))
    assert award(client, path, "south", bids["south"], OFFICER).status_code == 403
    revoked = ok(client.get(f"/delegations/{mine}", headers=AUDITOR))
    assert revoked["status"] == "revoked"
    as_recorded = ok(client.get(f"/delegations/{mine}", params={"version": 1}, headers=AUDITOR))
    assert as_recorded["status"] == "in-force"


@pytest.mark.parametrize(
    ("headers", "status"),
    [(OFFICER, 403), (bearer(Role.AUDITOR), 403), (bearer(Role.PROVIDER, RURAL), 403), ({}, 401)],
)
def test_only_an_admin_records_the_scheme(client: TestClient[Any], headers: dict[str, str], status: int) -> None:
    body = {"decision": "offer-grant", "holders": {"roles": ["commissioner"]}, "source": "Scheme 7", "up_to": "5000"}
    assert client.post("/delegations", json=body, headers=headers).status_code == status


def test_the_scheme_is_read_by_the_councils_readers_only(client: TestClient[Any]) -> None:
    delegate(client, ["cathy"], "1000", decision="offer-grant")
    assert client.get("/delegations").status_code == 401
    assert client.get("/delegations", headers=bearer(Role.PROVIDER, RURAL)).status_code == 403
    [entry] = ok(client.get("/delegations", headers=AUDITOR))["items"]
    assert (entry["decision"], entry["up_to"], entry["holders"]["subjects"]) == ("offer-grant", "1000.00", ["cathy"])


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"decision": "verify-organisation", "holders": {"roles": ["admin"]}, "source": "S 1", "up_to": "10"}, "up_to"),
        ({"decision": "award-contract", "holders": {}, "source": "S 1"}, "holders"),
        ({"decision": "award-contract", "holders": {"subjects": ["x"]}, "source": "S 1", "up_to": "NaN"}, "up_to"),
        ({"decision": "award-contract", "holders": {"roles": ["provider"]}, "source": "S 1"}, "holders.roles"),
    ],
)
def test_an_entry_that_makes_no_sense_is_refused_naming_the_field(
    client: TestClient[Any], body: dict[str, Any], field: str
) -> None:
    refused = client.post("/delegations", json=body, headers=ADMIN)
    assert 400 <= refused.status_code < 500, refused.text
    assert field in str(refused.json()["errors"])


def test_an_evaluator_who_declared_a_conflict_may_not_award(
    market: Marketplace, client: TestClient[Any], clock: FixedClock
) -> None:
    path, bids = tender_in_evaluation(client, market, clock)
    carl = bearer(Role.COMMISSIONER, COUNCIL, "carl")
    ok(client.post(f"{path}/evaluation/evaluators", json={"evaluator": "carl"}, headers=OFFICER))
    declared = {"conflict": True, "statement": "My brother manages one of the bidders."}
    ok(client.post(f"{path}/evaluation/declarations", json=declared, headers=carl))
    refused = award(client, path, "north", bids["north"], carl)
    assert refused.status_code == 403 and refused.json()["type"].endswith("not-conflicted"), refused.text
    ok(award(client, path, "north", bids["north"], OFFICER))


def test_a_team_holds_a_delegation_through_the_people_register_and_a_leaver_holds_nothing(
    market: Marketplace, client: TestClient[Any], clock: FixedClock
) -> None:
    path, bids = tender_in_evaluation(client, market, clock)
    officer = {"subject": "tom", "name": "Tom Tanner", "job_title": "Commissioning manager", "team": "Commissioning"}
    ok(client.post("/people", json=officer, headers=ADMIN), 201)
    body = {
        "decision": "award-contract",
        "holders": {"teams": ["Commissioning"]},
        "source": "CPR 4.3",
        "up_to": "400000",
    }
    team = str(ok(client.post("/delegations", json=body, headers=ADMIN), 201)["id"])
    tom = bearer(Role.COMMISSIONER, COUNCIL, "tom")
    ok(award(client, path, "north", bids["north"], tom))
    assert awards_logged(client) == [("tom", f"delegation {team} (CPR 4.3): award-contract, up to £400,000.00")]
    ok(client.post("/people/tom/leave", json={"reason": "Moved to another council"}, headers=ADMIN))
    assert award(client, path, "south", bids["south"], tom).status_code == 403
