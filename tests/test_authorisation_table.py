"""The authorisation table: every write route, sent by every kind of caller to a real record of the kind it acts on,
gets the answer its row gives. tests/test_authorisation_matrix.py checks each route's door on a record that does not
exist; this table checks what lies beyond the door, on records that do (tests/authorisation_records.py builds them):
whose record it is, and for the valued decisions how much authority the decision needs.

The callers, by their relation to the record:

- `anonymous`: no token;
- `provider-own`: a provider of the organisation whose record it is (the bidder, the supplier, the applicant or
  recipient, the body expressing an interest, the registrant, the organisation itself);
- `provider-other`: a provider of another organisation (Severn Care Ltd, a company);
- `commissioner-own`: a commissioner of the council whose record it is (the buyer, the funder, the deciding council);
- `commissioner-other`: a commissioner of another council (Telford and Wrekin);
- `auditor`: an auditor of the council;
- `admin-own`: an admin of the council;
- `beyond` (the valued decisions only): a commissioner of the council whose delegated limit is below the decision's
  value.

The answers: `door` (refused before anything is read: 401 to the anonymous, 403 `allowed` to anyone signed in);
`through` (the access rules let it pass: anything but 401, 403 or 5xx, such as 2xx, or 404, 409 or 422 for a rule of
the record's state or the request's values); or the name of the problem type of a 403 refusal beyond the door,
because the record is another organisation's or council's (`buyer`, `funder`, `bidder`...) or another person's
(`four-eyes`, `proposer`), or the decision is beyond the caller's authority (`within-delegated-limit`). A refusal
writes nothing. No cell answers 5xx.

Two rules of the policy as it stands shape whole rows. The organisation register and care registrations name no
council, so the officers of any council act on them (marketplace/organisations/access.py, marketplace/care/access.py).
And the register names its refusal of another organisation's provider `allowed`, as the door names its own: there
the role alone tells the two apart.

Every refusal is sent first and the requests that may change something after them, in the table's order, so each
refusal meets the records as they were built and the run is the same every time.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, NamedTuple

import pytest

from api.app import create_app
from domain.base import Role
from tests.authorisation_records import DATABASES, Records, marketplace_records
from tests.conftest import COUNCIL, bearer, event_count
from tests.journeys import SEVERN, provider
from tests.test_authorisation_matrix import POLICY, write_routes

D, T = "door", "through"
ELSEWHERE = "GB-LAE-TFW"  # another council


class Row(NamedTuple):
    """One route's answers, one for each relation of the caller to the record."""

    anonymous: str
    provider_own: str
    provider_other: str
    commissioner_own: str
    commissioner_other: str
    auditor: str
    admin_own: str
    beyond: str | None = None  # the valued decisions: a commissioner of the council beyond their delegated limit


