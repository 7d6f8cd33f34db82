"""The authorisation matrix: every write route, every role. The table is the policy, written out: for each write
route, the roles whose callers it lets through its door (others are refused, 401 anonymous or 403 signed in,
before anything is read or written). A route added without a row here fails the test, as does any answer that
disagrees with its row. Whose record it is (own or another organisation's) and how much authority a decision
needs are checked beyond the door, by the services: tests/test_*_access.py and tests/test_delegated_authority.py.
"""

from __future__ import annotations

import re
from typing import Any
from uuid import uuid4

from litestar.testing import TestClient

from api.app import create_app
from domain.base import Role
from marketplace.service import Marketplace
from tests.conftest import bearer

OFFICERS = ("commissioner", "admin")
CALLERS = {
    "anonymous": {},
    "provider": bearer(Role.PROVIDER, "GB-CHC-1102345", "matrix-provider"),
    "commissioner": bearer(Role.COMMISSIONER, subject="matrix-commissioner"),
    "auditor": bearer(Role.AUDITOR, subject="matrix-auditor"),
    "admin": bearer(Role.ADMIN, subject="matrix-admin"),
}
WRITES = {"POST", "PUT", "PATCH", "DELETE"}

# (method, route): the callers let through the door.
POLICY: dict[tuple[str, str], tuple[str, ...]] = {
    ("PUT", "/bids/{bid:str}"): ("provider",),
    ("POST", "/bids/{bid:str}/reconfirm"): ("provider",),
    ("POST", "/bids/{bid:str}/withdraw"): ("provider",),
    ("POST", "/contracts/{contract:str}/decommission"): OFFICERS,
    ("POST", "/contracts/{contract:str}/invoices"): ("provider",),
    ("POST", "/contracts/{contract:str}/kpis"): OFFICERS,
    ("POST", "/contracts/{contract:str}/kpis/{kpi:str}/measurements"): OFFICERS,
    ("POST", "/contracts/{contract:str}/outcomes"): OFFICERS,
    ("POST", "/contracts/{contract:str}/terminate"): OFFICERS,
    ("POST", "/contracts/{contract:str}/vary"): OFFICERS,
    ("POST", "/decisions/{held:str}/approve"): OFFICERS,
    ("POST", "/decisions/{held:str}/decline"): OFFICERS,
    ("POST", "/decisions/{held:str}/withdraw"): OFFICERS,
    ("POST", "/delegations"): ("admin",),
    ("POST", "/delegations/{delegation:str}/revoke"): ("admin",),
    ("POST", "/expressions-of-interest"): ("provider",),
    ("POST", "/expressions-of-interest/{expression:str}/accept"): OFFICERS,
    ("POST", "/expressions-of-interest/{expression:str}/acknowledge"): OFFICERS,
    ("POST", "/expressions-of-interest/{expression:str}/agree-modification"): ("provider",),
    ("POST", "/expressions-of-interest/{expression:str}/decline-modification"): ("provider",),
    ("POST", "/expressions-of-interest/{expression:str}/propose-modification"): OFFICERS,
    ("POST", "/expressions-of-interest/{expression:str}/reject"): OFFICERS,
    ("POST", "/expressions-of-interest/{expression:str}/withdraw"): ("provider",),
    ("POST", "/grant-applications/{application:str}/accept"): ("provider",),
    ("POST", "/grant-applications/{application:str}/assessors"): OFFICERS,
    ("POST", "/grant-applications/{application:str}/changes"): OFFICERS,
    ("POST", "/grant-applications/{application:str}/declarations"): OFFICERS,
    ("POST", "/grant-applications/{application:str}/decline"): OFFICERS,
    ("POST", "/grant-applications/{application:str}/decline-offer"): ("provider",),
    ("POST", "/grant-applications/{application:str}/draft"): ("provider",),
    ("POST", "/grant-applications/{application:str}/moderation"): OFFICERS,
    ("POST", "/grant-applications/{application:str}/offer"): OFFICERS,
    ("POST", "/grant-applications/{application:str}/scores"): OFFICERS,
    ("POST", "/grant-applications/{application:str}/submit"): ("provider",),
    ("POST", "/grant-applications/{application:str}/withdraw"): ("provider",),
    ("POST", "/grant-programmes"): OFFICERS,
    ("POST", "/grant-programmes/{programme:str}/applications"): ("provider",),
    ("POST", "/grant-programmes/{programme:str}/budget"): OFFICERS,
    ("POST", "/grant-programmes/{programme:str}/close"): OFFICERS,
    ("POST", "/grant-programmes/{programme:str}/extend"): OFFICERS,
    ("POST", "/grant-programmes/{programme:str}/publish"): OFFICERS,
    ("POST", "/grants/{grant:str}/clawback"): OFFICERS,
    ("POST", "/grants/{grant:str}/close"): OFFICERS,
    ("POST", "/grants/{grant:str}/conditions"): OFFICERS,
    ("POST", "/grants/{grant:str}/claims"): ("provider", *OFFICERS),
    ("POST", "/grants/{grant:str}/returns"): ("provider", "commissioner", "admin"),
    ("POST", "/grants/{grant:str}/returns/review"): OFFICERS,
    ("POST", "/grants/{grant:str}/underspend"): ("provider", "commissioner", "admin"),
    ("POST", "/grants/{grant:str}/underspend/return"): OFFICERS,
    ("POST", "/grants/{grant:str}/variations"): OFFICERS,
    ("POST", "/invoices/{invoice:str}/approve"): OFFICERS,
    ("POST", "/invoices/{invoice:str}/correct"): ("provider",),
    ("POST", "/invoices/{invoice:str}/dispute"): OFFICERS,
    ("POST", "/invoices/{invoice:str}/outcomes/{line:int}/reject"): OFFICERS,
    ("POST", "/invoices/{invoice:str}/outcomes/{line:int}/verify"): OFFICERS,
    ("POST", "/invoices/{invoice:str}/pay"): OFFICERS,
    ("POST", "/invoices/{invoice:str}/recover"): OFFICERS,
    ("POST", "/invoices/{invoice:str}/validate"): OFFICERS,
    ("POST", "/notices/contract-change"): OFFICERS,
    ("POST", "/notices/contract-performance"): OFFICERS,
    ("POST", "/notices/contract-termination"): OFFICERS,
    ("POST", "/notices/payments-compliance"): OFFICERS,
    ("POST", "/notices/payments-over-30000"): OFFICERS,
    ("POST", "/organisations"): ("provider", "commissioner", "admin"),
    ("PATCH", "/organisations/{identifier:str}"): OFFICERS,
    ("POST", "/organisations/{identifier:str}/deactivate"): ("provider", "commissioner", "admin"),
    ("POST", "/organisations/{identifier:str}/people"): ("provider", "admin"),
    ("PATCH", "/organisations/{identifier:str}/people/{subject:str}"): ("provider", "admin"),
    ("POST", "/organisations/{identifier:str}/people/{subject:str}/leave"): ("provider", "admin"),
    ("POST", "/organisations/{identifier:str}/people/{subject:str}/rejoin"): ("provider", "admin"),
    ("POST", "/organisations/{identifier:str}/verify"): OFFICERS,
    ("POST", "/people"): ("admin",),
    ("PATCH", "/people/{subject:str}"): ("admin",),
    ("POST", "/people/{subject:str}/leave"): ("admin",),
    ("POST", "/people/{subject:str}/rejoin"): ("admin",),
    ("POST", "/registrations"): ("provider", "commissioner", "admin"),
    ("POST", "/registrations/{registration:str}/approve"): OFFICERS,
    ("PUT", "/registrations/{registration:str}/availability"): ("provider", "commissioner", "admin"),
    ("POST", "/registrations/{registration:str}/checks"): OFFICERS,
    ("POST", "/registrations/{registration:str}/evidence"): ("provider", "commissioner", "admin"),
    ("POST", "/registrations/{registration:str}/reinstate"): OFFICERS,
    ("POST", "/registrations/{registration:str}/reject"): OFFICERS,
    ("POST", "/registrations/{registration:str}/resubmit"): ("provider", "commissioner", "admin"),
    ("POST", "/registrations/{registration:str}/suspend"): OFFICERS,
    ("POST", "/registrations/{registration:str}/withdraw"): ("provider",),
    ("POST", "/services"): OFFICERS,
    ("PATCH", "/services/{service:str}"): OFFICERS,
    ("POST", "/services/{service:str}/windows"): OFFICERS,
    ("POST", "/tenders"): OFFICERS,
    ("PATCH", "/tenders/{tender:str}"): OFFICERS,
    ("POST", "/tenders/{tender:str}/amend"): OFFICERS,
    ("POST", "/tenders/{tender:str}/award"): OFFICERS,
    ("POST", "/tenders/{tender:str}/bids"): ("provider",),
    ("POST", "/tenders/{tender:str}/cancel"): OFFICERS,
    ("POST", "/tenders/{tender:str}/conflicts-assessment"): OFFICERS,
    ("POST", "/tenders/{tender:str}/contracts"): OFFICERS,
    ("POST", "/tenders/{tender:str}/evaluation/declarations"): OFFICERS,
    ("POST", "/tenders/{tender:str}/evaluation/evaluators"): OFFICERS,
    ("POST", "/tenders/{tender:str}/evaluation/moderation"): OFFICERS,
    ("POST", "/tenders/{tender:str}/evaluation/scores"): OFFICERS,
    ("POST", "/tenders/{tender:str}/lots/{lot:str}/cancel"): OFFICERS,
    ("POST", "/tenders/{tender:str}/open-bids"): OFFICERS,
    ("POST", "/tenders/{tender:str}/publish"): OFFICERS,
    ("POST", "/tenders/{tender:str}/questions"): ("provider",),
    ("POST", "/tenders/{tender:str}/questions/{question:str}/answer"): OFFICERS,
}


