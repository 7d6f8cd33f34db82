"""A time a request gives must carry its offset from UTC: without one it names no moment (09:00 where?), so it is a
400 naming the field, in every body and every query parameter that takes a time, and nothing is written."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from litestar.exceptions import ClientException
from litestar.testing import TestClient

from api.moments import within_calendar
from domain.base import Role
from domain.rules import DomainError
from marketplace.clock import FixedClock
from marketplace.service import Marketplace
from tests.conftest import COUNCIL, bearer, event_count
from tests.journeys import CHARITY, OFFICER, ok, platform_journey, publish_tender, tender_terms
from tests.tendering_fixtures import CLARIFICATION_DEADLINE, TENDER_DEADLINE, drafted
from tests.test_api_refusals import assert_problem

pytestmark = pytest.mark.request_layer  # answered before any database is asked: SQLite alone

AUDITOR = bearer(Role.AUDITOR, COUNCIL, "audrey")
NAIVE = ["2027-04-01T00:00:00", "2027-04-01T12:30:00.123456", "2027-04-01 12:30"]
DEADLINES = ["clarification_deadline", "tender_deadline"]


def naive(moment: datetime) -> str:
    return moment.replace(tzinfo=None).isoformat()


@pytest.mark.parametrize("moment", NAIVE)
@pytest.mark.parametrize("field", DEADLINES)
def test_a_tender_drafted_with_a_deadline_without_an_offset_is_a_400_naming_it_and_writes_nothing(
    client: TestClient[Any], market: Marketplace, clock: FixedClock, field: str, moment: str
) -> None:
    before = event_count(market)
    assert_problem(client.post("/tenders", json={**tender_terms(clock), field: moment}, headers=OFFICER), 400, field)
    assert event_count(market) == before


@pytest.mark.parametrize("field", DEADLINES)
def test_a_draft_revised_or_a_tender_amended_to_a_deadline_without_an_offset_is_a_400_naming_it(
    client: TestClient[Any], market: Marketplace, clock: FixedClock, field: str
) -> None:
    draft = ok(client.post("/tenders", json=tender_terms(clock), headers=OFFICER), 201)
    published = publish_tender(client, clock)
    moment = naive(clock.now() + timedelta(days=40))
    before = event_count(market)
    revised = client.patch(f"/tenders/{draft['id']}", json={field: moment}, headers=OFFICER)
    assert_problem(revised, 400, field)
    amendment = {field: moment, "reason": "More time for bidders"}
    assert_problem(client.post(f"/tenders/{published}/amend", json=amendment, headers=OFFICER), 400, field)
    assert event_count(market) == before


@pytest.mark.parametrize("moment", NAIVE[:2])
@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/tenders?deadline_after=", "deadline_after"),
        ("/tenders?deadline_before=", "deadline_before"),
        ("/audit/decisions?decided_from=", "decided_from"),
        ("/audit/decisions?decided_before=", "decided_before"),
        ("/audit/decisions/export.csv?decided_from=", "decided_from"),
        ("/audit/decisions/export.json?decided_before=", "decided_before"),
        (f"/organisations/{CHARITY}?as_of=", "as_of"),
    ],
)
def test_a_query_time_without_an_offset_is_a_400_naming_the_parameter(
    client: TestClient[Any], moment: str, path: str, field: str
) -> None:
    platform_journey(client)
    assert_problem(client.get(path + moment, headers=AUDITOR), 400, field)


@pytest.mark.parametrize("kind", ["tenders", "bids", "contracts", "registrations"])
def test_as_of_without_an_offset_is_a_400_on_every_record(client: TestClient[Any], kind: str) -> None:
    """Refused before the record is looked for: the question is malformed whichever record it names."""
    record = "00000000-0000-0000-0000-000000000000"
    assert_problem(client.get(f"/{kind}/{record}?as_of={NAIVE[0]}", headers=AUDITOR), 400, "as_of")


@pytest.mark.parametrize("moment", ["2027-04-01T00:00:00Z", "2027-04-01T01:00:00+01:00", "2027-03-31T19:00:00-05:00"])
def test_a_time_with_any_offset_is_answered(client: TestClient[Any], clock: FixedClock, moment: str) -> None:
    assert ok(client.get(f"/tenders?deadline_after={moment.replace('+', '%2B')}", headers=AUDITOR))["items"] == []
    terms = {**tender_terms(clock), "tender_deadline": moment}
    drafted = ok(client.post("/tenders", json=terms, headers=OFFICER), 201)
    assert datetime.fromisoformat(drafted["tender_deadline"]) == datetime(2027, 4, 1, tzinfo=UTC)


def test_a_moment_without_an_offset_is_refused_not_taken_as_utc() -> None:
    with pytest.raises(ClientException) as refused:
        within_calendar(datetime(2027, 4, 1), "decided_from")
    assert refused.value.extra == {"field": "decided_from"}


@pytest.mark.parametrize("field", DEADLINES)
def test_the_domain_refuses_a_deadline_without_an_offset_whoever_calls_it(field: str) -> None:
    """The command line and the clock use the domain directly: the rule is the domain's, not only the API's."""
    moment = {"clarification_deadline": CLARIFICATION_DEADLINE, "tender_deadline": TENDER_DEADLINE}[field]
    with pytest.raises(DomainError) as refused:
        drafted(**{field: moment.replace(tzinfo=None)})
    assert (refused.value.field, refused.value.rule) == (field, "TimeHasOffset")
