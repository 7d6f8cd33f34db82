"""An OpenID Connect issuer's signing keys: fetched from its JWKS, remembered, refetched when a token names a key
we do not hold, and never fetched more often than once per MARKETPLACE_OIDC_REFETCH_SECONDS.

The keys are fetched with the standard library, over HTTPS (plain HTTP only on this machine), within
MARKETPLACE_OIDC_TIMEOUT_SECONDS per connection and read, at most 512 KiB, following redirects only to addresses
as safe. The JWKS address is the issuer's own (`jwks_url`), or the `jwks_uri` of its discovery document, whose
`issuer` must be the issuer configured (OpenID Connect Discovery 1.0, section 4.3).

Only keys for RS256 (RSA, at least 2048 bits) and ES256 (EC P-256) that are meant for signatures are kept; the
rest are skipped. A fetch that fails or finds no such key keeps the keys already held (an outage of the provider
does not sign everyone out) and is logged; a token whose key is not held is then refused with
`ProviderUnreachable`. Keys are also refetched once they are an hour old, so a key the provider withdraws
stops being accepted within about an hour.

Calls block while they fetch: make them from a worker thread, not the event loop.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import urllib.request
from collections.abc import Callable, Mapping
from http.client import HTTPException, HTTPMessage
from typing import IO, Any

import jwt
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey

from marketplace.oidc_config import OidcIssuer, allowed_url
from marketplace.tokens import InvalidToken

log = logging.getLogger(__name__)
ALGORITHMS = ("RS256", "ES256")
MAX_BYTES = 512 * 1024
MAX_AGE_SECONDS = 3600.0
MIN_RSA_BITS = 2048
UNKNOWN_KEY = (
    "The bearer token is not valid: it is signed with a key its sign-in provider does not publish. Sign in again."
)


class ProviderUnreachable(InvalidToken):
    """The issuer's keys could not be fetched, so a token it signed cannot be checked (401, never a 500)."""

    def __init__(self, issuer: OidcIssuer) -> None:
        super().__init__(
            f"The sign-in provider {issuer.issuer} could not be reached, or did not answer with its signing keys, "
            "so the bearer token cannot be checked: try again in a minute."
        )


class FetchFailed(Exception):
    """Why a fetch failed, for the log only (it may hold a library's words)."""


class _SafeRedirects(urllib.request.HTTPRedirectHandler):
    """Follow a redirect only to an address we would fetch in the first place (never HTTPS to plain HTTP)."""

    def redirect_request(  # noqa: PLR0913, PLR0917 - the handler's signature, as urllib calls it
        self,
        req: urllib.request.Request,
        fp: IO[bytes],
        code: int,
        msg: str,
        headers: HTTPMessage,
        newurl: str,
    ) -> urllib.request.Request | None:
        if not allowed_url(newurl):
            raise FetchFailed(f"redirected to {newurl!r}, which is not an address keys may come from")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


_OPENER = urllib.request.build_opener(_SafeRedirects)


def fetch_json(url: str, timeout: float) -> dict[str, Any]:
    """The JSON object at the address, or FetchFailed saying why not."""
    request = urllib.request.Request(url, headers={"Accept": "application/json", "User-Agent": "marketplace"})
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            if response.status != 200:
                raise FetchFailed(f"{url} answered {response.status}")
            body = response.read(MAX_BYTES + 1)
        if len(body) > MAX_BYTES:
            raise FetchFailed(f"{url} answered more than {MAX_BYTES} bytes")
        found = json.loads(body)
    except (OSError, HTTPException, ValueError) as error:  # URLError, HTTPError, timeouts; JSON and UTF-8 errors
        raise FetchFailed(f"{url}: {error}") from None
    if not isinstance(found, dict):
        raise FetchFailed(f"{url} did not answer with a JSON object")
    return found


