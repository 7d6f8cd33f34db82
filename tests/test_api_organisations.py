"""The organisation register over HTTP: register, read, browse, update, verify, deactivate, and who sees contacts."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import TestClient

from domain.base import Role
from marketplace.service import Marketplace
from projections.pagination import encode_cursor
from tests.conftest import bearer, event_count, registration

CHARITY = "GB-CHC-1234567"
OTHER = "GB-CHC-7654321"
REASON = {"reason": "Checked against the Charity Commission register."}

# name, identifier, size, vcse, postcode: deliberately registered out of name order.
DIRECTORY = [
    ("Wem Youth Trust", "GB-CHC-1000005", "micro", True, "SY4 5AA"),
    ("Clun Valley Care Ltd", "GB-COH-10000002", "medium", False, "SY7 8AA"),
    ("Ludlow Food Bank", "GB-CHC-1000003", "small", True, "SY8 1BB"),
    ("Oswestry Men's Shed", "GB-CHC-1000004", "micro", True, "SY11 1AA"),
    ("Bishop's Castle Buses", "GB-COH-10000001", "large", False, "SY9 5AA"),
]


def provider(organisation: str = CHARITY) -> dict[str, str]:
    return bearer(Role.PROVIDER, organisation, f"staff-of-{organisation}")


def register(client: TestClient[Any], headers: dict[str, str], **overrides: Any) -> Any:
    response = client.post("/organisations", json=registration(**overrides), headers=headers)
    assert response.status_code == 201, response.text
    return response


@pytest.fixture
def charity(client: TestClient[Any], commissioner: dict[str, str]) -> str:
    register(client, commissioner, identifier=CHARITY)
    return CHARITY


@pytest.fixture
def directory(client: TestClient[Any], commissioner: dict[str, str]) -> list[str]:
    for name, identifier, size, vcse, code in DIRECTORY:
        address = {"line1": "1 High Street", "town": "Shropshire", "postcode": code}
        register(client, commissioner, identifier=identifier, name=name, size=size, vcse=vcse, address=address)
    client.post(f"/organisations/{DIRECTORY[2][1]}/verify", json=REASON, headers=commissioner)
    return sorted(name for name, *_ in DIRECTORY)


def names(client: TestClient[Any], query: str) -> list[str]:
    response = client.get(f"/organisations?{query}")
    assert response.status_code == 200, response.text
    return [item["name"] for item in response.json()["items"]]


# The journey


def test_registering_answers_201_with_location_etag_and_event_position(
    client: TestClient[Any], market: Marketplace, commissioner: dict[str, str]
) -> None:
    response = client.post("/organisations", json=registration(CHARITY), headers=commissioner)
    assert response.status_code == 201
    assert response.headers["location"] == f"/organisations/{CHARITY}"
    assert response.headers["etag"] == '"1"'
    assert response.headers["x-event-position"] == str(event_count(market))
    assert response.json()["identifier"] == CHARITY
    assert response.json()["version"] == 1


def test_a_provider_may_register_its_own_organisation(client: TestClient[Any]) -> None:
    response = client.post("/organisations", json=registration(CHARITY), headers=provider(CHARITY))
    assert response.status_code == 201


def test_an_identifier_is_stored_in_its_canonical_form(client: TestClient[Any], commissioner: dict[str, str]) -> None:
    response = register(client, commissioner, identifier=" gb-chc-1234567 ")
    assert response.headers["location"] == f"/organisations/{CHARITY}"
    assert client.get("/organisations/gb-chc-1234567").json()["identifier"] == CHARITY


def test_the_postcode_is_stored_normalised(client: TestClient[Any], commissioner: dict[str, str]) -> None:
    address = {"line1": "4 Mill Street", "town": "Ludlow", "postcode": "sy81bb"}
    assert register(client, commissioner, address=address).json()["address"]["postcode"] == "SY8 1BB"


def test_reading_one_organisation_gives_its_version_as_etag(client: TestClient[Any], charity: str) -> None:
    response = client.get(f"/organisations/{charity}")
    assert response.status_code == 200
    assert response.headers["etag"] == '"1"'
    assert response.json()["name"] == "Shropshire Rural Befrienders"
    assert response.json()["status"] == "active"
    assert response.json()["verified"] is False


def test_an_unknown_organisation_is_404_problem_json(client: TestClient[Any]) -> None:
    response = client.get("/organisations/GB-CHC-9999999")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


def test_updating_details_changes_only_the_fields_given_and_bumps_the_etag(
    client: TestClient[Any], charity: str
) -> None:
    response = client.patch(
        f"/organisations/{charity}", json={"name": "Ludlow Befrienders"}, headers={**provider(), "If-Match": '"1"'}
    )
    assert response.status_code == 200
    assert response.headers["etag"] == '"2"'
    assert response.json()["name"] == "Ludlow Befrienders"
    assert response.json()["size"] == "small"
    assert client.get(f"/organisations/{charity}").headers["etag"] == '"2"'


@pytest.mark.parametrize(
    ("deactivated", "change", "status"),
    [(False, {"size": "small"}, 422), (True, {"name": "Zombie Trust"}, 409)],
    ids=["that-changes-nothing", "of-a-deactivated-organisation"],
)
def test_an_update_that_a_rule_refuses_writes_nothing(
    client: TestClient[Any], market: Marketplace, charity: str, deactivated: bool, change: dict[str, Any], status: int
) -> None:
    if deactivated:
        client.post(f"/organisations/{charity}/deactivate", json={"reason": "Wound up."}, headers=provider())
    before = event_count(market)
    assert client.patch(f"/organisations/{charity}", json=change, headers=provider()).status_code == status
    assert event_count(market) == before


def test_a_commissioner_verifies_an_organisation_with_a_reason(
    client: TestClient[Any], charity: str, commissioner: dict[str, str]
) -> None:
    response = client.post(f"/organisations/{charity}/verify", json=REASON, headers=commissioner)
    assert response.status_code == 200
    assert response.headers["etag"] == '"2"'
    assert response.json()["verified"] is True
    assert client.get(f"/organisations/{charity}").json()["verified"] is True


def test_verifying_twice_is_a_409_conflict(client: TestClient[Any], charity: str, commissioner: dict[str, str]) -> None:
    client.post(f"/organisations/{charity}/verify", json=REASON, headers=commissioner)
    response = client.post(f"/organisations/{charity}/verify", json=REASON, headers=commissioner)
    assert response.status_code == 409
    assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(
    "change",
    [{"name": "Ludlow Befrienders"}, {"legal_form": "company"}, {"size": "medium"}, {"vcse": False}],
    ids=["name", "legal_form", "size", "vcse"],
)
def test_changing_who_the_organisation_is_clears_its_verification(
    client: TestClient[Any], charity: str, commissioner: dict[str, str], change: dict[str, Any]
) -> None:
    client.post(f"/organisations/{charity}/verify", json=REASON, headers=commissioner)
    response = client.patch(f"/organisations/{charity}", json=change, headers=provider())
    assert response.status_code == 200
    assert response.json()["verified"] is False
    assert client.get(f"/organisations/{charity}").json()["verified"] is False


def test_changing_where_the_organisation_is_keeps_its_verification(
    client: TestClient[Any], charity: str, commissioner: dict[str, str]
) -> None:
    client.post(f"/organisations/{charity}/verify", json=REASON, headers=commissioner)
    moved = {"address": {"line1": "1 Broad Street", "town": "Ludlow", "postcode": "SY8 1NG"}}
    response = client.patch(f"/organisations/{charity}", json=moved, headers=provider())
    assert response.status_code == 200
    assert response.json()["verified"] is True
    assert response.json()["address"]["postcode"] == "SY8 1NG"


def test_an_organisation_deactivates_itself_with_a_reason(client: TestClient[Any], charity: str) -> None:
    response = client.post(f"/organisations/{charity}/deactivate", json={"reason": "Wound up."}, headers=provider())
    assert response.status_code == 200
    assert response.json()["status"] == "deactivated"
    assert client.get(f"/organisations/{charity}").json()["status"] == "deactivated"


def test_the_whole_journey_leaves_one_event_per_accepted_command(
    client: TestClient[Any], market: Marketplace, commissioner: dict[str, str]
) -> None:
    register(client, provider(), identifier=CHARITY)
    client.patch(f"/organisations/{CHARITY}", json={"name": "Ludlow Befrienders"}, headers=provider())
    client.post(f"/organisations/{CHARITY}/verify", json=REASON, headers=commissioner)
    last = client.post(f"/organisations/{CHARITY}/deactivate", json={"reason": "Wound up."}, headers=provider())
    assert event_count(market) == 4
    assert last.headers["etag"] == '"4"'
    assert last.headers["x-event-position"] == "4"


# The directory


def test_the_directory_lists_organisations_in_name_order(client: TestClient[Any], directory: list[str]) -> None:
    assert names(client, "") == directory


def test_paging_the_directory_shows_every_organisation_exactly_once_in_name_order(
    client: TestClient[Any], directory: list[str]
) -> None:
    seen: list[str] = []
    cursor: str | None = None
    for _ in range(10):
        query = "limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = client.get(f"/organisations?{query}").json()
        assert len(page["items"]) <= 2
        seen += [item["name"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == directory


def test_a_page_that_reaches_the_end_has_no_next_cursor(client: TestClient[Any], directory: list[str]) -> None:
    assert client.get(f"/organisations?limit={len(directory)}").json()["next_cursor"] is None


def test_a_cursor_this_service_did_not_give_is_a_400_problem(client: TestClient[Any]) -> None:
    response = client.get("/organisations?cursor=not-a-cursor")
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"][0]["field"] == "cursor"


@pytest.mark.parametrize("values", [[1, 2], ["Ludlow", {"id": 1}], [None, "GB-CHC-1"], [True, "x"]])
def test_a_hand_made_cursor_with_values_of_the_wrong_kinds_is_a_400_problem_not_a_database_error(
    client: TestClient[Any], values: list[Any]
) -> None:
    response = client.get(f"/organisations?cursor={encode_cursor(values)}")
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "cursor"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("size=micro", ["Oswestry Men's Shed", "Wem Youth Trust"]),
        ("vcse=false", ["Bishop's Castle Buses", "Clun Valley Care Ltd"]),
        ("district=SY11", ["Oswestry Men's Shed"]),
        ("district=sy8", ["Ludlow Food Bank"]),
        ("verified=true", ["Ludlow Food Bank"]),
        ("vcse=true&verified=false", ["Oswestry Men's Shed", "Wem Youth Trust"]),
        ("size=large&vcse=true", []),
    ],
)
def test_the_directory_filters(client: TestClient[Any], directory: list[str], query: str, expected: list[str]) -> None:
    assert names(client, query) == expected


def test_filters_and_paging_combine(client: TestClient[Any], directory: list[str]) -> None:
    first = client.get("/organisations?vcse=true&limit=2").json()
    second = client.get(f"/organisations?vcse=true&limit=2&cursor={first['next_cursor']}").json()
    listed = [item["name"] for item in first["items"] + second["items"]]
    assert listed == ["Ludlow Food Bank", "Oswestry Men's Shed", "Wem Youth Trust"]
    assert second["next_cursor"] is None


def test_the_directory_shows_deactivated_organisations_only_when_asked(
    client: TestClient[Any], directory: list[str]
) -> None:
    wem = DIRECTORY[0][1]
    client.post(f"/organisations/{wem}/deactivate", json={"reason": "Closed."}, headers=provider(wem))
    assert names(client, "status=deactivated") == ["Wem Youth Trust"]
    assert "Wem Youth Trust" not in names(client, "status=active")


def test_a_district_that_is_not_a_postcode_district_is_refused(client: TestClient[Any]) -> None:
    response = client.get("/organisations?district=99")
    assert 400 <= response.status_code < 500
    assert response.json()["errors"][0]["field"] == "district"


# Who sees the contact person (personal data)


def contact_seen_by(client: TestClient[Any], identifier: str, headers: dict[str, str]) -> tuple[Any, Any]:
    one = client.get(f"/organisations/{identifier}", headers=headers).json()
    listed = client.get("/organisations", headers=headers).json()["items"]
    return one.get("contact"), next(item for item in listed if item["identifier"] == identifier).get("contact")


@pytest.mark.parametrize(
    "who",
    [
        pytest.param({}, id="anonymous"),
        pytest.param(provider(OTHER), id="another-provider"),
    ],
)
def test_contact_details_are_hidden_from_the_public_and_other_providers(
    client: TestClient[Any], charity: str, who: dict[str, str]
) -> None:
    assert contact_seen_by(client, charity, who) == (None, None)


@pytest.mark.parametrize(
    "who",
    [
        pytest.param(provider(CHARITY), id="the-organisation-itself"),
        pytest.param(bearer(Role.COMMISSIONER, "GB-LAE-SHR", "cathy"), id="commissioner"),
        pytest.param(bearer(Role.AUDITOR, "GB-LAE-SHR", "audrey"), id="auditor"),
    ],
)
def test_contact_details_are_shown_to_the_organisation_and_council_officers(
    client: TestClient[Any], charity: str, who: dict[str, str]
) -> None:
    contact = {"name": "Ann Example", "email": "ann@example.org", "phone": ""}
    assert contact_seen_by(client, charity, who) == (contact, contact)


def test_a_commissioners_write_answer_hides_nothing_but_another_providers_never_gets_one(
    client: TestClient[Any], charity: str, commissioner: dict[str, str]
) -> None:
    answer = client.post(f"/organisations/{charity}/verify", json=REASON, headers=commissioner)
    assert answer.json()["contact"]["email"] == "ann@example.org"
    refused = client.patch(f"/organisations/{charity}", json={"name": "Hijacked"}, headers=provider(OTHER))
    assert refused.status_code == 403
    assert "ann@example.org" not in refused.text


def test_a_sole_traders_address_is_for_itself_and_council_officers_now_and_as_it_stood(
    client: TestClient[Any], commissioner: dict[str, str]
) -> None:
    trader = "GB-COH-01234567"
    register(client, provider(trader), identifier=trader, legal_form="sole-trader", vcse=False, size="micro")
    for query in ("", "?version=1"):
        path = f"/organisations/{trader}{query}"
        assert client.get(path).json()["address"] is None
        assert client.get(path, headers=provider(CHARITY)).json()["address"] is None
        assert client.get(path, headers=provider(trader)).json()["address"]["postcode"] == "SY8 1BB"
        assert client.get(path, headers=commissioner).json()["address"]["postcode"] == "SY8 1BB"
    listed = {o["identifier"]: o for o in client.get("/organisations").json()["items"]}
    assert listed[trader]["address"] is None