def write_routes(app: Any) -> list[tuple[str, str]]:
    return sorted(
        (method, route.path)
        for route in app.routes
        for method in getattr(route, "route_handler_map", {})
        if method in WRITES
    )


def test_every_write_route_has_a_row_and_every_answer_at_its_door_agrees_with_it(market: Marketplace) -> None:
    app = create_app(market)
    routes = write_routes(app)
    assert sorted(POLICY) == routes, "a write route was added or removed: say who may call it in POLICY"
    wrong = []
    with TestClient(app) as client:
        for method, route in routes:
            numbered = re.sub(r"\{[^}]+:int\}", "0", route)
            path = re.sub(r"\{[^}]+\}", str(uuid4()), numbered)  # no such record: the door answers first
            for caller, headers in CALLERS.items():
                status = client.request(method, path, json={}, headers=headers).status_code
                let_in = caller in POLICY[(method, route)]
                refused = status == (401 if caller == "anonymous" else 403)
                if status >= 500 or let_in == refused or (not let_in and status not in (401, 403)):
                    wrong.append((method, route, caller, status))
    assert wrong == []


def test_auditors_write_nothing_and_the_anonymous_write_nothing() -> None:
    assert not [key for key, callers in POLICY.items() if "auditor" in callers or "anonymous" in callers]
