"""A fault in the service is still problem+json, carries the request's correlation id, and is logged once.

The operator finds the traceback by the id the caller quotes: one JSON log line per fault.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from litestar import get
from litestar.exceptions import InternalServerException
from litestar.testing import TestClient

from api.app import create_app
from marketplace.organisations.services import Organisations
from marketplace.service import Marketplace
from tests.conftest import event_count, registration


class Broken(RuntimeError):
    """What a bug raises: nothing the API knows how to answer."""


@get("/test-only/broken", sync_to_thread=False)
def broken() -> None:
    raise Broken("the service tripped over its own feet")


@get("/test-only/refused-internally", sync_to_thread=False)
def refused_internally() -> None:
    raise InternalServerException("a configuration this service cannot run with")


@pytest.fixture
def faulty(market: Marketplace) -> Iterator[TestClient[Any]]:
    """The real application, plus routes that fail as only a bug would."""
    app = create_app(market)
    app.register(broken)
    app.register(refused_internally)
    with TestClient(app) as client:
        yield client


def fault_lines(caplog: pytest.LogCaptureFixture) -> list[dict[str, Any]]:
    return [json.loads(r.getMessage()) for r in caplog.records if r.name == "api.faults"]


def assert_fault(response: Any, correlation_id: str | None = None) -> dict[str, Any]:
    assert response.status_code == 500, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem: dict[str, Any] = response.json()
    assert problem["status"] == 500
    assert problem["type"].startswith("urn:marketplace:problem:")
    assert problem["title"] and problem["detail"]
    assert problem["correlation_id"] == response.headers["x-request-id"]
    if correlation_id is not None:
        assert problem["correlation_id"] == correlation_id
    return problem


def test_a_fault_is_a_500_problem_echoing_the_callers_request_id(faulty: TestClient[Any]) -> None:
    response = faulty.get("/test-only/broken", headers={"X-Request-ID": "caller-req-42"})
    problem = assert_fault(response, "caller-req-42")
    assert "feet" not in problem["detail"], "the exception's text is for the log, not the caller"
    assert problem["instance"] == "/test-only/broken"


def test_a_fault_without_a_request_id_gets_a_generated_one(faulty: TestClient[Any]) -> None:
    first = assert_fault(faulty.get("/test-only/broken"))["correlation_id"]
    second = assert_fault(faulty.get("/test-only/broken"))["correlation_id"]
    assert first and second and first != second


def test_a_request_id_that_is_not_a_token_is_replaced_not_echoed(faulty: TestClient[Any]) -> None:
    problem = assert_fault(faulty.get("/test-only/broken", headers={"X-Request-ID": "has spaces; and=more"}))
    assert problem["correlation_id"] != "has spaces; and=more"


def test_a_fault_is_logged_as_one_json_line_with_its_traceback(
    faulty: TestClient[Any], caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="api.faults"):
        faulty.get("/test-only/broken", headers={"X-Request-ID": "trace-me"})
    [line] = fault_lines(caplog)
    assert line["correlation_id"] == "trace-me"
    assert (line["method"], line["path"], line["status"]) == ("GET", "/test-only/broken", 500)
    assert line["exception"] == "tests.test_api_server_errors.Broken"
    assert "Traceback (most recent call last)" in line["traceback"]
    assert "the service tripped over its own feet" in line["traceback"]
    [record] = [r for r in caplog.records if r.name == "api.faults"]
    assert "\n" not in record.getMessage()


def test_a_fault_inside_a_write_is_a_500_problem_and_writes_nothing(
    faulty: TestClient[Any],
    market: Marketplace,
    commissioner: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def register(*_: Any, **__: Any) -> None:
        raise Broken("a bug in registering")

    monkeypatch.setattr(market.service(Organisations), "register", register)
    before = event_count(market)
    with caplog.at_level(logging.ERROR, logger="api.faults"):
        response = faulty.post("/organisations", json=registration(), headers={**commissioner, "X-Request-ID": "w-1"})
    assert_fault(response, "w-1")
    assert [line["path"] for line in fault_lines(caplog)] == ["/organisations"]
    assert event_count(market) == before


def test_an_internal_http_error_is_a_problem_with_a_correlation_id_too(
    faulty: TestClient[Any], caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="api.faults"):
        assert_fault(faulty.get("/test-only/refused-internally", headers={"X-Request-ID": "cfg-1"}), "cfg-1")
    assert [line["correlation_id"] for line in fault_lines(caplog)] == ["cfg-1"]


def test_a_refusal_is_not_logged_as_a_fault(
    faulty: TestClient[Any], commissioner: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="api.faults"):
        assert faulty.post("/organisations", json={}, headers=commissioner).status_code == 400
        assert faulty.get("/organisations/GB-CHC-9999999").status_code == 404
    assert fault_lines(caplog) == []
