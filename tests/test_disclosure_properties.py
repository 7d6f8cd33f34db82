"""Random histories through every read path: what each reader sees is what the one disclosure rule says.

Bids: each offer carries its own marker. Whatever the bidders did (replaced, withdrew, resubmitted) and
wherever the tender stands (tendering, past its deadline, opened), no GET path, current or as it stood,
shows a marker to a reader the rule (marketplace.tendering.access, marketplace.organisations.access) keeps
it from, and the offers opened are shown to the officers. Organisations: whatever legal forms an
organisation passed through, an address it had while it was, or now is, of people is shown only to itself
and council officers.
"""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from litestar.testing import TestClient

from api.app import create_app
from domain.organisations.organisation import PEOPLE
from marketplace.clock import FixedClock
from marketplace.scheduler import tick
from marketplace.service import Marketplace
from marketplace.settings import Settings
from tests.conftest import SECRET, registration
from tests.journeys import OFFICER, offer, ok, provider, publish_tender
from tests.test_api_sealed_bids import BIDDER, RIVAL, every_caller, every_get_url, with_history

pytestmark = pytest.mark.slow
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
STEPS = st.lists(st.sampled_from(["replace", "withdraw"]), max_size=3)
INSIDERS = {"commissioner", "admin", "auditor"}


@contextmanager
def fresh_client() -> Iterator[tuple[TestClient[Any], Marketplace, FixedClock]]:
    with tempfile.TemporaryDirectory() as var:
        clock = FixedClock(START)
        settings_ = Settings(
            database_url=f"sqlite:///{Path(var) / 'm.db'}", jwt_secret=SECRET, var_dir=Path(var), tick_seconds=0
        )
        market = Marketplace(settings_, clock)
        try:
            with TestClient(create_app(market)) as client:
                yield client, market, clock
        finally:
            market.close()


def _bid(client: TestClient[Any], tender: str, org: str, steps: list[str]) -> tuple[str, list[str], bool]:
    """One bidder's history: its bid id, the marker of each offer it sent, and whether one stands at the end."""
    markers = [f"OFFER-{uuid.uuid4().hex}"]
    first = offer({"north": "390000"}, markers[0])
    sent = ok(client.post(f"/tenders/{tender}/bids", json=first, headers=provider(org)), 201)
    standing = True
    for step in steps:
        if step == "withdraw" and standing:
            ok(client.post(f"/bids/{sent['id']}/withdraw", headers=provider(org)))
            standing = False
        else:  # a replacement, or a resubmission after withdrawing
            markers.append(f"OFFER-{uuid.uuid4().hex}")
            body = offer({"north": "390000"}, markers[-1])
            ok(client.put(f"/bids/{sent['id']}", json=body, headers=provider(org)))
            standing = True
    return str(sent["id"]), markers, standing


def _readers_allowed(bidder: str, opened: bool, evaluated: bool) -> set[str]:
    """Who the rule lets read one offer: nobody while sealed; then the bidder and auditors, and the other
    officers too for the offer that was opened."""
    if not opened:
        return set()
    own = "the bidder" if bidder == BIDDER else "a rival"
    return {own, "auditor"} | ({"commissioner", "admin"} if evaluated else set())


@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(ours=STEPS, theirs=STEPS, stage=st.sampled_from(["tendering", "closed", "opened"]))
def test_no_read_path_shows_an_offer_to_a_reader_the_rule_keeps_it_from(
    ours: list[str], theirs: list[str], stage: str
) -> None:
    with fresh_client() as (client, market, clock):
        for org in (BIDDER, RIVAL):
            ok(client.post("/organisations", json=registration(org), headers=provider(org)), 201)
        tender = publish_tender(client, clock)
        ids: dict[str, str] = {"tender": tender, "identifier": BIDDER}
        offers: dict[str, tuple[str, list[str], bool]] = {}
        for org, steps in ((BIDDER, ours), (RIVAL, theirs)):
            offers[org] = _bid(client, tender, org, steps)
            ids[f"bid:{org}"] = offers[org][0]
        if stage != "tendering":
            clock.advance(days=31)
            tick(market)
        if stage == "opened":
            ok(client.post(f"/tenders/{tender}/open-bids", headers=OFFICER))
        urls = with_history(every_get_url(client, ids), clock.now().isoformat().replace("+00:00", "Z"))
        bodies = {(who, url): client.get(url, headers=h).text for who, h in every_caller().items() for url in urls}
        for org, (_, markers, standing) in offers.items():
            for n, marker in enumerate(markers):
                evaluated = standing and n == len(markers) - 1
                allowed = _readers_allowed(org, stage == "opened", evaluated)
                seen = {who for (who, _), body in bodies.items() if marker in body}
                assert seen <= allowed, (org, n, seen - allowed)
                if allowed:
                    assert allowed <= seen, (org, n, allowed - seen)


FORMS = st.lists(st.sampled_from(["company", "sole-trader", "partnership", "charitable-trust"]), min_size=1, max_size=4)


@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(forms=FORMS)
def test_an_address_of_people_then_or_now_is_shown_only_to_the_organisation_and_officers(forms: list[str]) -> None:
    identifier = "GB-COH-01234567"
    with fresh_client() as (client, _, _clock):
        streets = [f"{n} Marker Street {uuid.uuid4().hex[:8]}" for n in range(len(forms))]
        first = registration(identifier, legal_form=forms[0], vcse=False, address=_address(streets[0]))
        ok(client.post("/organisations", json=first, headers=provider(identifier)), 201)
        for form, street in zip(forms[1:], streets[1:], strict=True):
            change = {"legal_form": form, "address": _address(street)}
            ok(client.patch(f"/organisations/{identifier}", json=change, headers=provider(identifier)))
        now = forms[-1]
        urls = [f"/organisations/{identifier}", "/organisations"] + [
            f"/organisations/{identifier}?version={v}" for v in range(1, len(forms) + 1)
        ]
        for who, headers in every_caller().items():
            insider = who in INSIDERS
            for url in urls:
                body = client.get(url, headers=headers).text
                for version, (form, street) in enumerate(zip(forms, streets, strict=True), start=1):
                    private = form in PEOPLE or now in PEOPLE
                    if street in body:
                        assert insider or not private, (who, url, version, forms)


def _address(street: str) -> dict[str, str]:
    return {"line1": street, "town": "Clun", "postcode": "SY7 8JA"}
