"""Every refusal on the organisation register is RFC 9457 problem+json, names the field at fault, and writes nothing."""

from __future__ import annotations

import itertools
import json
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from litestar.testing import TestClient

from domain.base import Actor, Role
from marketplace.service import Marketplace
from marketplace.tokens import issue_token
from tests.conftest import SECRET, bearer, event_count, registration

CHARITY = "GB-CHC-1234567"
OTHER = "GB-CHC-7654321"
REASON = {"reason": "Checked against the Charity Commission register."}
ONE_MIB = 1024 * 1024

# Every write route, with a body it would accept from an allowed caller.
ROUTES = [
    pytest.param("POST", "/organisations", registration("GB-CHC-7777777"), id="register"),
    pytest.param("PATCH", f"/organisations/{CHARITY}", {"name": "Renamed Trust"}, id="update"),
    pytest.param("POST", f"/organisations/{CHARITY}/verify", REASON, id="verify"),
    pytest.param("POST", f"/organisations/{CHARITY}/deactivate", REASON, id="deactivate"),
]
WRITE_ROUTES = [(p.values[0], p.values[1]) for p in ROUTES]


def provider(organisation: str = CHARITY) -> dict[str, str]:
    return bearer(Role.PROVIDER, organisation, f"staff-of-{organisation}")


def token(actor: Actor, secret: str = SECRET, lifetime: timedelta = timedelta(hours=1)) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(secret, actor, lifetime)}"}


