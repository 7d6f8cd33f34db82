"""The authority matrix: each valued delegated decision, by every kind of caller, on their own council's record and
on another's, within and beyond their delegated authority. The door's answers for every write route and role are
tests/test_authorisation_matrix.py; this table is what lies beyond the door, where whose record it is and how much
the decision is worth decide. Every row is one fresh record and one request, with the answer it must get."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import pytest
from litestar.testing import TestClient

from domain.base import Role
from marketplace.clock import FixedClock
from marketplace.service import Marketplace
from tests.conftest import COUNCIL, bearer
from tests.journeys import OFFICER, RURAL, ok, provider, tendering_journey
from tests.test_delegated_authority import ADMIN, tender_in_evaluation

pytestmark = pytest.mark.slow  # a fresh tender or contract journey per row, on both databases: the slow suites run it

ELSEWHERE = "GB-LAE-TFW"  # another council
CALLERS = {
    "officer": OFFICER,  # cathy, of the buying council
    "admin": bearer(Role.ADMIN, COUNCIL, "ada"),
    "officer-elsewhere": bearer(Role.COMMISSIONER, ELSEWHERE, "carl"),
    "auditor": bearer(Role.AUDITOR, COUNCIL, "audrey"),
    "provider": provider(RURAL),
}


class Row(NamedTuple):
    caller: str
    authority: str  # "default": no scheme recorded; "within" / "beyond" / "beyond-held": cathy's entry for the lot
    status: int
    problem: str = ""  # how the problem type ends, for refusals


# The answer each caller gets, by the authority the scheme gives cathy (the decision is worth £380,000 to award
# and £400,000 to vary). Another council's officer is refused as not the buyer whatever their authority; the
# admin holds no entry once a scheme is recorded; auditors and providers never pass the door.
TABLE = [
    Row("officer", "default", 200),
    Row("officer", "within", 200),
    Row("officer", "beyond", 403, "within-delegated-limit"),
    Row("officer", "beyond-held", 202),
    Row("admin", "default", 200),
    Row("admin", "within", 403, "delegated-authority"),
    Row("officer-elsewhere", "default", 403),
    Row("officer-elsewhere", "within", 403),
    Row("officer-elsewhere", "beyond-held", 403),
    Row("auditor", "within", 403),
    Row("provider", "within", 403),
]
LIMITS = {
    "within": ("1000000", "refused"),
    "beyond": ("350000", "refused"),
    "beyond-held": ("350000", "held-for-approval"),
}


def record_scheme(client: TestClient[Any], decision: str, authority: str) -> None:
    """Cathy's entry for the decision in her council's scheme; nothing for the default. (The other council has
    no scheme recorded, so its officer holds the default's authority there: refused as not the record's owner.)"""
    if authority == "default":
        return
    up_to, beyond = LIMITS[authority]
    body = {"decision": decision, "holders": {"subjects": ["cathy"]}, "source": "CPR 4.2", "up_to": up_to}
    ok(client.post("/delegations", json={**body, "beyond_limit": beyond}, headers=ADMIN), 201)


def awarding(client: TestClient[Any], market: Marketplace, clock: FixedClock) -> Callable[[dict[str, str]], Any]:
    path, bids = tender_in_evaluation(client, market, clock)
    body = {"lot_id": "north", "bid_id": bids["north"], "reason": "Most advantageous"}
    return lambda headers: client.post(f"{path}/award", json=body, headers=headers)


def varying(client: TestClient[Any], market: Marketplace, clock: FixedClock) -> Callable[[dict[str, str]], Any]:
    contract = tendering_journey(client, market, clock).contracts[0]
    body = {"reason": "More hours", "value": "400000"}
    return lambda headers: client.post(f"/contracts/{contract}/vary", json=body, headers=headers)


DECISIONS = {"award-contract": awarding, "vary-contract": varying}


@pytest.mark.parametrize("decision", sorted(DECISIONS))
@pytest.mark.parametrize("row", TABLE, ids=lambda row: f"{row.caller}-{row.authority}")
def test_each_caller_on_each_record_within_and_beyond_authority_gets_the_answer_its_row_gives(
    market: Marketplace, client: TestClient[Any], clock: FixedClock, decision: str, row: Row
) -> None:
    decide = DECISIONS[decision](client, market, clock)
    record_scheme(client, decision, row.authority)
    answer = decide(CALLERS[row.caller])
    assert answer.status_code == row.status, answer.text
    if row.problem:
        assert answer.json()["type"].endswith(row.problem), answer.text
