"""The contract is true: the OpenAPI document says what every route answers, and unknown queries are refused."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import TestClient

from domain.base import Role
from tests.conftest import COUNCIL, bearer
from tests.journeys import RURAL

pytestmark = pytest.mark.request_layer  # answered before any database is asked: SQLite alone

WRITES = ("post", "put", "patch", "delete")


@pytest.fixture
def document(client: TestClient[Any]) -> dict[str, Any]:
    return dict(client.get("/schema/openapi.json").json())


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(path, method, op) for path, item in document["paths"].items() for method, op in item.items()]


def test_every_refusal_of_every_operation_is_documented_as_problem_json_with_a_realistic_example(
    document: dict[str, Any],
) -> None:
    for path, method, operation in operations(document):
        for status, response in operation["responses"].items():
            if int(status) < 400:
                continue
            content = response["content"]
            assert list(content) == ["application/problem+json"], (path, method, status)
            if (path, status) == ("/ready", "503"):  # a problem whose extension members name the stalled views
                assert content["application/problem+json"]["schema"] == {"$ref": "#/components/schemas/NotReady"}
                continue
            assert content["application/problem+json"]["schema"] == {"$ref": "#/components/schemas/Problem"}
            example = content["application/problem+json"]["example"]
            assert example["status"] == int(status) and example["type"].startswith("urn:marketplace:problem:")
    problem = document["components"]["schemas"]["Problem"]
    assert all("examples" not in field for field in problem["properties"].values())  # no random strings


def test_every_operation_documents_a_fault_and_signed_in_ones_their_refusal_of_strangers(
    document: dict[str, Any],
) -> None:
    for path, method, operation in operations(document):
        assert "500" in operation["responses"], (path, method)
        if operation.get("security"):
            assert {"401", "403"} <= operation["responses"].keys(), (path, method)
        if "{" in path:
            assert "404" in operation["responses"], (path, method)
    assert {"401", "403", "500"} <= document["paths"]["/audit/chain/head"]["get"]["responses"].keys()


@pytest.mark.parametrize(
    "url", ["/organisations?stauts=active", "/tenders?bogus=1", "/audit/decisions?kind=tender&colour=red"]
)
def test_an_unknown_query_parameter_is_refused_naming_it(client: TestClient[Any], url: str) -> None:
    refused = client.get(url, headers=bearer(Role.AUDITOR, COUNCIL, "audrey"))
    assert refused.status_code == 400, refused.text
    unknown = url.rsplit("&", 1)[-1].rsplit("?", maxsplit=1)[-1].split("=", maxsplit=1)[0]
    assert [error["field"] for error in refused.json()["errors"]] == [unknown]
    assert unknown in refused.json()["detail"]


def test_known_query_parameters_and_aliases_are_taken(client: TestClient[Any]) -> None:
    assert client.get("/organisations?district=SY8&limit=5").status_code == 200
    assert client.get("/tenders?limit=5").status_code == 200


@pytest.mark.parametrize(("field", "value"), [("kind", "bogus"), ("decision", "tender.bogus")])
def test_a_filter_value_the_decision_log_cannot_hold_is_refused_naming_the_filter(
    client: TestClient[Any], field: str, value: str
) -> None:
    for url in ("/audit/decisions", "/audit/decisions/export.csv", "/audit/decisions/export.json"):
        refused = client.get(f"{url}?{field}={value}", headers=bearer(Role.AUDITOR, COUNCIL, "audrey"))
        assert refused.status_code == 400, refused.text
        assert [error["field"] for error in refused.json()["errors"]] == [field]
    known = client.get("/audit/decisions?kind=tender&decision=tender.awarded", headers=bearer(Role.AUDITOR))
    assert known.status_code == 200


def test_the_csv_export_names_its_charset_once(client: TestClient[Any]) -> None:
    export = client.get("/audit/decisions/export.csv", headers=bearer(Role.AUDITOR))
    assert export.headers["content-type"] == "text/csv; charset=utf-8"


def test_a_writes_answer_equals_the_get_that_follows_it(client: TestClient[Any], clock: Any) -> None:
    """Answering a question, awarding and amending: the answer shows the questions and awards the GET shows."""
    from tests.journeys import OFFICER, provider, publish_tender, register_the_market

    register_the_market(client)
    tender = publish_tender(client, clock)
    path = f"/tenders/{tender}"
    asked = client.post(f"{path}/questions", json={"text": "Is transport included?"}, headers=provider(RURAL))
    assert asked.status_code == 201
    amendment = {"reason": "Clarified", "title": "Day opportunities, Clun"}
    for url, body in ((f"{path}/questions/Q1/answer", {"answer": "Yes."}), (f"{path}/amend", amendment)):
        answer = client.post(url, json=body, headers=OFFICER)
        assert answer.status_code == 200, answer.text
        then = client.get(path, headers=OFFICER)
        assert answer.json() == then.json()
        assert answer.json()["questions"] == [{"question_id": "Q1", "text": "Is transport included?", "answer": "Yes."}]


def test_every_signed_in_read_answers_401_to_the_anonymous(client: TestClient[Any], clock: Any) -> None:
    from tests.test_api_sealed_bids import bids_sent_and_replaced, every_get_url

    ids = bids_sent_and_replaced(client, clock)
    document = client.get("/schema/openapi.json").json()
    signed_in = {path for path, item in document["paths"].items() if item.get("get", {}).get("security")}
    answers = {}
    for url in every_get_url(client, ids):
        template = next(p for p in signed_in | set(document["paths"]) if _matches(p, url))
        if template in signed_in:
            answers[url] = client.get(url).status_code
    assert answers and {url: s for url, s in answers.items() if s != 401} == {}


def _matches(template: str, url: str) -> bool:
    parts, wanted = template.strip("/").split("/"), url.strip("/").split("/")
    return len(parts) == len(wanted) and all(p == w or p.startswith("{") for p, w in zip(parts, wanted, strict=True))