Route = tuple[str, str]
LIMIT = "within-delegated-limit"
# fmt: off
TABLE: dict[Route, Row] = {  # anonymous, provider-own, provider-other, commissioner-own, -other, auditor, admin-own
    # tendering: the council's tenders, their evaluation and contracts; a bidder's bids
    ("POST", "/tenders"): Row(D, D, D, T, T, D, T),  # another council drafts a tender of its own
    ("PATCH", "/tenders/{tender:str}"): Row(D, D, D, T, "buyer", D, T),
    ("POST", "/tenders/{tender:str}/conflicts-assessment"): Row(D, D, D, T, "buyer", D, T),
    ("POST", "/tenders/{tender:str}/publish"): Row(D, D, D, T, "buyer", D, T),
    ("POST", "/tenders/{tender:str}/questions"): Row(D, T, T, D, D, D, D),  # any provider asks, for itself
    ("POST", "/tenders/{tender:str}/questions/{question:str}/answer"): Row(D, D, D, T, "buyer", D, T),
    ("POST", "/tenders/{tender:str}/amend"): Row(D, D, D, T, "buyer", D, T),
    ("POST", "/tenders/{tender:str}/bids"): Row(D, T, T, D, D, D, D),  # any provider bids, for itself
    ("PUT", "/bids/{bid:str}"): Row(D, T, "bidder", D, D, D, D),
    ("POST", "/bids/{bid:str}/reconfirm"): Row(D, T, "bidder", D, D, D, D),
    ("POST", "/bids/{bid:str}/withdraw"): Row(D, T, "bidder", D, D, D, D),
    ("POST", "/tenders/{tender:str}/lots/{lot:str}/cancel"): Row(D, D, D, T, "buyer", D, T),
    ("POST", "/tenders/{tender:str}/cancel"): Row(D, D, D, T, "buyer", D, T),
    ("POST", "/tenders/{tender:str}/open-bids"): Row(D, D, D, T, "buyer", D, T),
    ("POST", "/tenders/{tender:str}/evaluation/evaluators"): Row(D, D, D, T, "buyer", D, T),
    ("POST", "/tenders/{tender:str}/evaluation/declarations"): Row(D, D, D, T, "buyer", D, T),
    ("POST", "/tenders/{tender:str}/evaluation/scores"): Row(D, D, D, T, "buyer", D, T),
    ("POST", "/tenders/{tender:str}/evaluation/moderation"): Row(D, D, D, T, "buyer", D, T),
    ("POST", "/tenders/{tender:str}/award"): Row(D, D, D, T, "buyer", D, T, beyond=LIMIT),
    ("POST", "/tenders/{tender:str}/contracts"): Row(D, D, D, T, "buyer", D, T),
    ("POST", "/contracts/{contract:str}/vary"): Row(D, D, D, T, "buyer", D, T, beyond=LIMIT),
    ("POST", "/contracts/{contract:str}/kpis"): Row(D, D, D, T, "buyer", D, T),
    ("POST", "/contracts/{contract:str}/kpis/{kpi:str}/measurements"): Row(D, D, D, T, "buyer", D, T),
    ("POST", "/contracts/{contract:str}/outcomes"): Row(D, D, D, T, "buyer", D, T),
    ("POST", "/contracts/{contract:str}/terminate"): Row(D, D, D, T, "buyer", D, T),
    ("POST", "/contracts/{contract:str}/decommission"): Row(D, D, D, T, "buyer", D, T),
    # held decisions: ada's award of the south lot, held beyond her limit; cathy's limit covers it, bernie's does not
    ("POST", "/decisions/{held:str}/approve"): Row(D, D, D, T, "council", D, "four-eyes", beyond=LIMIT),
    ("POST", "/decisions/{held:str}/decline"): Row(D, D, D, T, "council", D, "four-eyes", beyond=LIMIT),
    ("POST", "/decisions/{held:str}/withdraw"): Row(D, D, D, "proposer", "council", D, T),
    # payments: the supplier's invoice on the north contract; the council pays it
    ("POST", "/contracts/{contract:str}/invoices"): Row(D, T, "supplier", D, D, D, D),
    ("POST", "/invoices/{invoice:str}/correct"): Row(D, T, "supplier", D, D, D, D),
    ("POST", "/invoices/{invoice:str}/dispute"): Row(D, D, D, T, "payer", D, T),
    ("POST", "/invoices/{invoice:str}/outcomes/{line:int}/verify"): Row(D, D, D, T, "payer", D, T),
    ("POST", "/invoices/{invoice:str}/outcomes/{line:int}/reject"): Row(D, D, D, T, "payer", D, T),
    ("POST", "/invoices/{invoice:str}/validate"): Row(D, D, D, T, "payer", D, T),
    ("POST", "/invoices/{invoice:str}/approve"): Row(D, D, D, T, "payer", D, T),
    ("POST", "/invoices/{invoice:str}/pay"): Row(D, D, D, T, "payer", D, T),
    ("POST", "/invoices/{invoice:str}/recover"): Row(D, D, D, T, "payer", D, T),  # a grant's clawback, raised by rhea
    # grants: the council's programmes; an applicant's applications; a recipient's grant
    ("POST", "/grant-programmes"): Row(D, D, D, T, T, D, T),  # another council drafts a programme of its own
    ("POST", "/grant-programmes/{programme:str}/publish"): Row(D, D, D, T, "funder", D, T),
    ("POST", "/grant-programmes/{programme:str}/extend"): Row(D, D, D, T, "funder", D, T),
    ("POST", "/grant-programmes/{programme:str}/budget"): Row(D, D, D, T, "funder", D, T),
    ("POST", "/grant-programmes/{programme:str}/close"): Row(D, D, D, T, "funder", D, T),
    ("POST", "/grant-programmes/{programme:str}/applications"): Row(D, T, T, D, D, D, D),  # Severn: not VCSE (422)
    ("POST", "/grant-applications/{application:str}/draft"): Row(D, T, "applicant", D, D, D, D),
    ("POST", "/grant-applications/{application:str}/submit"): Row(D, T, "applicant", D, D, D, D),
    ("POST", "/grant-applications/{application:str}/withdraw"): Row(D, T, "applicant", D, D, D, D),
    ("POST", "/grant-applications/{application:str}/assessors"): Row(D, D, D, T, "funder", D, T),
    ("POST", "/grant-applications/{application:str}/declarations"): Row(D, D, D, T, "funder", D, T),
    ("POST", "/grant-applications/{application:str}/scores"): Row(D, D, D, T, "funder", D, T),
    ("POST", "/grant-applications/{application:str}/moderation"): Row(D, D, D, T, "funder", D, T),
    ("POST", "/grant-applications/{application:str}/offer"): Row(D, D, D, T, "funder", D, T, beyond=LIMIT),
    ("POST", "/grant-applications/{application:str}/changes"): Row(D, D, D, T, "funder", D, T),
    ("POST", "/grant-applications/{application:str}/decline"): Row(D, D, D, T, "funder", D, T),
    ("POST", "/grant-applications/{application:str}/accept"): Row(D, T, "applicant", D, D, D, D),
    ("POST", "/grant-applications/{application:str}/decline-offer"): Row(D, T, "applicant", D, D, D, D),
    ("POST", "/grants/{grant:str}/conditions"): Row(D, D, D, T, "funder", D, T),
    ("POST", "/grants/{grant:str}/claims"): Row(D, T, "recipient", T, "funder", D, T),
    ("POST", "/grants/{grant:str}/returns"): Row(D, T, "recipient", T, "funder", D, T),
    ("POST", "/grants/{grant:str}/returns/review"): Row(D, D, D, T, "funder", D, T),
    ("POST", "/grants/{grant:str}/variations"): Row(D, D, D, T, "funder", D, T),
    ("POST", "/grants/{grant:str}/underspend"): Row(D, T, "recipient", T, "funder", D, T),
    ("POST", "/grants/{grant:str}/underspend/return"): Row(D, D, D, T, "funder", D, T),
    ("POST", "/grants/{grant:str}/clawback"): Row(D, D, D, T, "funder", D, T),
    ("POST", "/grants/{grant:str}/close"): Row(D, D, D, T, "funder", D, T),
    # notices: the council's own, approved by a named officer (carl is in no people register); a contract's, its buyer's
    ("POST", "/notices/payments-compliance"): Row(D, D, D, T, "named-officer", D, T),
    ("POST", "/notices/payments-over-30000"): Row(D, D, D, T, "named-officer", D, T),
    ("POST", "/notices/contract-performance"): Row(D, D, D, T, "buyer", D, T),
    ("POST", "/notices/contract-change"): Row(D, D, D, T, "buyer", D, T),
    ("POST", "/notices/contract-termination"): Row(D, D, D, T, "buyer", D, T),
    # the Community Right to Challenge: the council's service register; a body's expression of interest
    ("POST", "/services"): Row(D, D, D, T, T, D, T),  # another council registers a service of its own
    ("PATCH", "/services/{service:str}"): Row(D, D, D, T, "council", D, T),
    ("POST", "/services/{service:str}/windows"): Row(D, D, D, T, "council", D, T),
    ("POST", "/expressions-of-interest"): Row(D, T, "relevant-body", D, D, D, D),  # a company is no relevant body
    ("POST", "/expressions-of-interest/{expression:str}/acknowledge"): Row(D, D, D, T, "council", D, T),
    ("POST", "/expressions-of-interest/{expression:str}/propose-modification"): Row(D, D, D, T, "council", D, T),
    ("POST", "/expressions-of-interest/{expression:str}/agree-modification"): Row(D, T, "body", D, D, D, D),
    ("POST", "/expressions-of-interest/{expression:str}/decline-modification"): Row(D, T, "body", D, D, D, D),
    ("POST", "/expressions-of-interest/{expression:str}/accept"): Row(D, D, D, T, "council", D, T),
    ("POST", "/expressions-of-interest/{expression:str}/reject"): Row(D, D, D, T, "council", D, T),
    ("POST", "/expressions-of-interest/{expression:str}/withdraw"): Row(D, T, "body", D, D, D, D),
    # the organisation register, shared by every council: officers act for any organisation, a provider for its own
    ("POST", "/organisations"): Row(D, T, "allowed", T, T, D, T),
    ("PATCH", "/organisations/{identifier:str}"): Row(D, T, "allowed", T, T, D, T),
    ("POST", "/organisations/{identifier:str}/verify"): Row(D, D, D, T, T, D, T),
    ("POST", "/organisations/{identifier:str}/deactivate"): Row(D, T, "allowed", T, T, D, T),
    # people: an organisation's people, kept by its owner and the council's admins; the council's officers
    ("POST", "/organisations/{identifier:str}/people"): Row(D, T, "kept-by-an-owner", D, D, D, T),
    ("PATCH", "/organisations/{identifier:str}/people/{subject:str}"): Row(D, T, "kept-by-an-owner", D, D, D, T),
    ("POST", "/organisations/{identifier:str}/people/{subject:str}/leave"): Row(D, T, "kept-by-an-owner", D, D, D, T),
    ("POST", "/organisations/{identifier:str}/people/{subject:str}/rejoin"): Row(D, T, "kept-by-an-owner", D, D, D, T),
    ("POST", "/people"): Row(D, D, D, D, D, D, T),
    ("PATCH", "/people/{subject:str}"): Row(D, D, D, D, D, D, T),
    ("POST", "/people/{subject:str}/leave"): Row(D, D, D, D, D, D, T),
    ("POST", "/people/{subject:str}/rejoin"): Row(D, D, D, D, D, D, T),
    # the scheme of delegation: the council's admins keep it
    ("POST", "/delegations"): Row(D, D, D, D, D, D, T),
    ("POST", "/delegations/{delegation:str}/revoke"): Row(D, D, D, D, D, D, T),
    # care micro-enterprises: the registrant's application; council officers decide on any registration
    ("POST", "/registrations"): Row(D, T, "own-registration", T, T, D, T),
    ("POST", "/registrations/{registration:str}/evidence"): Row(D, T, "own-registration", T, T, D, T),
    ("POST", "/registrations/{registration:str}/checks"): Row(D, D, D, T, T, D, T),
    ("PUT", "/registrations/{registration:str}/availability"): Row(D, T, "own-registration", T, T, D, T),
    ("POST", "/registrations/{registration:str}/approve"): Row(D, D, D, T, T, D, T),
    ("POST", "/registrations/{registration:str}/reject"): Row(D, D, D, T, T, D, T),
    ("POST", "/registrations/{registration:str}/resubmit"): Row(D, T, "own-registration", T, T, D, T),
    ("POST", "/registrations/{registration:str}/suspend"): Row(D, D, D, T, T, D, T),
    ("POST", "/registrations/{registration:str}/reinstate"): Row(D, D, D, T, T, D, T),
    ("POST", "/registrations/{registration:str}/withdraw"): Row(D, T, "own-registration", D, D, D, D),
}
# fmt: on