def assert_problem(response: Any, status: int, field: str | None = None) -> dict[str, Any]:
    """An RFC 9457 problem: the status, its members, and (when given) the field at fault."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem: dict[str, Any] = response.json()
    assert {"type", "title", "status", "detail"} <= problem.keys()
    assert problem["status"] == status
    assert problem["type"].startswith("urn:marketplace:problem:")
    assert problem["title"] and problem["detail"]
    if field is not None:
        assert field in [error["field"] for error in problem.get("errors", [])], problem
    return problem


@pytest.fixture(autouse=True)
def charity(client: TestClient[Any], commissioner: dict[str, str]) -> str:
    assert client.post("/organisations", json=registration(CHARITY), headers=commissioner).status_code == 201
    return CHARITY


# Who may write


UNSIGNED = [
    pytest.param({}, id="no-token"),
    pytest.param({"Authorization": "Bearer garbage"}, id="garbage-token"),
    pytest.param({"Authorization": "Bearer "}, id="empty-token"),
    pytest.param({"Authorization": "Basic dXNlcjpwYXNz"}, id="not-bearer"),
    pytest.param(token(Actor("cathy", "GB-LAE-SHR", Role.COMMISSIONER), secret="y" * 44), id="foreign-signature"),
    pytest.param(token(Actor("cathy", "GB-LAE-SHR", Role.COMMISSIONER), lifetime=-timedelta(hours=1)), id="expired"),
    pytest.param(token(Actor("cron", "GB-LAE-SHR", Role.SYSTEM)), id="system-role"),
]


@pytest.mark.parametrize("headers", UNSIGNED)
@pytest.mark.parametrize(("method", "path", "body"), ROUTES)
@pytest.mark.request_layer  # refused before any write is attempted: SQLite alone
def test_a_write_without_a_valid_token_is_401_and_writes_nothing(
    client: TestClient[Any], market: Marketplace, method: str, path: str, body: Any, headers: dict[str, str]
) -> None:
    before = event_count(market)
    assert_problem(client.request(method, path, json=body, headers=headers), 401)
    assert event_count(market) == before


FORBIDDEN = [
    pytest.param(("POST", "/organisations"), bearer(Role.AUDITOR), id="auditor-registers"),
    pytest.param(("PATCH", f"/organisations/{CHARITY}"), bearer(Role.AUDITOR), id="auditor-updates"),
    pytest.param(("POST", f"/organisations/{CHARITY}/verify"), bearer(Role.AUDITOR), id="auditor-verifies"),
    pytest.param(("POST", f"/organisations/{CHARITY}/deactivate"), bearer(Role.AUDITOR), id="auditor-deactivates"),
    pytest.param(("POST", f"/organisations/{CHARITY}/verify"), provider(CHARITY), id="provider-verifies-itself"),
    pytest.param(("POST", "/organisations"), provider(OTHER), id="provider-registers-another"),
    pytest.param(("PATCH", f"/organisations/{CHARITY}"), provider(OTHER), id="provider-updates-another"),
    pytest.param(("POST", f"/organisations/{CHARITY}/verify"), provider(OTHER), id="provider-verifies-another"),
    pytest.param(("POST", f"/organisations/{CHARITY}/deactivate"), provider(OTHER), id="provider-deactivates-another"),
]


@pytest.mark.parametrize(("route", "headers"), FORBIDDEN)
@pytest.mark.request_layer  # refused before any write is attempted: SQLite alone
def test_a_write_by_the_wrong_role_or_for_another_organisation_is_403_and_writes_nothing(
    client: TestClient[Any], market: Marketplace, route: tuple[str, str], headers: dict[str, str]
) -> None:
    method, path = route
    body = next(p.values[2] for p in ROUTES if (p.values[0], p.values[1]) == route)
    before = event_count(market)
    assert_problem(client.request(method, path, json=body, headers=headers), 403)
    assert event_count(market) == before


def test_every_write_route_is_covered_by_the_403_matrix() -> None:
    routes = {p.values[0] for p in FORBIDDEN}
    assert routes == set(WRITE_ROUTES)


@pytest.mark.request_layer  # refused before any write is attempted: SQLite alone
def test_a_public_read_with_a_bad_token_is_401_rather_than_anonymous(client: TestClient[Any]) -> None:
    assert_problem(client.get(f"/organisations/{CHARITY}", headers={"Authorization": "Bearer garbage"}), 401)


# What the body may say


BAD_REGISTRATIONS = [
    pytest.param(registration(vcse="yes"), 400, "vcse", id="wrong-type"),
    pytest.param(registration(name=7), 400, "name", id="number-for-text"),
    pytest.param(registration(size="huge"), 400, "size", id="not-a-size-class"),
    pytest.param(registration(legal_form="llama"), 400, "legal_form", id="not-a-legal-form"),
    pytest.param(registration(name="x" * 201), 400, "name", id="name-too-long"),
    pytest.param(
        registration(address={"line1": "4 Mill Street", "town": "Ludlow", "postcode": 5}),
        400,
        "address.postcode",
        id="nested-wrong-type",
    ),
    pytest.param({k: v for k, v in registration().items() if k != "name"}, 400, "name", id="missing-field"),
    pytest.param(
        registration(address={"line1": "4 Mill Street", "town": "Ludlow"}),
        400,
        "address.postcode",
        id="missing-nested-field",
    ),
    pytest.param(registration(colour="red"), 400, "colour", id="unknown-field"),
    pytest.param(
        registration(contact={"name": "Ann", "email": "ann@example.org", "twitter": "@ann"}),
        400,
        "contact.twitter",
        id="unknown-nested-field",
    ),
    pytest.param([registration()], 400, "body", id="array-not-object"),
    pytest.param("GB-CHC-1234567", 400, "body", id="string-not-object"),
    pytest.param(registration("GB-XXX-1"), 422, "identifier", id="unknown-identifier-scheme"),
    pytest.param(registration("GB-CHC-12"), 422, "identifier", id="identifier-wrong-shape"),
    pytest.param(
        registration("GB-CHC-7777777", address={"line1": "4 Mill Street", "town": "Ludlow", "postcode": "NOT A PC"}),
        422,
        "address.postcode",
        id="invalid-postcode",
    ),
    pytest.param(
        registration("GB-CHC-7777777", contact={"name": "Ann", "email": "ann.example.org"}),
        422,
        "contact.email",
        id="invalid-email",
    ),
    pytest.param(registration("GB-CHC-7777777", name="   "), 422, "name", id="blank-name"),
]


BAD_UPDATES = [
    pytest.param({"vcse": "no"}, 400, "vcse", id="wrong-type"),
    pytest.param({"nickname": "Befrienders"}, 400, "nickname", id="unknown-field"),
    pytest.param(
        {"address": {"line1": "1 High St", "town": "Ludlow", "postcode": "ZZ99 ZZZ"}},
        422,
        "address.postcode",
        id="invalid-postcode",
    ),
    pytest.param({"contact": {"name": "Bob", "email": "bob@"}}, 422, "contact.email", id="invalid-email"),
    pytest.param({"contact": {"email": "bob@example.org"}}, 400, "contact.name", id="missing-nested-field"),
    pytest.param({"identifier": OTHER}, 400, "identifier", id="identifier-is-not-updatable"),
]


BAD_WRITES = [
    *(pytest.param("POST", "/organisations", *bad.values, id=f"register-{bad.id}") for bad in BAD_REGISTRATIONS),
    *(pytest.param("PATCH", f"/organisations/{CHARITY}", *bad.values, id=f"update-{bad.id}") for bad in BAD_UPDATES),
]


@pytest.mark.parametrize(("method", "path", "body", "status", "field"), BAD_WRITES)
@pytest.mark.request_layer  # refused before any write is attempted: SQLite alone
def test_a_bad_registration_or_update_is_refused_naming_the_field_and_writes_nothing(
    client: TestClient[Any],
    market: Marketplace,
    commissioner: dict[str, str],
    method: str,
    path: str,
    body: Any,
    status: int,
    field: str,
) -> None:
    before = event_count(market)
    assert_problem(client.request(method, path, json=body, headers=commissioner), status, field)
    assert event_count(market) == before


RAW_BODIES = [
    pytest.param(b'{"identifier": ', id="truncated-json"),
    pytest.param(b"{not json}", id="malformed-json"),
    pytest.param(b"", id="empty"),
    pytest.param(b"null", id="null"),
    pytest.param(b"\xff\xfe\x00", id="not-utf8"),
]


@pytest.mark.parametrize("content", RAW_BODIES)
@pytest.mark.parametrize(("method", "path"), WRITE_ROUTES)
@pytest.mark.request_layer  # refused before any write is attempted: SQLite alone
def test_a_body_that_is_not_a_json_object_is_a_400_problem_and_writes_nothing(
    client: TestClient[Any], market: Marketplace, commissioner: dict[str, str], method: str, path: str, content: bytes
) -> None:
    before = event_count(market)
    headers = {**commissioner, "Content-Type": "application/json"}
    problem = assert_problem(client.request(method, path, content=content, headers=headers), 400)
    assert "'data'" not in problem["detail"]
    assert event_count(market) == before


@pytest.mark.parametrize(("method", "path"), WRITE_ROUTES)
@pytest.mark.request_layer  # refused before any write is attempted: SQLite alone
def test_a_body_over_one_mebibyte_is_a_413_problem_and_writes_nothing(
    client: TestClient[Any], market: Marketplace, commissioner: dict[str, str], method: str, path: str
) -> None:
    before = event_count(market)
    content = b'{"name": "' + b"x" * ONE_MIB + b'"}'
    headers = {**commissioner, "Content-Type": "application/json"}
    assert_problem(client.request(method, path, content=content, headers=headers), 413)
    assert event_count(market) == before


# A decision must say why


NO_REASON = [
    pytest.param({}, 400, id="missing"),
    pytest.param({"reason": None}, 400, id="null"),
    pytest.param({"reason": ""}, 400, id="empty"),
    pytest.param({"reason": "ok"}, 400, id="too-short"),
    pytest.param({"reason": "   "}, 422, id="blank"),
    pytest.param({"reason": " \t\n  "}, 422, id="whitespace"),
    pytest.param({"reason": "x" * 2001}, 400, id="too-long"),
]


@pytest.mark.parametrize(("body", "status"), NO_REASON)
@pytest.mark.parametrize("decision", ["verify", "deactivate"])
def test_a_decision_without_a_reason_is_refused_and_writes_nothing(
    client: TestClient[Any], market: Marketplace, commissioner: dict[str, str], decision: str, body: Any, status: int
) -> None:
    before = event_count(market)
    response = client.post(f"/organisations/{CHARITY}/{decision}", json=body, headers=commissioner)
    assert_problem(response, status, "reason")
    assert event_count(market) == before


# Headers a write may carry


@pytest.mark.parametrize(
    ("header", "value"),
    [("Idempotency-Key", "has spaces in it"), ("Idempotency-Key", "k" * 201), ("X-Request-ID", "semi;colon")],
)
@pytest.mark.request_layer  # refused before any write is attempted: SQLite alone
def test_a_malformed_token_header_is_a_400_naming_the_header(
    client: TestClient[Any], market: Marketplace, commissioner: dict[str, str], header: str, value: str
) -> None:
    before = event_count(market)
    response = client.post("/organisations", json=registration(OTHER), headers={**commissioner, header: value})
    assert_problem(response, 400, header)
    assert event_count(market) == before


@pytest.mark.parametrize("value", ["version one", '"-1"', '"1", "2"', "W/"])
@pytest.mark.request_layer  # refused before any write is attempted: SQLite alone
def test_an_if_match_that_is_not_an_etag_we_gave_is_a_400_naming_if_match(
    client: TestClient[Any], market: Marketplace, commissioner: dict[str, str], value: str
) -> None:
    before = event_count(market)
    response = client.patch(
        f"/organisations/{CHARITY}", json={"name": "Renamed"}, headers={**commissioner, "If-Match": value}
    )
    assert_problem(response, 400, "If-Match")
    assert event_count(market) == before


def test_a_second_organisation_with_the_same_identifier_is_refused_with_409(
    client: TestClient[Any], market: Marketplace, commissioner: dict[str, str]
) -> None:
    before = event_count(market)
    response = client.post("/organisations", json=registration(" gb-chc-1234567"), headers=commissioner)
    assert_problem(response, 409)
    assert event_count(market) == before


@pytest.mark.parametrize(("method", "path"), WRITE_ROUTES[1:])
def test_a_write_to_an_unknown_organisation_is_404_and_writes_nothing(
    client: TestClient[Any], market: Marketplace, commissioner: dict[str, str], method: str, path: str
) -> None:
    before = event_count(market)
    body = next(p.values[2] for p in ROUTES if p.values[1] == path)
    assert_problem(
        client.request(method, path.replace(CHARITY, "GB-CHC-9999999"), json=body, headers=commissioner), 404
    )
    assert event_count(market) == before


# Properties: whatever arrives, the answer is a 4xx problem or a real change, never a 5xx or a half-write

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=12,
)
FUZZ = settings(
    max_examples=50, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@FUZZ
@given(route=st.sampled_from(WRITE_ROUTES), value=json_values)
def test_an_arbitrary_json_body_is_never_a_5xx_and_never_writes(
    client: TestClient[Any], market: Marketplace, commissioner: dict[str, str], route: tuple[str, str], value: Any
) -> None:
    before = event_count(market)
    content = json.dumps(value).encode()
    response = client.request(*route, content=content, headers={**commissioner, "Content-Type": "application/json"})
    assert 400 <= response.status_code < 500, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert event_count(market) == before


@FUZZ
@given(route=st.sampled_from(WRITE_ROUTES), content=st.binary(max_size=200))
def test_arbitrary_bytes_as_the_body_are_never_a_5xx_and_never_write(
    client: TestClient[Any], market: Marketplace, commissioner: dict[str, str], route: tuple[str, str], content: bytes
) -> None:
    before = event_count(market)
    response = client.request(*route, content=content, headers={**commissioner, "Content-Type": "application/json"})
    assert 400 <= response.status_code < 500, response.text
    assert event_count(market) == before


fresh_identifiers = (f"GB-CHC-{n}" for n in itertools.count(2000000))


@FUZZ
@given(field=st.sampled_from(sorted(registration())), value=json_values | st.text())
def test_a_registration_with_any_one_field_replaced_is_either_one_event_or_a_problem_and_none(
    client: TestClient[Any], market: Marketplace, commissioner: dict[str, str], field: str, value: Any
) -> None:
    body = registration(next(fresh_identifiers))
    body[field] = value
    before = event_count(market)
    response = client.post(
        "/organisations",
        content=json.dumps(body).encode(),
        headers={**commissioner, "Content-Type": "application/json"},
    )
    if response.status_code == 201:
        assert event_count(market) == before + 1
    else:
        assert 400 <= response.status_code < 500, response.text
        assert response.headers["content-type"] == "application/problem+json"
        assert event_count(market) == before
