"""Care micro-enterprise registrations over HTTP: the journey from application to the directory and back,
the refusals, who may act on a registration, and the audit history of its decisions."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from litestar.testing import TestClient

from domain.base import Role
from marketplace.care.deadlines import record_registration_standing
from marketplace.clock import FixedClock
from marketplace.scheduler import tick
from marketplace.service import Marketplace
from tests.conftest import COUNCIL, bearer, event_count, registration
from tests.test_api_refusals import assert_problem

MICRO = "GB-COH-12345678"
OTHER = "GB-CHC-1102345"
OFFICER = bearer(Role.COMMISSIONER, COUNCIL, "cathy")
AUDITOR = bearer(Role.AUDITOR, COUNCIL, "audrey")
RENEWAL_DUE_AT = datetime(2026, 5, 31, 9, 0, tzinfo=UTC)  # 30 days before the insurance expires
EXPIRED_AT = datetime(2026, 6, 30, 0, 0, tzinfo=UTC)  # the day it expires

APPLICATION = {
    "organisation": MICRO,
    "services": ["personal-care", "companionship", "meal-preparation"],
    "districts": ["SY7", "SY9"],
    "parishes": ["Clun", "Bishop's Castle"],
    "weekly_capacity_hours": 60,
    "hourly_rate": "22.50",
    "workers": 2,
    "cqc_regulated": False,
}
EVIDENCE = [
    {"kind": "dbs-check", "name": "Mo Evans", "issued": "2025-01-10", "reference": "001234567890"},
    {"kind": "dbs-check", "name": "Sam Price", "issued": "2025-09-01", "reference": "001234567891"},
    {
        "kind": "public-liability-insurance",
        "name": "Mutual Insurers",
        "issued": "2025-07-01",
        "expires": "2026-06-30",
        "amount": "5000000.00",
        "reference": "PL-1",
    },
    {"kind": "training-certificate", "name": "Care Certificate", "issued": "2025-02-01", "expires": "2028-02-01"},
    {"kind": "reference", "name": "Dr A Jones", "issued": "2026-02-01"},
    {"kind": "reference", "name": "Clun Parish Council", "issued": "2026-02-03"},
]


def provider(org: str = MICRO) -> dict[str, str]:
    return bearer(Role.PROVIDER, org, f"staff-of-{org}")


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def register_organisations(client: TestClient[Any]) -> None:
    micro = registration(MICRO, name="Clun Valley Carers", legal_form="community-interest-company", size="micro")
    ok(client.post("/organisations", json=micro, headers=provider(MICRO)), 201)
    other = registration(OTHER, name="Rural Befrienders", size="micro")
    ok(client.post("/organisations", json=other, headers=provider(OTHER)), 201)


def apply(client: TestClient[Any], **overrides: Any) -> str:
    created = ok(client.post("/registrations", json={**APPLICATION, **overrides}, headers=provider()), 201)
    assert created["status"] == "applied"
    return f"/registrations/{created['id']}"


def add_all_evidence(client: TestClient[Any], path: str) -> None:
    for body in EVIDENCE:
        ok(client.post(f"{path}/evidence", json=body, headers=provider()), 201)


def check(client: TestClient[Any], path: str, evidence_id: str, passed: bool = True) -> dict[str, Any]:
    body = {"evidence_id": evidence_id, "passed": passed, "note": "Original seen at the office"}
    result: dict[str, Any] = ok(client.post(f"{path}/checks", json=body, headers=OFFICER))
    return result


def checked_application(client: TestClient[Any]) -> str:
    path = apply(client)
    add_all_evidence(client, path)
    for n in range(1, len(EVIDENCE) + 1):
        check(client, path, f"E{n}")
    return path


def directory(client: TestClient[Any], **query: Any) -> list[str]:
    return [entry["id"] for entry in ok(client.get("/directory", params=query))["items"]]


def history(client: TestClient[Any], path: str) -> list[dict[str, Any]]:
    """The registration's history, in the one shape every history has (the audit history's)."""
    events: list[dict[str, Any]] = ok(client.get(f"{path}/history", headers=AUDITOR))
    return events


def what(event: dict[str, Any]) -> str:
    """Registration.Applied -> Applied"""
    return str(event["event_type"]).partition(".")[2]


@pytest.fixture(autouse=True)
def organisations(client: TestClient[Any]) -> None:
    register_organisations(client)


# --- the journey ----------------------------------------------------------------------------------------------------


def test_apply_evidence_checks_approval_directory_renewal_due_lapse_and_renewal(
    client: TestClient[Any], market: Marketplace, clock: FixedClock
) -> None:
    path = apply(client)
    registration_id = path.rsplit("/", 1)[1]
    add_all_evidence(client, path)
    queue = ok(client.get("/registrations/work-queue", headers=OFFICER))
    assert [(i["id"], i["unchecked"]) for i in queue["awaiting_checks"]["items"]] == [(registration_id, 6)]
    assert directory(client) == []

    # Each piece of evidence checked, then approved: listed, and found by what, where and when.
    for n in range(1, 7):
        check(client, path, f"E{n}")
    approved = ok(client.post(f"{path}/approve", json={"reason": "All six checks passed"}, headers=OFFICER))
    assert (approved["status"], approved["standing"], approved["evidence_expires_on"]) == (
        "listed",
        "listed",
        "2026-06-30",
    )
    assert ok(client.get(path, headers=provider())) == approved
    assert ok(client.get("/registrations/work-queue", headers=OFFICER))["awaiting_checks"]["items"] == []
    everything = {"service": "personal-care", "district": "SY7", "parish": "Bishop's  Castle", "min_hours": 20}
    for found in ({}, {"service": "companionship"}, {"district": "sy9"}, {"parish": "clun"}, everything):
        assert directory(client, **found) == [registration_id], found
    for missing in ({"service": "transport"}, {"district": "SY1"}, {"parish": "Ludlow"}, {"min_hours": 61}):
        assert directory(client, **missing) == [], missing
    entry = ok(client.get("/directory"))["items"][0]
    assert (entry["name"], entry["standing"], entry["hourly_rate"]) == ("Clun Valley Carers", "listed", "22.50")
    assert "evidence" not in entry
    ok(client.put(f"{path}/availability", json={"available_hours": 15}, headers=provider()))
    assert directory(client, min_hours=20) == [] and directory(client, min_hours=15) == [registration_id]

    # Thirty days before the insurance expires: renewal due, by the clock alone, still in the directory.
    clock.set(RENEWAL_DUE_AT)
    assert ok(client.get(path, headers=provider()))["standing"] == "renewal-due"
    assert ok(client.get("/directory"))["items"][0]["standing"] == "renewal-due"
    expiring = ok(client.get("/registrations/work-queue", headers=OFFICER))["expiring"]["items"]
    assert [(e["registration_id"], e["evidence_id"], e["expires"]) for e in expiring] == [
        (registration_id, "E3", "2026-06-30")
    ]
    tick(market)
    assert [what(e) for e in history(client, path)][-1] == "RenewalDue"
    assert record_registration_standing(market) == 0  # recorded once

    # The day it expires: out of the directory before the chronograph runs; then it records the lapse.
    clock.set(EXPIRED_AT)
    assert directory(client) == []
    assert ok(client.get(path, headers=provider()))["standing"] == "lapsed"
    assert client.get(path).status_code == 404  # the public sees listings in date only
    assert record_registration_standing(market) == 1
    lapsed = history(client, path)[-1]
    assert (what(lapsed), lapsed["actor"]["subject"], lapsed["data"]["evidence_ids"]) == (
        "Lapsed",
        "chronograph",
        ["E3"],
    )

    # Renewed: the new policy counts once its check passes, and the listing comes back.
    renewal = {**EVIDENCE[2], "issued": "2026-06-30", "expires": "2027-06-30", "reference": "PL-2"}
    renewed = ok(client.post(f"{path}/evidence", json=renewal, headers=provider()), 201)
    assert renewed["standing"] == "lapsed" and directory(client) == []
    queue = ok(client.get("/registrations/work-queue", headers=OFFICER))
    assert [(i["id"], i["unchecked"]) for i in queue["awaiting_checks"]["items"]] == [(registration_id, 1)]
    restored = check(client, path, "E7")
    assert (restored["standing"], restored["evidence_expires_on"]) == ("listed", "2027-06-30")
    assert directory(client) == [registration_id]
    assert [what(e) for e in history(client, path)][-2:] == ["CheckRecorded", "Restored"]
    assert ok(client.get(path))["standing"] == "listed"  # the public sees it again


def test_the_directory_pages_by_name_with_a_keyset_cursor(
    client: TestClient[Any], market: Marketplace, clock: FixedClock
) -> None:
    path = checked_application(client)
    ok(client.post(f"{path}/approve", json={"reason": "Checks passed"}, headers=OFFICER))
    other = ok(client.post("/registrations", json={**APPLICATION, "organisation": OTHER}, headers=provider(OTHER)), 201)
    other_path = f"/registrations/{other['id']}"
    for body in EVIDENCE:
        ok(client.post(f"{other_path}/evidence", json=body, headers=provider(OTHER)), 201)
    for n in range(1, 7):
        check(client, other_path, f"E{n}")
    ok(client.post(f"{other_path}/approve", json={"reason": "Checks passed"}, headers=OFFICER))
    first = ok(client.get("/directory", params={"limit": 1}))
    second = ok(client.get("/directory", params={"limit": 1, "cursor": first["next_cursor"]}))
    assert [first["items"][0]["name"], second["items"][0]["name"]] == ["Clun Valley Carers", "Rural Befrienders"]
    assert second["next_cursor"] is None
    assert_problem(client.get("/directory", params={"cursor": "not-a-cursor"}), 400, "cursor")
    assert_problem(client.get("/directory", params={"district": "Clun"}), 422, "district")


# --- refusals -------------------------------------------------------------------------------------------------------


def test_more_than_8_workers_is_refused(client: TestClient[Any], market: Marketplace) -> None:
    before = event_count(market)
    problem = assert_problem(
        client.post("/registrations", json={**APPLICATION, "workers": 9}, headers=provider()), 422, "workers"
    )
    assert problem["detail"] == "A care micro-enterprise has 1 to 8 workers (council policy); this application gives 9."
    assert event_count(market) == before


def test_an_organisation_that_is_not_micro_cannot_apply(client: TestClient[Any], market: Marketplace) -> None:
    small = "GB-CHC-7654321"
    ok(client.post("/organisations", json=registration(small, size="small"), headers=provider(small)), 201)
    body = {**APPLICATION, "organisation": small}
    problem = assert_problem(client.post("/registrations", json=body, headers=provider(small)), 422, "organisation")
    assert "registered as small" in problem["detail"]
    apply(client)
    assert_problem(client.post("/registrations", json=APPLICATION, headers=provider()), 409)


def test_insurance_under_the_policy_minimum_is_refused(client: TestClient[Any], market: Marketplace) -> None:
    path = apply(client)
    before = event_count(market)
    low = {**EVIDENCE[2], "amount": "4999999.99"}
    problem = assert_problem(client.post(f"{path}/evidence", json=low, headers=provider()), 422, "amount")
    assert problem["detail"] == (
        "Public liability insurance must cover at least GBP 5,000,000 (council policy); GBP 4,999,999.99 given."
    )
    assert event_count(market) == before


def test_approval_with_a_missing_check_is_refused(client: TestClient[Any], market: Marketplace) -> None:
    path = apply(client)
    add_all_evidence(client, path)
    for n in range(1, 6):
        check(client, path, f"E{n}")
    before = event_count(market)
    problem = assert_problem(
        client.post(f"{path}/approve", json={"reason": "Looks fine"}, headers=OFFICER), 409, "evidence"
    )
    assert "record a check of every piece of evidence first; not yet checked: E6 (reference)" in problem["detail"]
    assert event_count(market) == before


def test_approval_with_a_failed_check_is_refused(client: TestClient[Any], market: Marketplace) -> None:
    path = apply(client)
    add_all_evidence(client, path)
    for n in range(1, 7):
        check(client, path, f"E{n}", passed=n != 3)
    problem = assert_problem(
        client.post(f"{path}/approve", json={"reason": "Looks fine"}, headers=OFFICER), 409, "evidence"
    )
    assert "evidence failed its check: E3 (public-liability-insurance)" in problem["detail"]
    assert ok(client.get(path, headers=OFFICER))["status"] == "applied"


def test_approval_with_missing_evidence_is_refused(client: TestClient[Any]) -> None:
    path = apply(client)
    ok(client.post(f"{path}/evidence", json=EVIDENCE[0], headers=provider()), 201)
    check(client, path, "E1")
    problem = assert_problem(client.post(f"{path}/approve", json={"reason": "Looks fine"}, headers=OFFICER), 409)
    assert "a DBS check for every worker (1 of 2)" in problem["detail"]


def test_listing_while_suspended_is_refused(client: TestClient[Any], market: Marketplace) -> None:
    path = checked_application(client)
    ok(client.post(f"{path}/suspend", json={"reason": "Safeguarding concern raised"}, headers=OFFICER))
    before = event_count(market)
    problem = assert_problem(client.post(f"{path}/approve", json={"reason": "Checks passed"}, headers=OFFICER), 409)
    assert problem["detail"] == "A suspended registration cannot be listed: reinstate it first, with a reason."
    assert problem["type"] == "urn:marketplace:problem:not-suspended"
    assert event_count(market) == before
    ok(client.post(f"{path}/reinstate", json={"reason": "Concern investigated and closed"}, headers=OFFICER))
    assert ok(client.post(f"{path}/approve", json={"reason": "Checks passed"}, headers=OFFICER))["status"] == "listed"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "dbs-check", "name": "Mo", "issued": "2022-01-01"}, "expires"),
        ({"kind": "training-certificate", "name": "First aid", "issued": "2027-01-01"}, "issued"),
        ({"kind": "cqc-registration", "issued": "2025-01-01", "reference": "1-101234567"}, "kind"),
        ({"kind": "horoscope", "name": "Mo", "issued": "2025-01-01"}, "kind"),
        ({"kind": "reference", "name": "Dr B", "issued": "2025-01-01", "colour": "red"}, "colour"),
    ],
)
def test_evidence_that_breaks_a_rule_is_refused_naming_the_field(
    client: TestClient[Any], market: Marketplace, body: dict[str, Any], field: str
) -> None:
    path = apply(client)
    before = event_count(market)
    response = client.post(f"{path}/evidence", json=body, headers=provider())
    assert_problem(response, response.status_code, field)
    assert response.status_code in (400, 422)
    assert event_count(market) == before


# --- who may act ----------------------------------------------------------------------------------------------------


def test_a_provider_acts_only_on_its_own_registration(client: TestClient[Any], market: Marketplace) -> None:
    path = apply(client)
    intruder = provider(OTHER)
    before = event_count(market)
    attempts = [
        client.post("/registrations", json={**APPLICATION, "organisation": OTHER}, headers=provider(MICRO)),
        client.post(f"{path}/evidence", json=EVIDENCE[4], headers=intruder),
        client.put(f"{path}/availability", json={"available_hours": 5}, headers=intruder),
        client.post(f"{path}/withdraw", json={"reason": "Not ours to withdraw"}, headers=intruder),
        client.post(f"{path}/resubmit", json={}, headers=intruder),
    ]
    for response in attempts:
        problem = assert_problem(response, 403)
        assert OTHER in problem["detail"] or MICRO in problem["detail"]
    for decision in ("checks", "approve", "reject", "suspend", "reinstate"):  # officers' decisions
        body = {"evidence_id": "E1", "passed": True, "note": "Mine"} if decision == "checks" else {"reason": "Mine"}
        assert_problem(client.post(f"{path}/{decision}", json=body, headers=provider()), 403)
    assert_problem(client.post(f"{path}/withdraw", json={"reason": "Officers suspend"}, headers=OFFICER), 403)
    assert event_count(market) == before
    for reader in (intruder, {}):  # not listed: nobody else sees it, nor its history
        assert_problem(client.get(path, headers=reader), 404)
        assert_problem(client.get(f"{path}/history", headers=reader), 404)
    assert_problem(client.get("/registrations/work-queue", headers=provider()), 403)
    assert_problem(client.get("/registrations/work-queue"), 401)
    mine = ok(client.get(path, headers=provider()))
    assert mine["evidence"] == [] and mine["organisation"] == MICRO


def test_the_public_sees_a_listing_without_its_evidence(client: TestClient[Any]) -> None:
    path = checked_application(client)
    approved = ok(client.post(f"{path}/approve", json={"reason": "Checks passed"}, headers=OFFICER))
    public = ok(client.get(path))
    assert public == {**approved, "evidence": None, "decision_reason": None}
    assert len(ok(client.get(path, headers=AUDITOR))["evidence"]) == 6


def test_the_provider_updates_availability_and_withdraws(client: TestClient[Any]) -> None:
    path = checked_application(client)
    ok(client.post(f"{path}/approve", json={"reason": "Checks passed"}, headers=OFFICER))
    assert (
        ok(client.put(f"{path}/availability", json={"available_hours": 0}, headers=provider()))["available_hours"] == 0
    )
    assert_problem(
        client.put(f"{path}/availability", json={"available_hours": 61}, headers=provider()), 422, "available_hours"
    )
    withdrawn = ok(client.post(f"{path}/withdraw", json={"reason": "Retiring this summer"}, headers=provider()))
    assert withdrawn["status"] == "withdrawn" and directory(client) == []


# --- decisions and the audit history --------------------------------------------------------------------------------


def test_decisions_carry_their_reason_and_show_in_the_audit_history(client: TestClient[Any]) -> None:
    path = checked_application(client)
    decisions = [
        ("reject", "Reference from a relative, not independent"),
        ("resubmit", None),
        ("approve", "All checks passed on resubmission"),
        ("suspend", "Safeguarding concern raised by a family"),
        ("reinstate", "Concern investigated: no case to answer"),
    ]
    for decision, reason in decisions:
        if reason is None:
            ok(client.post(f"{path}/resubmit", json={"parishes": ["Clun"]}, headers=provider()))
            continue
        assert_problem(client.post(f"{path}/{decision}", json={}, headers=OFFICER), 400, "reason")
        assert_problem(client.post(f"{path}/{decision}", json={"reason": "    "}, headers=OFFICER), 422, "reason")
        decided = ok(client.post(f"{path}/{decision}", json={"reason": reason}, headers=OFFICER))
        assert decided["decision_reason"] == reason
    entries = history(client, path)
    decided = [(what(e), e["reason"], e["actor"]["subject"], e["actor"]["role"]) for e in entries if e["reason"]]
    assert decided == [
        ("Rejected", "Reference from a relative, not independent", "cathy", "commissioner"),
        ("Approved", "All checks passed on resubmission", "cathy", "commissioner"),
        ("Suspended", "Safeguarding concern raised by a family", "cathy", "commissioner"),
        ("Reinstated", "Concern investigated: no case to answer", "cathy", "commissioner"),
    ]
    assert [e["version"] for e in entries] == list(range(1, len(entries) + 1))
    assert what(entries[0]) == "Applied" and entries[0]["data"]["workers"] == 2
    assert all(e["time"] and e["correlation_id"] for e in entries)
    resubmitted = next(e for e in entries if what(e) == "Resubmitted")
    assert resubmitted["data"] == {"changes": {"parishes": ["Clun"]}}
    queue = ok(client.get("/registrations/work-queue", params={"section": "suspended"}, headers=OFFICER))
    assert queue["suspended"]["items"] == []


def test_the_work_queue_lists_suspended_registrations_with_the_reason(client: TestClient[Any]) -> None:
    path = checked_application(client)
    ok(client.post(f"{path}/approve", json={"reason": "Checks passed"}, headers=OFFICER))
    ok(client.post(f"{path}/suspend", json={"reason": "Safeguarding concern"}, headers=OFFICER))
    queue = ok(client.get("/registrations/work-queue", headers=OFFICER))
    assert [(i["status"], i["decision_reason"]) for i in queue["suspended"]["items"]] == [
        ("suspended", "Safeguarding concern")
    ]
    assert directory(client) == []
    assert_problem(client.get("/registrations/work-queue", params={"cursor": "abc"}, headers=OFFICER), 400, "cursor")


def test_each_work_queue_section_pages_with_its_own_cursor(client: TestClient[Any], clock: FixedClock) -> None:
    paths = [checked_application(client)]
    other = ok(client.post("/registrations", json={**APPLICATION, "organisation": OTHER}, headers=provider(OTHER)), 201)
    paths.append(f"/registrations/{other['id']}")
    for body in EVIDENCE:
        ok(client.post(f"{paths[1]}/evidence", json=body, headers=provider(OTHER)), 201)
    first = ok(client.get("/registrations/work-queue", params={"limit": 1}, headers=OFFICER))["awaiting_checks"]
    params = {"section": "awaiting-checks", "cursor": first["next_cursor"], "limit": 1}
    second = ok(client.get("/registrations/work-queue", params=params, headers=OFFICER))
    ids = {first["items"][0]["id"], second["awaiting_checks"]["items"][0]["id"]}  # same time: by id
    assert ids == {p.rsplit("/", 1)[1] for p in paths} and second["awaiting_checks"]["next_cursor"] is None
    assert second["expiring"]["items"] == [] and second["suspended"]["items"] == []

    for n in range(1, 7):
        check(client, paths[1], f"E{n}")
    for path in paths:
        ok(client.post(f"{path}/approve", json={"reason": "Checks passed"}, headers=OFFICER))
    clock.set(RENEWAL_DUE_AT)
    first = ok(client.get("/registrations/work-queue", params={"limit": 1}, headers=OFFICER))["expiring"]
    params = {"section": "expiring", "cursor": first["next_cursor"], "limit": 1}
    second = ok(client.get("/registrations/work-queue", params=params, headers=OFFICER))["expiring"]
    assert {first["items"][0]["registration_id"], second["items"][0]["registration_id"]} == {
        p.rsplit("/", 1)[1] for p in paths
    }
    assert second["next_cursor"] is None
