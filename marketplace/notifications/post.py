"""The postman: addresses the letters the decision log asks for, then sends those due to the mail server.

`serve` runs it every `MARKETPLACE_POST_SECONDS` (so an organisation hears of a decision within seconds, as
PA2023 s.68 wants a disputed invoice's supplier told "without undue delay"); `marketplace post` runs it once.
A letter is tried until the server accepts it: after a failure it waits a minute, then twice as long each time
(at most six hours), and after 12 tries it is undeliverable and left for an officer to see. Each try is claimed
first (its `attempts` moved on only if nobody else did), so two postmen never send one letter twice at once.
"""

from __future__ import annotations

import logging
import smtplib
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, NamedTuple, Protocol

from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError

from marketplace.notifications.letters import address_letters, declared_letters, letters
from marketplace.notifications.mail import SmtpMailer

if TYPE_CHECKING:
    from marketplace.service import Marketplace

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 12
FIRST_WAIT = timedelta(minutes=1)
LONGEST_WAIT = timedelta(hours=6)


class Mailer(Protocol):
    def send(self, to: str, subject: str, body: str) -> None: ...


class Posted(NamedTuple):
    addressed: int
    sent: int
    failed: int


def post(market: Marketplace, mailer: Mailer | None = None) -> Posted:
    """Address what the log asks for; send what is due if a mail server is set (or a mailer given)."""
    addressed = _address(market)
    if mailer is None and market.settings.mail.smtp_url:
        mailer = SmtpMailer(market.settings.mail)
    sent, failed = _send_due(market.engine, mailer, market.clock.now()) if mailer else (0, 0)
    if addressed or sent or failed:
        log.info("letters: %d addressed, %d sent, %d failed", addressed, sent, failed)
    return Posted(addressed, sent, failed)


def _address(market: Marketplace) -> int:
    wanted = declared_letters(market.declarations)
    total = 0
    while True:  # batch by batch, each its own transaction, until the cursor reaches the log's head
        try:
            with market.engine.begin() as connection:
                made = address_letters(connection, wanted, market.settings.public_url, market.clock.now())
        except IntegrityError:  # another postman addressed this batch first
            return total
        total += made
        if not made:
            return total


def _send_due(engine: Engine, mailer: Mailer, now: datetime) -> tuple[int, int]:
    sent = failed = 0
    t = letters.c
    with engine.connect() as connection:
        due = connection.execute(
            select(t.id, t.email, t.subject, t.body, t.attempts)
            .where(t.sent_at.is_(None), t.email.is_not(None), t.attempts < MAX_ATTEMPTS, t.next_try_at <= now)
            .order_by(t.sent_at, t.next_try_at, t.position)
            .limit(100)
        ).all()
    for letter in due:
        if not _claim(engine, letter.id, letter.attempts, now):
            continue
        try:
            mailer.send(letter.email, letter.subject, letter.body)
        except (OSError, smtplib.SMTPException) as error:
            failed += 1
            _failed(engine, letter.id, letter.attempts + 1, now, error)
        else:
            sent += 1
            with engine.begin() as connection:
                connection.execute(letters.update().where(t.id == letter.id).values(sent_at=now, failure=None))
    return sent, failed


def _claim(engine: Engine, letter: str, attempts: int, now: datetime) -> bool:
    """Take this try: the wait before the next is set now, so a postman that dies mid-send retries it later."""
    t = letters.c
    with engine.begin() as connection:
        claimed = connection.execute(
            letters.update()
            .where(t.id == letter, t.attempts == attempts, t.sent_at.is_(None))
            .values(attempts=attempts + 1, next_try_at=now + _wait(attempts + 1))
        )
    return claimed.rowcount == 1


def _failed(engine: Engine, letter: str, attempts: int, now: datetime, error: Exception) -> None:
    log.warning("letter %s not sent (try %d of %d): %s", letter, attempts, MAX_ATTEMPTS, error)
    with engine.begin() as connection:
        connection.execute(
            letters.update()
            .where(letters.c.id == letter)
            .values(failure=f"{type(error).__name__}: {error}"[:2000], next_try_at=now + _wait(attempts))
        )


def _wait(attempts: int) -> timedelta:
    wait: timedelta = FIRST_WAIT * 2 ** (attempts - 1)
    return min(wait, LONGEST_WAIT)