def signing_keys(jwks: Mapping[str, Any]) -> dict[str, jwt.PyJWK]:
    """The RS256 and ES256 signature keys of a JWKS, by kid; FetchFailed when there is none."""
    listed = jwks.get("keys")
    if not isinstance(listed, list):
        raise FetchFailed("the JWKS has no list of keys")
    keys: dict[str, jwt.PyJWK] = {}
    for item in listed:
        key = _usable(item)
        if key is not None:
            keys[item["kid"]] = key
    if not keys:
        raise FetchFailed("the JWKS has no RS256 or ES256 signing key with a kid")
    return keys


def _usable(item: object) -> jwt.PyJWK | None:
    if not isinstance(item, dict) or not isinstance(item.get("kid"), str) or not item["kid"]:
        return None
    if item.get("use", "sig") != "sig" or item.get("alg", ALGORITHMS[0]) not in ALGORITHMS:
        return None
    if item.get("kty") not in ("RSA", "EC"):
        return None
    try:
        key = jwt.PyJWK(item)
    except (jwt.PyJWTError, ValueError, TypeError, KeyError):
        log.info("skipped a JWKS key that could not be read (kid %r)", item["kid"])
        return None
    if key.algorithm_name not in ALGORITHMS:
        return None
    if isinstance(key.key, RSAPublicKey) and key.key.key_size < MIN_RSA_BITS:
        log.warning("skipped a JWKS key of %s bits (kid %r): too short", key.key.key_size, item["kid"])
        return None
    return key


class SigningKeys:
    """One issuer's keys by kid, fetched when first needed and again (at most once per `refetch_seconds`) when a
    token names a key not held, or the keys held are older than an hour."""

    def __init__(
        self,
        issuer: OidcIssuer,
        refetch_seconds: float,
        timeout: float,
        fetch: Callable[[str, float], dict[str, Any]] = fetch_json,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.issuer = issuer
        self.refetch_seconds = refetch_seconds
        self.timeout = timeout
        self._fetch = fetch
        self._clock = clock
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched_at: float | None = None  # when the keys held were fetched
        self._tried_at = float("-inf")  # when a fetch was last tried, whatever came of it
        self._failed = False  # whether that fetch failed
        self._jwks_url = issuer.jwks_url  # found through discovery when not configured
        self._lock = threading.Lock()

    def key(self, kid: str) -> jwt.PyJWK:
        """The key named, fetching the keys when it is not held (or they are old) and a fetch is allowed now."""
        key = self._keys.get(kid)
        if key is not None and not self._old():
            return key
        with self._lock:  # one fetch at a time: the others wait for it rather than fetch again
            if (kid not in self._keys or self._old()) and self._clock() - self._tried_at >= self.refetch_seconds:
                self._refresh()
            key = self._keys.get(kid)
            if key is not None:
                return key
            if self._failed:
                raise ProviderUnreachable(self.issuer)
            raise InvalidToken(UNKNOWN_KEY)

    def _old(self) -> bool:
        return self._fetched_at is not None and self._clock() - self._fetched_at > MAX_AGE_SECONDS

    def _refresh(self) -> None:
        self._tried_at = self._clock()
        try:
            keys = signing_keys(self._fetch(self._jwks_url or self._discover(), self.timeout))
        except FetchFailed as error:
            self._failed = True
            self._jwks_url = self.issuer.jwks_url  # discover afresh next time
            log.warning("could not fetch the signing keys of %s (%s): %s", self.issuer.label, self.issuer.issuer, error)
            return
        self._keys, self._fetched_at, self._failed = keys, self._clock(), False
        log.info("fetched %s signing keys of %s", len(keys), self.issuer.label)

    def _discover(self) -> str:
        document = self._fetch(self.issuer.discovery_url, self.timeout)
        if document.get("issuer") != self.issuer.issuer:
            raise FetchFailed(f"the discovery document names the issuer {document.get('issuer')!r}")
        url = document.get("jwks_uri")
        if not isinstance(url, str) or not allowed_url(url):
            raise FetchFailed(f"the discovery document's jwks_uri {url!r} is not an address keys may come from")
        self._jwks_url = url
        return url
