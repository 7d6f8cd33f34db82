"""Bearer tokens: HS256 JWTs carrying the subject, organisation and role."""

from __future__ import annotations

import logging
import secrets
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import jwt

from domain.base import Actor, Role
from marketplace.settings import Settings

log = logging.getLogger(__name__)
ALGORITHM = "HS256"


class InvalidToken(Exception):
    """The bearer token is missing a claim, expired, or not signed with our secret."""


def jwt_secret(settings: Settings) -> str:
    """The configured secret, or a development secret kept under var/ (with a warning)."""
    if settings.jwt_secret:
        return settings.jwt_secret
    path = Path(settings.var_dir) / "dev-jwt-secret"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    log.warning("MARKETPLACE_JWT_SECRET is not set: using the development secret in %s", path)
    return path.read_text().strip()


def issue_token(secret: str, actor: Actor, lifetime: timedelta = timedelta(hours=8)) -> str:
    now = datetime.now(timezone.utc)
    claims = {
        "sub": actor.subject,
        "org": actor.organisation,
        "role": actor.role.value,
        "iat": int(now.timestamp()),
        "exp": int((now + lifetime).timestamp()),
    }
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


class TokenReader:
    """Verifies bearer tokens, remembering the ones it has verified until they expire.

    A client sends the same token with every request for hours; verifying its signature
    once (PyJWT costs about a quarter of a millisecond) is enough. A token is still refused
    the moment it expires.
    """

    def __init__(self, secret: str, capacity: int = 10_000) -> None:
        self.secret = secret
        self.capacity = capacity
        self._verified: dict[str, tuple[Actor, float]] = {}

    def __call__(self, token: str) -> Actor:
        known = self._verified.get(token)
        if known is not None and known[1] > time.time():
            return known[0]
        actor, expires = _verify(self.secret, token)
        if len(self._verified) >= self.capacity:
            self._verified.clear()
        self._verified[token] = (actor, expires)
        return actor


def read_token(secret: str, token: str) -> Actor:
    return _verify(secret, token)[0]


def _verify(secret: str, token: str) -> tuple[Actor, float]:
    try:
        claims = jwt.decode(token, secret, algorithms=[ALGORITHM], options={"require": ["sub", "exp"]})
        role = Role(claims["role"])
        if role is Role.SYSTEM:
            raise ValueError("the system role is not for people")
        return Actor(str(claims["sub"]), str(claims.get("org", "")), role), float(claims["exp"])
    except (jwt.PyJWTError, KeyError, ValueError) as error:
        raise InvalidToken(str(error)) from error
