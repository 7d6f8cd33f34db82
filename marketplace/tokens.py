"""Bearer tokens: HS256 JWTs carrying the subject, organisation and role, for a bounded time.

These are the development tokens `marketplace token` prints, signed with MARKETPLACE_JWT_SECRET (or a development
secret under var/); MARKETPLACE_DEV_TOKENS=off refuses them all. Tokens from the OpenID Connect providers people
sign in with are read by marketplace.oidc, which `TokenReader` hands every token whose `iss` names a configured
provider (docs/sign-in.md).

A token's claims become the actor recorded on every event it writes, so a token is admitted only when
each claim is what `issue_token` would write: `sub` 1-200 characters of text, `org` (when present) an
org-id.guide identifier as this service writes it, `role` a role people hold, and `iat` and `exp` no
further apart, nor `exp` further from now, than the lifetime ceiling (MARKETPLACE_TOKEN_MAX_HOURS).
A refusal says what is wrong in this service's words, never the JWT or JSON library's.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import jwt

from domain.base import Actor, Role
from domain.rules import DomainError
from domain.values import org_id
from marketplace.settings import DEV_TOKENS_NEED_A_SECRET, Settings

log = logging.getLogger(__name__)
ALGORITHM = "HS256"
MAX_HOURS = Settings.token_max_hours  # the ceiling when no settings are at hand
SUBJECT_MAX = 200
ROLES = tuple(role.value for role in Role if role is not Role.SYSTEM)
NOT_VALID = "The bearer token is not valid: it is malformed, expired or not signed by this service."
NOT_TRUSTED = "The bearer token is not valid: it is malformed, or not from a sign-in provider this service trusts."
DEV_TOKENS_OFF = (
    "Development tokens are off (MARKETPLACE_DEV_TOKENS=off): the service admits only tokens from its sign-in "
    "providers, so it would refuse this one."
)


@dataclass(frozen=True)
class SignedIn:
    """A verified token: the actor it names and when it expires (a Unix time).

    `organisation_from_people`: the token names no organisation, its issuer finds it in the people registers by
    the subject (GOV.UK One Login). The registers change while a token lives and the request may choose among
    several, so the organisation is looked up on each request (api/auth.py), never remembered with the token."""

    actor: Actor
    expires: float
    organisation_from_people: bool = False


# Reads one kind of token (an OIDC issuer's): who signed in, or InvalidToken/NotPermitted.
Verifier = Callable[[str], SignedIn]


class InvalidToken(Exception):
    """The bearer token is malformed, foreign, expired, too long-lived, or carries a claim we never issue.

    Its message is for the caller as it stands: a sentence of this service's, with no library text."""


class NotPermitted(Exception):
    """The token is genuine, but its issuer gives the person no role in this service (403, not 401: signing in
    again would not help). Its message is for the caller as it stands."""


def jwt_secret(settings: Settings) -> str:
    """The configured secret, or a development secret kept under var/ (with a warning) unless this is a deployment
    (MARKETPLACE_DEV_SECRET=off: ValueError); empty when development tokens are off (MARKETPLACE_DEV_TOKENS=off),
    for then no token is signed or read with it."""
    if not settings.dev_tokens:
        return ""
    if settings.jwt_secret:
        return settings.jwt_secret
    if not settings.dev_secret:
        raise ValueError(DEV_TOKENS_NEED_A_SECRET)
    path = Path(settings.var_dir) / "dev-jwt-secret"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    log.warning("MARKETPLACE_JWT_SECRET is not set: using the development secret in %s", path)
    return path.read_text().strip()


def issue_token(
    secret: str, actor: Actor, lifetime: timedelta = timedelta(hours=8), max_hours: float = MAX_HOURS
) -> str:
    """A signed token for the actor; a lifetime beyond the ceiling is refused (ValueError): no reader would admit it."""
    if not secret:
        raise ValueError(DEV_TOKENS_OFF)
    if lifetime > timedelta(hours=max_hours):
        raise ValueError(f"A token may live at most {_hours(max_hours)} (MARKETPLACE_TOKEN_MAX_HOURS).")
    if actor.organisation and not is_org_id(actor.organisation):
        raise ValueError(f"'{actor.organisation}' is not an org-id.guide identifier as written, e.g. GB-LAE-SHR.")
    if not 1 <= len(actor.subject) <= SUBJECT_MAX:
        raise ValueError(f"A subject is 1 to {SUBJECT_MAX} characters.")
    now = datetime.now(timezone.utc)
    claims: dict[str, object] = {
        "sub": actor.subject,
        "role": actor.role.value,
        "iat": int(now.timestamp()),
        "exp": int((now + lifetime).timestamp()),
    }
    if actor.organisation:
        claims["org"] = actor.organisation
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


