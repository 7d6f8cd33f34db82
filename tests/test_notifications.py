"""Letters: an organisation is told of the decisions on its records, by email through a real SMTP server on
loopback, once, with what was decided, why and where to read it; a letter the server cannot take waits and is tried
again; only the organisation told, the council that decided and auditors read a letter."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from dataclasses import replace
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from litestar.testing import TestClient

from api.app import create_app
from domain.base import Role
from marketplace.capability import declared
from marketplace.clock import FixedClock
from marketplace.notifications.letters import declared_letters
from marketplace.notifications.mail import MailSettings, SmtpMailer
from marketplace.notifications.post import post
from marketplace.service import Marketplace
from marketplace.settings import Settings
from projections.decisions import decision_classes, naming
from tests.challenge_fixtures import PARISH
from tests.challenge_journey import ChallengeJourney
from tests.conftest import bearer
from tests.journeys import NATIONAL, OFFICER, SEVERN, ok, provider, tendering_journey
from tests.test_payments_journey import invoice, on

AUDITOR = bearer(Role.AUDITOR, "GB-LAE-TFW", "audrey")  # of another council: auditors read every letter
JUNE = ("2026-06-01", "2026-06-30")


class Inbox:
    """What the mail server was given, message by message."""

    def __init__(self) -> None:
        self.received: list[tuple[list[str], EmailMessage]] = []

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802 - aiosmtpd's hook
        assert isinstance(envelope.content, bytes)
        message = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        self.received.append((list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def port() -> int:
    return free_port()


@pytest.fixture
def inbox(port: int) -> Iterator[Inbox]:
    inbox = Inbox()
    server = Controller(inbox, hostname="127.0.0.1", port=port)
    server.start()
    yield inbox
    server.stop()


def mailer(port: int) -> SmtpMailer:
    return SmtpMailer(MailSettings(smtp_url=f"smtp://127.0.0.1:{port}", sender="marketplace@shropshire.gov.uk"))


def disputed_invoice(client: TestClient[Any], market: Marketplace, clock: FixedClock) -> str:
    """National Care invoices June on its contract; the council disputes it."""
    contract = tendering_journey(client, market, clock).contracts[1]
    on(clock, "2026-07-01")
    sent = invoice("S-1", *JUNE, [{"description": "Home care, June", "net": "1000", "vat": "0"}])
    made = ok(client.post(f"/contracts/{contract}/invoices", json=sent, headers=provider(NATIONAL)), 201)
    reason = {"reason": "The purchase order number is missing"}
    ok(client.post(f"/invoices/{made['id']}/dispute", json=reason, headers=OFFICER))
    return str(made["id"])


def test_a_disputed_invoice_is_mailed_to_its_supplier_once_with_the_reason(
    market: Marketplace, client: TestClient[Any], clock: FixedClock, inbox: Inbox, port: int
) -> None:
    disputed = disputed_invoice(client, market, clock)
    assert post(market, mailer(port)) == (1, 1, 0)
    [(to, message)] = inbox.received
    assert to == ["ann@example.org"]  # National Care's contact, as the directory holds it
    assert message["Subject"] == "Invoice disputed"
    assert message["From"] == "marketplace@shropshire.gov.uk"
    text = message.get_content()
    assert "Reason: The purchase order number is missing" in text
    assert f"http://localhost:8000/invoices/{disputed}" in text
    assert "s.68" in text

    assert post(market, mailer(port)) == (0, 0, 0)  # nothing is addressed or sent twice
    assert len(inbox.received) == 1

    [letter] = ok(client.get("/notifications", headers=provider(NATIONAL)))["items"]
    assert (letter["status"], letter["organisation"], letter["decision"]) == ("sent", NATIONAL, "invoice.disputed")
    assert (letter["record_id"], letter["path"], letter["attempts"]) == (disputed, f"/invoices/{disputed}", 1)
    assert ok(client.get(f"/notifications/{letter['id']}", headers=OFFICER)) == letter  # the council that decided
    assert ok(client.get("/notifications", headers=AUDITOR))["items"] == [letter]


def test_serve_mails_a_dispute_within_seconds_of_the_decision(
    settings: Settings, clock: FixedClock, inbox: Inbox, port: int
) -> None:
    mailing = MailSettings(smtp_url=f"smtp://127.0.0.1:{port}", post_seconds=0.05)
    market = Marketplace(replace(settings, mail=mailing), clock)
    try:
        with TestClient(create_app(market)) as client:
            disputed_invoice(client, market, clock)
            waited = time.monotonic() + 10
            while not inbox.received and time.monotonic() < waited:
                time.sleep(0.05)
    finally:
        market.close()
    assert [message["Subject"] for _, message in inbox.received] == ["Invoice disputed"]


def test_a_letter_is_read_by_the_organisation_told_the_council_that_decided_and_auditors_alone(
    market: Marketplace, client: TestClient[Any], clock: FixedClock
) -> None:
    disputed_invoice(client, market, clock)
    assert post(market) == (1, 0, 0)  # no mail server set: addressed and kept, not sent
    [letter] = ok(client.get("/notifications", headers=provider(NATIONAL)))["items"]
    assert letter["status"] == "queued" and letter["sent_at"] is None
    other_council = bearer(Role.COMMISSIONER, "GB-LAE-TFW", "tom")
    for stranger in (provider(SEVERN), other_council):
        assert ok(client.get("/notifications", headers=stranger))["items"] == []
        assert client.get(f"/notifications/{letter['id']}", headers=stranger).status_code == 404
        named = client.get("/notifications", params={"organisation": NATIONAL}, headers=stranger)
        assert ok(named)["items"] == []
    assert client.get("/notifications").status_code == 401
    assert client.get(f"/notifications/{letter['id']}").status_code == 401


def test_a_letter_the_mail_server_cannot_take_waits_and_is_tried_again(
    market: Marketplace, client: TestClient[Any], clock: FixedClock, port: int
) -> None:
    disputed_invoice(client, market, clock)
    assert post(market, mailer(port)) == (1, 0, 1)  # nothing listens on the port yet
    [letter] = ok(client.get("/notifications", headers=provider(NATIONAL)))["items"]
    assert (letter["status"], letter["attempts"]) == ("queued", 1)
    assert "Connection" in letter["failure"] or "refused" in letter["failure"], letter["failure"]
    assert post(market, mailer(port)) == (0, 0, 0)  # not before its wait is over

    inbox = Inbox()
    server = Controller(inbox, hostname="127.0.0.1", port=port)
    server.start()
    try:
        clock.advance(minutes=1)
        assert post(market, mailer(port)) == (0, 1, 0)
    finally:
        server.stop()
    assert [to for to, _ in inbox.received] == [["ann@example.org"]]
    [letter] = ok(client.get("/notifications", headers=provider(NATIONAL)))["items"]
    assert (letter["status"], letter["attempts"], letter["failure"]) == ("sent", 2, None)


def test_rebuilding_the_views_sends_no_letter_again(
    market: Marketplace, client: TestClient[Any], clock: FixedClock
) -> None:
    disputed_invoice(client, market, clock)
    assert post(market).addressed == 1
    market.projector.rebuild()
    assert post(market).addressed == 0


def test_a_decision_older_than_thirty_days_when_first_read_is_passed_over(
    market: Marketplace, client: TestClient[Any], clock: FixedClock
) -> None:
    disputed_invoice(client, market, clock)
    clock.advance(days=31)
    assert post(market) == (0, 0, 0)
    assert ok(client.get("/notifications", headers=provider(NATIONAL)))["items"] == []


def test_a_relevant_body_is_told_the_councils_decision_on_its_expression_of_interest(
    market: Marketplace, client: TestClient[Any], clock: FixedClock
) -> None:
    journey = ChallengeJourney(client, clock)
    journey.register_bodies()
    expression = journey.accepted_with_modification(journey.register_service())
    post(market)
    told = ok(client.get("/notifications", params={"record": expression}, headers=OFFICER))["items"]
    assert [(t["organisation"], t["decision"]) for t in told] == [
        (PARISH, "expression_of_interest.modification_proposed"),
        (PARISH, "expression_of_interest.accepted"),
    ]
    assert "Localism Act 2011 (s.83)" in told[-1]["body"]
    assert "Reason: A local body able to run the service, as modified." in told[-1]["body"]


def test_every_declared_letter_names_a_decision_and_reads_one_view() -> None:
    decisions = {naming(cls).decision for cls in decision_classes()}
    for decision, letter in declared_letters(declared()).items():
        assert decision in decisions, decision
        assert letter.to.table is letter.by.table, decision
        assert "{id}" in letter.path and letter.because, decision