def caller(relation: str, owner: str) -> dict[str, str]:
    """The bearer token of the caller in this relation to a record whose provider side is `owner`."""
    return {
        "anonymous": {},
        "provider_own": provider(owner),
        "provider_other": provider(SEVERN),
        "commissioner_own": bearer(Role.COMMISSIONER, COUNCIL, "cathy"),
        "commissioner_other": bearer(Role.COMMISSIONER, ELSEWHERE, "carl"),
        "auditor": bearer(Role.AUDITOR, COUNCIL, "audrey"),
        "admin_own": bearer(Role.ADMIN, COUNCIL, "ada"),
        "beyond": bearer(Role.COMMISSIONER, COUNCIL, "bernie"),
    }[relation]


def cells() -> list[tuple[Route, str, str]]:
    """Every cell, (route, relation, answer): every refusal first, then the rest, each in the table's order."""
    every = [
        (route, relation, answer)
        for route, row in TABLE.items()
        for relation, answer in row._asdict().items()
        if answer is not None
    ]
    return [cell for cell in every if cell[2] != T] + [cell for cell in every if cell[2] == T]


def expected(relation: str, answer: str) -> tuple[int, str]:
    """The status and problem type of a refusal: at the door, or beyond it by the rule the cell names."""
    if answer == D:
        return (401, "signed-in") if relation == "anonymous" else (403, "allowed")
    return 403, answer


