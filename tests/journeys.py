"""The journeys over HTTP, as the council and its providers live them: shared by the specifications that watch them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any, NamedTuple

from litestar.testing import TestClient

from domain.base import Role
from domain.working_days import add_working_days
from marketplace.clock import FixedClock
from marketplace.scheduler import tick
from marketplace.service import Marketplace
from tests.conftest import COUNCIL, bearer, registration

_MARKET = [  # identifier, name, legal form, VCSE, size, address (line1, town, postcode)
    ("GB-CHC-1102345", "Rural Befrienders", "charitable-trust", True, "micro", ("4 Mill St", "Ludlow", "SY8 1BB")),
    ("GB-COH-09876543", "Severn Care Ltd", "company", False, "small", ("Unit 3", "Shrewsbury", "SY1 3FE")),
    ("GB-COH-00445566", "National Care plc", "company", False, "large", ("1 Victoria Sq", "Birmingham", "B1 1BD")),
]
PROVIDERS = {
    org: registration(
        org,
        name=name,
        legal_form=form,
        vcse=vcse,
        size=size,
        address=dict(zip(("line1", "town", "postcode"), at, strict=True)),
    )
    for org, name, form, vcse, size, at in _MARKET
}
RURAL, SEVERN, NATIONAL = PROVIDERS
OFFICER = bearer(Role.COMMISSIONER, COUNCIL, "cathy")
EVALUATORS = {"eve": bearer(Role.COMMISSIONER, COUNCIL, "eve"), "ed": bearer(Role.COMMISSIONER, COUNCIL, "ed")}


def provider(org: str) -> dict[str, str]:
    return bearer(Role.PROVIDER, org, f"bidder-at-{org}")


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def tender_terms(clock: FixedClock) -> dict[str, Any]:
    now = clock.now()
    return {
        "title": "Community day opportunities for older people",
        "description": "Day opportunities that reduce isolation, in two areas of the county.",
        "category": "adult-social-care",
        "procedure": "open",
        "lots": [
            {"lot_id": "north", "title": "North Shropshire", "value": "400000.00"},
            {"lot_id": "south", "title": "South Shropshire", "value": "350000.00"},
        ],
        "criteria": [
            {"key": "price", "name": "Price", "kind": "price", "weight": 50},
            {"key": "quality", "name": "Quality of care", "kind": "quality", "weight": 35},
            {"key": "social", "name": "Social value", "kind": "social-value", "weight": 15},
        ],
        "clarification_deadline": (now + timedelta(days=20)).isoformat(),
        "tender_deadline": (now + timedelta(days=30)).isoformat(),
    }


def offer(prices: dict[str, str], marker: str = "") -> dict[str, Any]:
    return {"prices": prices, "responses": {"quality": f"Trained staff {marker}", "social": f"Local jobs {marker}"}}


def publish_tender(client: TestClient[Any], clock: FixedClock) -> str:
    tender = ok(client.post("/tenders", json=tender_terms(clock), headers=OFFICER), 201)
    path = f"/tenders/{tender['id']}"
    conflicts = {"conflicts_found": False, "reason": "Panel declared no interests in bidders"}
    ok(client.post(f"{path}/conflicts-assessment", json=conflicts, headers=OFFICER))
    published = ok(
        client.post(f"{path}/publish", json={"reason": "Approved by the commissioning board"}, headers=OFFICER)
    )
    assert published["status"] == "tendering" and published["above_threshold"]
    return str(tender["id"])


def evaluate(client: TestClient[Any], path: str, bids: dict[str, str], quality: dict[str, int]) -> None:
    """Evaluators declare, then score with justifications; an award waits for moderation, which agrees the scores."""
    first = next(iter(bids.values()))
    for name, headers in EVALUATORS.items():
        ok(client.post(f"{path}/evaluation/evaluators", json={"evaluator": name}, headers=OFFICER))
        refused = client.post(
            f"{path}/evaluation/scores",
            json={"bid_id": first, "criterion": "quality", "score": 50, "justification": "Too early"},
            headers=headers,
        )
        assert refused.status_code == 409, "no scoring before a declaration"
        ok(
            client.post(
                f"{path}/evaluation/declarations",
                json={"conflict": False, "statement": "No interests"},
                headers=headers,
            )
        )
        for org, bid_id in bids.items():
            for criterion in ("quality", "social"):
                ok(
                    client.post(
                        f"{path}/evaluation/scores",
                        json={
                            "bid_id": bid_id,
                            "criterion": criterion,
                            "score": quality[org],
                            "justification": "Evidence in section 2",
                        },
                        headers=headers,
                    )
                )
    early = client.post(f"{path}/award", json={"lot_id": "north", "bid_id": first, "reason": "Best"}, headers=OFFICER)
    assert early.status_code == 409, "no award before moderation is complete"
    for org, bid_id in bids.items():
        for criterion in ("quality", "social"):
            ok(
                client.post(
                    f"{path}/evaluation/moderation",
                    json={"bid_id": bid_id, "criterion": criterion, "score": quality[org], "note": "Evaluators agreed"},
                    headers=OFFICER,
                )
            )


class TenderingJourney(NamedTuple):
    tender: str
    bids: dict[str, str]  # bidder -> bid id
    contracts: list[str]


Checkpoint = Callable[[str], None]


def _skip(stage: str) -> None:
    """No checkpoint: the journey runs straight through."""


def award(client: TestClient[Any], path: str, lot_id: str, bid_id: str, reason: str) -> None:
    """Award a lot; the answer is the tender as the GET that follows shows it, the new award included."""
    awarded = ok(
        client.post(f"{path}/award", json={"lot_id": lot_id, "bid_id": bid_id, "reason": reason}, headers=OFFICER)
    )
    assert awarded == ok(client.get(path, headers=OFFICER))
    assert lot_id in [a["lot_id"] for a in awarded["awards"]]


def register_the_market(client: TestClient[Any]) -> None:
    """The council and the three providers of the tendering journey, in the register."""
    council = registration(COUNCIL, name="Shropshire Council", legal_form="local-authority", size="large", vcse=False)
    ok(client.post("/organisations", json=council, headers=OFFICER), 201)
    for org, body in PROVIDERS.items():
        ok(client.post("/organisations", json=body, headers=provider(org)), 201)


def tendering_journey(
    client: TestClient[Any], market: Marketplace, clock: FixedClock, at: Checkpoint = _skip
) -> TenderingJourney:
    """A two-lot tender from publication to contracts; `at(stage)` is called as each stage ends."""
    register_the_market(client)
    tender = publish_tender(client, clock)
    at("published")
    path = f"/tenders/{tender}"

    # A question, answered to everyone without naming who asked.
    asked = ok(client.post(f"{path}/questions", json={"text": "Is transport included?"}, headers=provider(RURAL)), 201)
    assert asked["version"] >= 4
    ok(client.post(f"{path}/questions/Q1/answer", json={"answer": "Yes, within the lot area."}, headers=OFFICER))
    public = ok(client.get(path))
    assert public["questions"] == [
        {"question_id": "Q1", "text": "Is transport included?", "answer": "Yes, within the lot area."}
    ]
    assert RURAL not in str(public)

    # Three bids; one is withdrawn and resubmitted; each bidder keeps a receipt.
    rural = ok(
        client.post(f"{path}/bids", json=offer({"north": "380000", "south": "330000"}), headers=provider(RURAL)), 201
    )
    severn = ok(client.post(f"{path}/bids", json=offer({"north": "360000"}), headers=provider(SEVERN)), 201)
    national = ok(client.post(f"{path}/bids", json=offer({"south": "300000"}), headers=provider(NATIONAL)), 201)
    ok(client.post(f"/bids/{severn['id']}/withdraw", headers=provider(SEVERN)))
    severn = ok(client.put(f"/bids/{severn['id']}", json=offer({"north": "365000"}), headers=provider(SEVERN)))
    assert severn["status"] == "submitted" and len(rural["digest"]) == 64
    at("bids-submitted")
    sealed = ok(client.get(f"{path}/bids", headers=OFFICER))
    assert sealed == {"sealed": True, "count": 3, "items": [], "next_cursor": None}

    # The deadline passes: no more bids, whatever else has run; the chronograph records the close.
    clock.advance(days=30, seconds=1)
    late = client.post(f"{path}/bids", json=offer({"north": "1"}), headers=provider(COUNCIL))
    assert late.status_code == 409 and "deadline passed" in late.json()["detail"], late.text
    assert tick(market)["tendering closed"] == 1
    assert ok(client.get(path))["status"] == "closed"
    opened = ok(client.post(f"{path}/open-bids", headers=OFFICER))
    assert opened["status"] == "evaluation"
    at("bids-opened")

    # Evaluators declare, score with justifications; moderation agrees the scores.
    bids = {RURAL: rural["id"], SEVERN: severn["id"], NATIONAL: national["id"]}
    evaluate(client, path, bids, quality={RURAL: 80, SEVERN: 60, NATIONAL: 78})
    matrix = ok(client.get(f"{path}/evaluation", headers=OFFICER))
    assert {lot["lot_id"]: lot["moderation_complete"] for lot in matrix["lots"]} == {"north": True, "south": True}

    # Awards per lot, with a standstill of eight working days; contracts only after it.
    award(client, path, "north", rural["id"], "Most advantageous: highest quality at a competitive price")
    award(client, path, "south", national["id"], "Most advantageous: lowest price, good quality")
    at("awarded")
    awarded = ok(client.get(path))
    ends = add_working_days(clock.now().date(), 8).isoformat()
    assert {a["lot_id"]: a["standstill_ends"] for a in awarded["awards"]} == {"north": ends, "south": ends}
    outcome = ok(client.get(f"/bids/{severn['id']}", headers=provider(SEVERN)))
    assert outcome["outcome"]["north"]["successful"] is False and outcome["outcome"]["north"]["rank"] == 2
    contract = {"lot_id": "north", "start": "2026-06-01", "end": "2028-05-31", "kpis": ["90% attendance"]}
    assert client.post(f"{path}/contracts", json=contract, headers=OFFICER).status_code == 409
    clock.advance(days=15)
    north = ok(client.post(f"{path}/contracts", json=contract, headers=OFFICER), 201)
    south = ok(client.post(f"{path}/contracts", json=dict(contract, lot_id="south"), headers=OFFICER), 201)
    assert ok(client.get(path))["status"] == "complete"
    at("contracted")
    assert north["supplier"] == RURAL and Decimal(north["value"]) == Decimal("380000")

    return TenderingJourney(tender, bids, [north["id"], south["id"]])


CHARITY = "GB-CHC-1234567"
COMMISSIONER = bearer(Role.COMMISSIONER, COUNCIL, "cathy")


def platform_journey(client: TestClient[Any]) -> str:
    """A charity registers, updates its details, is verified, and later deactivates itself."""
    charity = bearer(Role.PROVIDER, CHARITY, "trustee")
    ok(client.post("/organisations", json=registration(CHARITY), headers=charity), 201)
    ok(client.patch(f"/organisations/{CHARITY}", json={"name": "Ludlow Befrienders"}, headers=charity))
    verified = {"reason": "Checked against the Charity Commission register."}
    ok(client.post(f"/organisations/{CHARITY}/verify", json=verified, headers=COMMISSIONER))
    ok(client.post(f"/organisations/{CHARITY}/deactivate", json={"reason": "Wound up."}, headers=charity))
    return CHARITY