class TokenReader:
    """Verifies bearer tokens, remembering the ones it has verified until they expire.

    A client sends the same token with every request for hours; verifying its signature
    once (PyJWT costs about a quarter of a millisecond) is enough. A token is still refused
    the moment it expires.

    A token is remembered only once verified, the lifetime ceiling included, and only until it expires,
    so the ceiling holds for remembered tokens too.

    A token whose (unverified) `iss` is exactly a key of `issuers` is that issuer's to verify, and no one else's;
    any other token is a development token, verified with `secret`, or refused when `secret` is empty
    (development tokens off). An issuer's verifier may fetch its keys: call the reader off the event loop,
    after `remembered` found nothing.
    """

    def __init__(
        self,
        secret: str,
        max_hours: float = MAX_HOURS,
        capacity: int = 10_000,
        issuers: Mapping[str, Verifier] | None = None,
    ) -> None:
        self.secret = secret
        self.max_seconds = max_hours * 3600
        self.capacity = capacity
        self.issuers = dict(issuers or {})
        self._verified: dict[str, SignedIn] = {}

    def remembered(self, token: str) -> SignedIn | None:
        """A token verified before and not yet expired, without any work that may block."""
        known = self._verified.get(token)
        return known if known is not None and known.expires > time.time() else None

    def sign_in(self, token: str) -> SignedIn:
        """The token verified (remembered, or read now: an issuer's verifier may fetch its keys)."""
        known = self.remembered(token)
        if known is not None:
            return known
        verifier = self.issuers.get(unverified_issuer(token) or "") if self.issuers else None
        if verifier is not None:
            signed_in = verifier(token)
        elif self.secret:
            signed_in = _verify(self.secret, token, self.max_seconds)
        else:
            raise InvalidToken(NOT_TRUSTED)
        if len(self._verified) >= self.capacity:
            self._verified.clear()
        self._verified[token] = signed_in
        return signed_in

    def __call__(self, token: str) -> Actor:
        """The actor the token names (for a people-register issuer, with no organisation: see `SignedIn`)."""
        return self.sign_in(token).actor


def unverified_issuer(token: str) -> str | None:
    """The `iss` a token claims, read before anything is verified: only to choose who verifies it."""
    try:
        claims = jwt.decode(token, options={"verify_signature": False})
    except (jwt.PyJWTError, ValueError, TypeError):
        return None
    issuer = claims.get("iss")
    return issuer if isinstance(issuer, str) else None


def read_token(secret: str, token: str, max_hours: float = MAX_HOURS) -> Actor:
    return _verify(secret, token, max_hours * 3600).actor


def _verify(secret: str, token: str, max_seconds: float) -> SignedIn:
    """The actor and expiry of a token signed with our secret, its lifetime within the ceiling."""
    claims = _signed_claims(secret, token)
    expires = float(claims["exp"])
    within_ceiling(float(claims["iat"]), expires, max_seconds)
    return SignedIn(_actor_of(claims), expires)


def within_ceiling(issued: float | None, expires: float, max_seconds: float) -> None:
    """Refuse a token living longer than the ceiling from its issue (when it says), or from now."""
    if (issued is not None and expires - issued > max_seconds) or expires - time.time() > max_seconds:
        allowed = _hours(max_seconds / 3600)
        raise InvalidToken(f"The bearer token lives longer than the {allowed} from its issue this service allows.")


def _signed_claims(secret: str, token: str) -> dict[str, Any]:
    try:
        claims: dict[str, Any] = jwt.decode(token, secret, algorithms=[ALGORITHM], options={"require": ["exp", "iat"]})
    except jwt.ExpiredSignatureError:
        raise InvalidToken("The bearer token has expired: ask for a new one.") from None
    except jwt.MissingRequiredClaimError as missing:
        raise InvalidToken(f"The bearer token has no {missing.claim} claim: ask for a new one.") from None
    except (jwt.PyJWTError, ValueError, TypeError):
        raise InvalidToken(NOT_VALID) from None
    return claims


def _actor_of(claims: dict[str, Any]) -> Actor:
    """The claims as the actor they name, or InvalidToken naming the claim that is not what we issue."""
    subject, organisation, role = claims.get("sub"), claims.get("org"), claims.get("role")
    if not isinstance(subject, str) or not subject.strip() or len(subject) > SUBJECT_MAX:
        raise InvalidToken(f"The bearer token's sub claim must be text of 1 to {SUBJECT_MAX} characters.")
    if organisation is not None and not is_org_id(organisation):
        raise InvalidToken("The bearer token's org claim must be an org-id.guide identifier such as GB-LAE-SHR.")
    if not isinstance(role, str) or role not in ROLES:
        raise InvalidToken(f"The bearer token's role claim must be one of {', '.join(ROLES)}.")
    return Actor(subject, organisation or "", Role(role))


def is_org_id(value: object) -> bool:
    """An identifier exactly as this service writes it (GB-LAE-SHR, not gb-lae-shr)."""
    try:
        return isinstance(value, str) and org_id(value, "org") == value
    except DomainError:
        return False


def _hours(hours: float) -> str:
    return f"{hours:g} hour" + ("" if hours == 1 else "s")
