"""Every money field a request carries refuses what is not money: a 4xx problem+json naming the field, and no event.

The fields: tender lot values (drafted, revised, amended), bid prices (submitted, replaced), a registration's hourly
rate (applied, resubmitted), an insurance cover amount, and a contract's varied value. Each is fed NaN, infinities,
1e400, 1e308, 400 digits, a tenth of a penny and 10**12 (and, for an hourly rate, 10**8), as strings and, where JSON
allows, as numbers. On SQLite and on PostgreSQL (the `database_url` fixture), since a value one database keeps and
the other refuses is what stalled the views.

A JSON number no binary float holds exactly (1e400 as a number, not a string) is read exactly by the body decoder
(api.fields.exact_number), so the field's own rule refuses it, naming the field.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any, NamedTuple

import pytest
from litestar.testing import TestClient

from api.fields import exact_number
from marketplace.clock import FixedClock
from marketplace.service import Marketplace
from tests.conftest import event_count
from tests.journeys import (
    OFFICER,
    RURAL,
    offer,
    ok,
    provider,
    publish_tender,
    register_the_market,
    tender_terms,
    tendering_journey,
)
from tests.test_api_refusals import assert_problem
from tests.test_api_registrations import APPLICATION, EVIDENCE, apply, register_organisations
from tests.test_api_registrations import provider as care_provider

MONEY = "__money__"  # where a body's amount goes: replaced by a raw JSON token, so numbers JSON allows stay numbers
LARGEST = "999999999999.99"  # what every amount column holds: NUMERIC(14, 2) is below 10**12
LARGEST_HOURLY_RATE = "99999999.99"  # registrations.hourly_rate is NUMERIC(10, 2): below 10**8

NOT_MONEY = [
    *(
        json.dumps(text)
        for text in ("NaN", "-NaN", "sNaN", "Infinity", "-Infinity", "inf", "1e400", "1e308", "9" * 400, "0.001")
    ),
    *(json.dumps(text) for text in ("1000000000000", "1000000000000.00", "1e12", "-0.01")),
    "1e308",
    "9" * 400,
    "0.001",
    "1000000000000",
    "1e12",
    "-0.01",
    "-1",
]
BEYOND_A_DOUBLE = ["1e400", "-1e400", "9" * 399 + ".5"]  # JSON numbers no binary float can hold
FINER_THAN_A_DOUBLE = ["999999999.99000001", "0.1000000000000000001"]  # sub-penny digits a float would drop
NOT_AN_HOURLY_RATE = ['"100000000"', "100000000", '"99999999.999"']  # money, but more than the column holds


class MoneyField(NamedTuple):
    method: str
    path: str
    body: dict[str, Any]
    headers: dict[str, str]
    field: str


Setup = Callable[[TestClient[Any], Marketplace, FixedClock], MoneyField]


def _lots(clock: FixedClock, index: int) -> list[dict[str, Any]]:
    lots: list[dict[str, Any]] = tender_terms(clock)["lots"]
    lots[index]["value"] = MONEY
    return lots


def tender_drafted(client: TestClient[Any], market: Marketplace, clock: FixedClock) -> MoneyField:
    return MoneyField("POST", "/tenders", {**tender_terms(clock), "lots": _lots(clock, 0)}, OFFICER, "lots[0].value")


def tender_revised(client: TestClient[Any], market: Marketplace, clock: FixedClock) -> MoneyField:
    tender = ok(client.post("/tenders", json=tender_terms(clock), headers=OFFICER), 201)
    return MoneyField("PATCH", f"/tenders/{tender['id']}", {"lots": _lots(clock, 1)}, OFFICER, "lots[1].value")


def tender_amended(client: TestClient[Any], market: Marketplace, clock: FixedClock) -> MoneyField:
    tender = publish_tender(client, clock)
    body = {"lots": _lots(clock, 0), "reason": "Lot values corrected after market engagement"}
    return MoneyField("POST", f"/tenders/{tender}/amend", body, OFFICER, "lots[0].value")


def bid_submitted(client: TestClient[Any], market: Marketplace, clock: FixedClock) -> MoneyField:
    register_the_market(client)
    tender = publish_tender(client, clock)
    return MoneyField("POST", f"/tenders/{tender}/bids", offer({"north": MONEY}), provider(RURAL), "prices.north")


def bid_replaced(client: TestClient[Any], market: Marketplace, clock: FixedClock) -> MoneyField:
    register_the_market(client)
    tender = publish_tender(client, clock)
    bid = ok(client.post(f"/tenders/{tender}/bids", json=offer({"north": "380000"}), headers=provider(RURAL)), 201)
    return MoneyField("PUT", f"/bids/{bid['id']}", offer({"south": MONEY}), provider(RURAL), "prices.south")


def registration_applied(client: TestClient[Any], market: Marketplace, clock: FixedClock) -> MoneyField:
    register_organisations(client)
    return MoneyField("POST", "/registrations", {**APPLICATION, "hourly_rate": MONEY}, care_provider(), "hourly_rate")


def registration_resubmitted(client: TestClient[Any], market: Marketplace, clock: FixedClock) -> MoneyField:
    register_organisations(client)
    path = apply(client)
    ok(client.post(f"{path}/reject", json={"reason": "The hourly rate is not the one quoted"}, headers=OFFICER))
    return MoneyField("POST", f"{path}/resubmit", {"hourly_rate": MONEY}, care_provider(), "hourly_rate")


def insurance_evidenced(client: TestClient[Any], market: Marketplace, clock: FixedClock) -> MoneyField:
    register_organisations(client)
    path = apply(client)
    return MoneyField("POST", f"{path}/evidence", {**EVIDENCE[2], "amount": MONEY}, care_provider(), "amount")


def contract_varied(client: TestClient[Any], market: Marketplace, clock: FixedClock) -> MoneyField:
    contract = tendering_journey(client, market, clock).contracts[0]
    body = {"reason": "Uplift for the real living wage", "value": MONEY}
    return MoneyField("POST", f"/contracts/{contract}/vary", body, OFFICER, "value")


EVERY_MONEY_FIELD = [
    pytest.param(tender_drafted, id="POST /tenders lots[].value"),
    pytest.param(tender_revised, id="PATCH /tenders/{id} lots[].value"),
    pytest.param(tender_amended, id="POST /tenders/{id}/amend lots[].value"),
    pytest.param(bid_submitted, id="POST /tenders/{id}/bids prices"),
    pytest.param(bid_replaced, id="PUT /bids/{id} prices"),
    pytest.param(registration_applied, id="POST /registrations hourly_rate"),
    pytest.param(registration_resubmitted, id="POST /registrations/{id}/resubmit hourly_rate"),
    pytest.param(insurance_evidenced, id="POST /registrations/{id}/evidence amount"),
    pytest.param(contract_varied, id="POST /contracts/{id}/vary value"),
]
HOURLY_RATES = [registration_applied, registration_resubmitted]


def send(client: TestClient[Any], field: MoneyField, token: str) -> Any:
    """The body with its amount written as the raw JSON token given."""
    content = json.dumps(field.body).replace(json.dumps(MONEY), token)
    headers = {**field.headers, "Content-Type": "application/json"}
    return client.request(field.method, field.path, content=content, headers=headers)


def refuses(client: TestClient[Any], market: Marketplace, field: MoneyField, token: str) -> None:
    before = event_count(market)
    answer = send(client, field, token)
    assert answer.status_code in (400, 422), f"{token[:30]}: {answer.status_code} {answer.text[:300]}"
    assert_problem(answer, answer.status_code, field.field)
    assert event_count(market) == before, token[:30]


def _not_money(setup: Setup) -> list[str]:
    return NOT_MONEY + (NOT_AN_HOURLY_RATE if setup in HOURLY_RATES else [])


def _beyond_or_finer_than_a_double(setup: Setup) -> list[str]:
    return BEYOND_A_DOUBLE + FINER_THAN_A_DOUBLE


@pytest.mark.slow  # an exhaustive matrix: run by .ci/run with the slow suites
@pytest.mark.parametrize("tokens", [_not_money, _beyond_or_finer_than_a_double])
@pytest.mark.parametrize("setup", EVERY_MONEY_FIELD)
def test_every_money_field_refuses_what_is_not_money_or_beyond_a_double_naming_the_field_and_writing_nothing(
    client: TestClient[Any], market: Marketplace, clock: FixedClock, setup: Setup, tokens: Callable[[Setup], list[str]]
) -> None:
    """Not money (and, for an hourly rate, more than its column holds), or a JSON number no double holds exactly."""
    field = setup(client, market, clock)
    for token in tokens(setup):
        refuses(client, market, field, token)


@pytest.mark.parametrize("text", ["50.0", "400000.25", "0.1", "-0.0", "1e5", "1.5e308"])
def test_a_json_number_a_double_says_exactly_reads_as_the_double_as_before(text: str) -> None:
    assert exact_number(text) == float(text) and isinstance(exact_number(text), float)


@pytest.mark.parametrize("text", [*BEYOND_A_DOUBLE, *FINER_THAN_A_DOUBLE, "1e-400"])
def test_a_json_number_no_double_says_exactly_reads_as_the_decimal_written(text: str) -> None:
    assert exact_number(text) == Decimal(text) and isinstance(exact_number(text), Decimal)


# --- what is money is kept exactly, on both databases -------------------------------------------------------------


def test_the_largest_amount_is_kept_to_the_penny_by_the_tender_views(
    client: TestClient[Any], market: Marketplace, clock: FixedClock
) -> None:
    one_lot = [{"lot_id": "all", "title": "The whole county", "value": LARGEST}]
    tender = ok(client.post("/tenders", json={**tender_terms(clock), "lots": one_lot}, headers=OFFICER), 201)
    read = ok(client.get(f"/tenders/{tender['id']}", headers=OFFICER))
    assert (read["value"], read["lots"][0]["value"]) == (LARGEST, LARGEST)
    over = [*one_lot, {"lot_id": "more", "title": "And a penny", "value": "0.01"}]
    before = event_count(market)
    too_much = client.patch(f"/tenders/{tender['id']}", json={"lots": over}, headers=OFFICER)
    assert_problem(too_much, 422, "lots")
    assert event_count(market) == before


def test_the_largest_hourly_rate_and_cover_are_kept_to_the_penny_by_the_registration_views(
    client: TestClient[Any], market: Marketplace
) -> None:
    register_organisations(client)
    path = apply(client, hourly_rate=LARGEST_HOURLY_RATE)
    ok(client.post(f"{path}/evidence", json={**EVIDENCE[2], "amount": LARGEST}, headers=care_provider()), 201)
    read = ok(client.get(path, headers=OFFICER))
    assert read["hourly_rate"] == LARGEST_HOURLY_RATE
    assert [item["amount"] for item in read["evidence"]] == [LARGEST]
