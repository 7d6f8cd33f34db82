"""The council's mail server, as the settings name it, and how a letter travels to it (SMTP, the standard library's).

`MARKETPLACE_SMTP_URL`: `smtp://host:25` (plain, as to a relay inside the council's network),
`smtp+starttls://user:password@host:587` (upgraded with STARTTLS, then signed in) or `smtps://user:password@host:465`
(TLS from the start). Unset: letters are addressed and kept (`GET /notifications` shows them) but not sent.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

SCHEMES = {"smtp": 25, "smtp+starttls": 587, "smtps": 465}


@dataclass(frozen=True)
class MailSettings:
    """Where letters go and how often the postman looks for them."""

    smtp_url: str = ""  # none: letters are kept, not sent
    sender: str = "marketplace@localhost"  # the From address
    post_seconds: float = 5.0  # how often `serve` addresses and sends letters (0: never; use `marketplace post`)
    timeout_seconds: float = 10.0  # how long one conversation with the mail server may take


def mail_settings_from_env(env: Mapping[str, str]) -> MailSettings:
    url = env.get("MARKETPLACE_SMTP_URL", "").strip()
    if url:
        parts = urlsplit(url)
        if parts.scheme not in SCHEMES or not parts.hostname:
            raise ValueError(
                "MARKETPLACE_SMTP_URL must be smtp://host[:port], smtp+starttls://[user:password@]host[:port] or "
                "smtps://[user:password@]host[:port]"
            )
    return MailSettings(
        smtp_url=url,
        sender=env.get("MARKETPLACE_MAIL_FROM", "marketplace@localhost"),
        post_seconds=float(env.get("MARKETPLACE_POST_SECONDS", "5")),
    )


class SmtpMailer:
    """Sends one message per call over a fresh connection: letters are few, and a connection kept open would need
    its own care when the server drops it."""

    def __init__(self, settings: MailSettings) -> None:
        self.settings = settings
        self.parts = urlsplit(settings.smtp_url)

    def send(self, to: str, subject: str, body: str) -> None:
        """Raises `OSError` or `smtplib.SMTPException` when the server cannot be reached or refuses."""
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = self.settings.sender, to, subject
        message.set_content(body)
        scheme, host = self.parts.scheme, self.parts.hostname or ""
        port = self.parts.port or SCHEMES[scheme]
        timeout = self.settings.timeout_seconds
        if scheme == "smtps":
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(host, port, timeout=timeout, context=ssl.create_default_context())
        else:
            smtp = smtplib.SMTP(host, port, timeout=timeout)
        with smtp:
            if scheme == "smtp+starttls":
                smtp.starttls(context=ssl.create_default_context())
            if self.parts.username:
                smtp.login(unquote(self.parts.username), unquote(self.parts.password or ""))
            smtp.send_message(message)
