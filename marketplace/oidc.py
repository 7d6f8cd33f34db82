"""Sign-in through OpenID Connect: a configured issuer's token becomes the actor its claims name.

A token is this issuer's when its `iss` is exactly the issuer configured; then only this issuer's keys may verify
it, only with RS256 or ES256 (never `none`, never HS256: a token MACed with the provider's public key as a secret
is refused before any key is looked at), and it must name its key (`kid`), carry `exp`, `iss` and `aud`, be meant
for the configured audience and be inside its `exp`, `nbf` and `iat` give or take the leeway
(MARKETPLACE_OIDC_LEEWAY_SECONDS). It may live no longer than MARKETPLACE_TOKEN_MAX_HOURS, as development tokens.

Its claims then name the actor (docs/sign-in.md):
- subject: `<name>:<sub>`, the issuer's name (by default its host name) before the subject claim, so that two
  issuers' people with the same `sub` are never the same actor; at most 200 characters in all;
- organisation: the issuer's fixed `organisation`, or the org claim (an org-id.guide identifier as written), or
  none when the claim is absent; with `organisation_from: people`, none here: the request's organisation is the
  one whose people register lists the subject, looked up on each request (api/auth.py);
- role: the issuer's fixed `role` (provider for `organisation_from: people`), or the role claim (a string or a list
  of strings) mapped through `roles` (or, with no mapping, values that are role names themselves); with several,
  the one with the most authority (admin, commissioner, auditor, provider). None is a 403: the person is known but
  holds no role here.
Every refusal is in this service's words.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import jwt

from domain.base import Actor, Role
from marketplace.jwks import ALGORITHMS, SigningKeys
from marketplace.oidc_config import ROLE_RANK, OidcIssuer
from marketplace.settings import Settings
from marketplace.tokens import (
    SUBJECT_MAX,
    InvalidToken,
    NotPermitted,
    SignedIn,
    TokenReader,
    Verifier,
    is_org_id,
    jwt_secret,
    within_ceiling,
)

log = logging.getLogger(__name__)
NOT_VALID = "The bearer token is not valid: it is malformed, or not signed by the sign-in provider it names."
ALGORITHM = "The bearer token is not valid: a sign-in provider's tokens must be signed with RS256 or ES256."
NO_KEY_ID = "The bearer token is not valid: it does not name the sign-in provider's key that signed it (kid)."
EXPIRED = "The bearer token has expired: sign in again."
NOT_YET = "The bearer token is not valid yet (nbf or iat is in the future): check this device's clock."
AUDIENCE = "The bearer token is not meant for this service (aud): sign in to the marketplace, not another service."


class IssuerVerifier:
    """Reads the tokens of one issuer: the actor they name and when they expire."""

    def __init__(self, issuer: OidcIssuer, keys: SigningKeys, leeway: float, max_seconds: float) -> None:
        self.issuer = issuer
        self.keys = keys
        self.leeway = leeway
        self.max_seconds = max_seconds

    def __call__(self, token: str) -> SignedIn:
        claims = self._verified_claims(token)
        issued = claims.get("iat")
        expires = float(claims["exp"])
        within_ceiling(float(issued) if issued is not None else None, expires, self.max_seconds)
        return SignedIn(actor_of(self.issuer, claims), expires, self.issuer.organisation_from_people)

    def _verified_claims(self, token: str) -> dict[str, Any]:
        try:
            header = jwt.get_unverified_header(token)
        except (jwt.PyJWTError, ValueError, TypeError):
            raise InvalidToken(NOT_VALID) from None
        algorithm, kid = header.get("alg"), header.get("kid")
        if algorithm not in ALGORITHMS:
            raise InvalidToken(ALGORITHM)
        if not isinstance(kid, str) or not kid:
            raise InvalidToken(NO_KEY_ID)
        key = self.keys.key(kid)  # may fetch: the reader runs off the event loop
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key,
                algorithms=[algorithm],
                audience=self.issuer.audience,
                issuer=self.issuer.issuer,
                leeway=self.leeway,
                options={"require": ["exp", "iss", "aud"], "enforce_minimum_key_length": True},
            )
        except jwt.ExpiredSignatureError:
            raise InvalidToken(EXPIRED) from None
        except jwt.ImmatureSignatureError:
            raise InvalidToken(NOT_YET) from None
        except jwt.InvalidAudienceError:
            raise InvalidToken(AUDIENCE) from None
        except jwt.MissingRequiredClaimError as missing:
            raise InvalidToken(f"The bearer token has no {missing.claim} claim: sign in again.") from None
        except (jwt.PyJWTError, ValueError, TypeError):
            raise InvalidToken(NOT_VALID) from None
        return claims


def actor_of(issuer: OidcIssuer, claims: Mapping[str, Any]) -> Actor:
    """Who the verified claims say is acting, for which organisation, in which role."""
    return Actor(subject_of(issuer, claims), organisation_of(issuer, claims), role_of(issuer, claims))


def subject_of(issuer: OidcIssuer, claims: Mapping[str, Any]) -> str:
    found = claims.get(issuer.subject_claim)
    subject = f"{issuer.label}:{found}" if isinstance(found, str) and found.strip() else ""
    if not subject or len(subject) > SUBJECT_MAX:
        raise InvalidToken(
            f"The bearer token's {issuer.subject_claim} claim must be text, at most {SUBJECT_MAX} characters "
            f"with the sign-in provider's name ({issuer.label}:) before it."
        )
    return subject


def organisation_of(issuer: OidcIssuer, claims: Mapping[str, Any]) -> str:
    """The fixed organisation, or the org claim's; none when neither is set, or when the people registers name it
    (per request: api/auth.py)."""
    if issuer.organisation or not issuer.org_claim:
        return issuer.organisation
    found = claims.get(issuer.org_claim)
    if found is None:
        return ""
    if not is_org_id(found):
        raise InvalidToken(
            f"The bearer token's {issuer.org_claim} claim must be an org-id.guide identifier such as GB-LAE-SHR."
        )
    return str(found)


def role_of(issuer: OidcIssuer, claims: Mapping[str, Any]) -> Role:
    if issuer.fixed_role is not None:
        return issuer.fixed_role
    found = claims.get(issuer.role_claim)
    values = [found] if isinstance(found, str) else found if isinstance(found, list) else []
    mapping = issuer.roles or {role.value: role for role in ROLE_RANK}
    held = {mapping[value] for value in values if isinstance(value, str) and value in mapping}
    for role in ROLE_RANK:
        if role in held:
            return role
    raise NotPermitted(
        f"You are signed in through {issuer.label}, but its {issuer.role_claim} claim gives you no role in this "
        "service: ask the council's marketplace administrator to grant you one."
    )


def token_reader(settings: Settings) -> TokenReader:
    """The reader of every token the settings admit: the configured issuers', and development tokens unless off."""
    secret = jwt_secret(settings)
    max_seconds = settings.token_max_hours * 3600
    issuers: dict[str, Verifier] = {}
    for issuer in settings.oidc_issuers:
        keys = SigningKeys(issuer, settings.oidc_refetch_seconds, settings.oidc_timeout_seconds)
        issuers[issuer.issuer] = IssuerVerifier(issuer, keys, settings.oidc_leeway_seconds, max_seconds)
    if not settings.dev_tokens and not issuers:
        log.warning("Development tokens are off and no OpenID Connect issuer is configured: nobody can sign in")
    elif settings.dev_tokens and issuers:
        log.warning("Development tokens are on beside sign-in providers: MARKETPLACE_DEV_TOKENS=off refuses them")
    return TokenReader(secret, settings.token_max_hours, issuers=issuers)
