"""A write's body is JSON or it is refused at the door: UTF-8, nested within a limit, sent as JSON.

Every route that takes a body is covered, found from the application itself, so a new route cannot
slip past the request decoder.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from litestar import Litestar
from litestar.routes import HTTPRoute
from litestar.testing import TestClient

from api.decoding import MAX_DEPTH
from domain.base import Role
from marketplace.service import Marketplace
from tests.conftest import bearer, event_count, registration

pytestmark = pytest.mark.request_layer  # answered before any database is asked: SQLite alone

CALLERS = [
    bearer(role, "GB-CHC-1234567" if role is Role.PROVIDER else "GB-LAE-SHR") for role in Role if role.value != "system"
]
ANY_ID = "GB-CHC-1234567"


def body_routes(app: Litestar) -> Iterator[tuple[str, str]]:
    """Every (method, path) whose handler takes a JSON body, its path parameters filled in."""
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for handler in route.route_handlers:
            if "data" in handler.parsed_fn_signature.parameters:
                for method in sorted(handler.http_methods):
                    numbered = re.sub(r"\{[^}]+:int\}", "0", route.path)  # a line number, say
                    yield method, re.sub(r"\{[^}]+\}", ANY_ID, numbered)


@pytest.fixture
def body_route_list(client: TestClient[Any]) -> list[tuple[str, str]]:
    return sorted(set(body_routes(client.app)))


def first_admitted(client: TestClient[Any], method: str, path: str, content: bytes, content_type: str) -> Any:
    """The answer to the first caller whose role the route admits (guards answer before the decoder)."""
    response = None
    for caller in CALLERS:
        headers = {**caller, "Content-Type": content_type}
        response = client.request(method, path, content=content, headers=headers)
        if response.status_code not in (401, 403):
            return response
    return response


def assert_problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem: dict[str, Any] = response.json()
    assert problem["status"] == status
    return problem


def nested(depth: int) -> bytes:
    """An object whose one field holds lists nested so the whole body is `depth` levels deep."""
    return b'{"name": ' + b"[" * (depth - 1) + b"]" * (depth - 1) + b"}"


def test_the_routes_that_take_a_body_are_found(body_route_list: list[tuple[str, str]]) -> None:
    assert len(body_route_list) >= 20, body_route_list


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(b'{"name": "caf\xe9"}', id="latin-1-in-a-string"),
        pytest.param(b'{"reason": "\xff\xfe"}', id="stray-bytes-in-a-string"),
        pytest.param(b'{"na\xc3me": "x"}', id="broken-sequence-in-a-key"),
    ],
)
def test_a_body_that_is_not_utf8_is_a_400_naming_the_body_on_every_write_route(
    client: TestClient[Any], market: Marketplace, body_route_list: list[tuple[str, str]], content: bytes
) -> None:
    before = event_count(market)
    for method, path in body_route_list:
        problem = assert_problem(first_admitted(client, method, path, content, "application/json"), 400)
        assert problem["errors"] == [{"field": "body", "message": problem["detail"]}], (method, path)
        assert "UTF-8" in problem["detail"]
    assert event_count(market) == before


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 10_000], ids=["one-past-the-limit", "ten-thousand"])
def test_a_body_nested_deeper_than_the_limit_is_a_400_naming_the_body_on_every_write_route(
    client: TestClient[Any], market: Marketplace, body_route_list: list[tuple[str, str]], depth: int
) -> None:
    before = event_count(market)
    for method, path in body_route_list:
        problem = assert_problem(first_admitted(client, method, path, nested(depth), "application/json"), 400)
        assert problem["errors"][0]["field"] == "body", (method, path)
        assert f"{MAX_DEPTH} levels" in problem["detail"]
    assert event_count(market) == before


def test_a_body_nested_to_the_limit_is_decoded_and_judged_on_what_it_says(
    client: TestClient[Any], commissioner: dict[str, str]
) -> None:
    body = nested(MAX_DEPTH)
    response = client.post("/organisations", content=body, headers={**commissioner, "Content-Type": "application/json"})
    problem = assert_problem(response, 400)
    assert "levels" not in problem["detail"]
    assert problem["errors"][0]["field"] != "body"


def test_many_shallow_brackets_are_not_mistaken_for_depth(
    client: TestClient[Any], commissioner: dict[str, str]
) -> None:
    """The cheap bracket count only decides whether to measure: wide is not deep."""
    lots = ", ".join(["[[1], {}]"] * 200)
    body = ('{"name": [' + lots + "]}").encode()
    response = client.post("/organisations", content=body, headers={**commissioner, "Content-Type": "application/json"})
    problem = assert_problem(response, 400)
    assert "levels" not in problem["detail"]


def test_brackets_inside_strings_are_text_not_depth(client: TestClient[Any], commissioner: dict[str, str]) -> None:
    name = '\\"' + "[{" * 40 + " Trust"  # an escaped quote first: the string does not end there
    body = json.dumps(registration(name=name, legal_form="[" * 40)).encode()
    response = client.post("/organisations", content=body, headers={**commissioner, "Content-Type": "application/json"})
    problem = assert_problem(response, 400)
    assert problem["errors"][0]["field"] in ("name", "legal_form"), problem
    assert "levels" not in problem["detail"]


NOT_JSON = [
    pytest.param("text/plain", id="text"),
    pytest.param("application/x-www-form-urlencoded", id="form"),
    pytest.param("multipart/form-data; boundary=xyz", id="multipart"),
    pytest.param("application/xml", id="xml"),
    pytest.param("text/json", id="text-json"),
    pytest.param("application/json; charset=latin-1", id="json-in-latin-1"),
    pytest.param("", id="none-given"),
]


@pytest.mark.parametrize("content_type", NOT_JSON)
def test_a_body_sent_as_anything_but_json_is_a_415_on_every_write_route(
    client: TestClient[Any], market: Marketplace, body_route_list: list[tuple[str, str]], content_type: str
) -> None:
    before = event_count(market)
    body = b'{"name": "Renamed Trust", "reason": "Checked."}'
    for method, path in body_route_list:
        problem = assert_problem(first_admitted(client, method, path, body, content_type), 415)
        assert "application/json" in problem["detail"], (method, path)
        assert problem["type"] == "urn:marketplace:problem:json-body"
        assert problem["errors"][0]["field"] == "Content-Type"
    assert event_count(market) == before


@pytest.mark.parametrize(
    "content_type",
    ["application/json", "application/json; charset=utf-8", "application/json;charset=UTF-8", "application/ld+json"],
)
def test_a_json_body_in_utf8_is_accepted_under_any_json_media_type(
    client: TestClient[Any], commissioner: dict[str, str], content_type: str
) -> None:
    body = json.dumps(registration()).encode()
    response = client.post("/organisations", content=body, headers={**commissioner, "Content-Type": content_type})
    assert response.status_code == 201, response.text


def test_a_write_without_a_body_or_content_type_is_still_the_400_asking_for_a_body(
    client: TestClient[Any], commissioner: dict[str, str]
) -> None:
    problem = assert_problem(client.post("/organisations", headers=commissioner), 400)
    assert "JSON object" in problem["detail"]


def test_the_openapi_document_states_the_body_limits(client: TestClient[Any]) -> None:
    document = client.get("/schema/openapi.json").json()
    assert f"{MAX_DEPTH} levels" in document["info"]["description"]
    register = document["paths"]["/organisations"]["post"]["responses"]
    assert "415" in register