def disagreement(relation: str, answer: str, status: int, problem: dict[str, Any], wrote: int) -> str:
    """What the cell's answer should have been, when the response is not it; "" when it is."""
    if answer == T:
        return "" if status not in (401, 403) and status < 500 else "through (neither 401, 403 nor 5xx)"
    status_wanted, rule = expected(relation, answer)
    if (status, problem.get("type")) != (status_wanted, f"urn:marketplace:problem:{rule}"):
        return f"{status_wanted} {rule}"
    return f"{status_wanted} {rule}, writing nothing (it wrote {wrote} events)" if wrote else ""


@pytest.fixture(scope="module", params=DATABASES)
def records(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Records]:
    """One marketplace with a record of every kind, built once for the module (tests/authorisation_records.py)."""
    with marketplace_records(request.param, tmp_path_factory.mktemp("authorisation")) as built:
        yield built


def test_the_table_has_a_row_for_every_route_of_the_door_policy() -> None:
    """A route added to tests/test_authorisation_matrix.py's POLICY without a row here fails (and the cells' test
    checks the rows against the app's own routes)."""
    assert sorted(TABLE) == sorted(POLICY)


def test_every_cell_gets_the_answer_its_row_gives(records: Records) -> None:
    """Each cell is one request, the route's to its record as the relation's caller; every cell that gets another
    answer than its row gives is listed, with the answer it got."""
    assert sorted(TABLE) == write_routes(create_app(records.market)), "a write route has no row in TABLE"
    wrong = []
    for route, relation, answer in cells():
        target = records.targets[route]
        before = event_count(records.market)
        try:
            headers = caller(relation, target.owner)
            response = records.client.request(route[0], target.path, json=target.body, headers=headers)
        except AssertionError as error:  # a refusal that is not problem+json (tests/conftest.py)
            wrong.append(f"{route[0]} {route[1]} as {relation.replace('_', '-')}: {error}")
            continue
        problem = response.json() if response.status_code >= 400 else {}
        wrote = event_count(records.market) - before
        wanted = disagreement(relation, answer, response.status_code, problem, wrote)
        if wanted:
            said = f"{response.status_code} {response.text[:300]}"
            wrong.append(f"{route[0]} {route[1]} as {relation.replace('_', '-')}: expected {wanted}, answered {said}")
    assert not wrong, "\n".join(["", *wrong])
