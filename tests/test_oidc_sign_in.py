"""People sign in through the council's OpenID Connect providers: staff (RS256 and ES256) and suppliers (ES256).

A real provider answers on loopback (discovery documents and JWKS that the tests rotate and take down); the keys
are made here. Every refusal is a 401 (a 403 for a genuine person holding no role) problem+json in the service's
words, never a 500, on SQLite and PostgreSQL alike. Settings parsing: tests/test_oidc_settings.py.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from litestar.testing import TestClient

from api.app import create_app
from domain.base import Role
from marketplace.oidc_config import OidcIssuer
from marketplace.service import Marketplace
from tests.conftest import bearer, registration

CHARITY = "GB-CHC-1234567"
STAFF_ROLES = {"Marketplace.Commissioner": Role.COMMISSIONER, "Marketplace.Auditor": Role.AUDITOR}


@dataclass(frozen=True)
class Key:
    kid: str
    algorithm: str
    private: Any

    def jwk(self) -> dict[str, Any]:
        kind = jwt.algorithms.RSAAlgorithm if self.algorithm == "RS256" else jwt.algorithms.ECAlgorithm
        public: dict[str, Any] = kind.to_jwk(self.private.public_key(), as_dict=True)
        return {**public, "kid": self.kid, "use": "sig", "alg": self.algorithm}

    def public_pem(self) -> bytes:
        encoding, form = serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        return bytes(self.private.public_key().public_bytes(encoding, form))


@cache
def key(kid: str) -> Key:
    if kid.startswith("rsa"):
        return Key(kid, "RS256", rsa.generate_private_key(public_exponent=65537, key_size=2048))
    return Key(kid, "ES256", ec.generate_private_key(ec.SECP256R1()))


class Provider:
    """One HTTP server on 127.0.0.1 playing two issuers, /staff and /suppliers: `published` keys and `answer`
    ("keys", "500" or "garbage") per issuer, and a count of each document fetched."""

    def __init__(self) -> None:
        self.published = {"staff": [key("rsa-1"), key("ec-1")], "suppliers": [key("ec-supplier")]}
        self.answer = {"staff": "keys", "suppliers": "keys"}
        self.delay = 0.0  # seconds before each answer
        self.fetches: Counter[str] = Counter()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, args=(0.02,), daemon=True).start()

    def issuer(self, name: str) -> str:
        return f"{self.base}/{name}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _answer(self, path: str) -> tuple[int, bytes]:
        name, _, rest = path.strip("/").partition("/")
        self.fetches[path] += 1
        if rest == ".well-known/openid-configuration":
            document: Any = {"issuer": self.issuer(name), "jwks_uri": f"{self.issuer(name)}/jwks"}
        elif rest == "jwks" and name in self.published:
            document = {"keys": [k.jwk() for k in self.published[name]]}
        else:
            return 404, b"{}"
        answer = self.answer.get(name, "keys")
        return (500 if answer == "500" else 200), b"<html>Sign in</html>" if answer == "garbage" else json.dumps(
            document
        ).encode()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                time.sleep(provider.delay)
                status, body = provider._answer(self.path)
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *_: Any) -> None:
                pass

        return Handler


@pytest.fixture
def provider() -> Iterator[Provider]:
    found = Provider()
    yield found
    found.close()


def issuers(provider: Provider) -> tuple[OidcIssuer, ...]:
    """The council's staff (app roles mapped, always the council) and its suppliers (providers, org claim)."""
    staff = OidcIssuer(
        provider.issuer("staff"), "marketplace-api", roles=STAFF_ROLES, organisation="GB-LAE-SHR", name="staff"
    )
    suppliers = OidcIssuer(
        provider.issuer("suppliers"), "marketplace-suppliers", role=Role.PROVIDER, org_claim="org", name="suppliers"
    )
    return staff, suppliers


@contextmanager
def served(market: Marketplace, provider: Provider, **changes: Any) -> Iterator[TestClient[Any]]:
    """The API over the test's marketplace, admitting both issuers' tokens (their keys refetched at will)."""
    changes = {"oidc_issuers": issuers(provider), "oidc_refetch_seconds": 0, **changes}
    with TestClient(create_app(market, replace(market.settings, **changes))) as client:
        yield client


@pytest.fixture
def client(market: Marketplace, provider: Provider) -> Iterator[TestClient[Any]]:
    with served(market, provider) as client:
        yield client


def staff(provider: Provider, signer: Key | None = None, **overrides: Any) -> str:
    """A staff token: cathy, a commissioner (and auditor), valid for ten minutes, with any claim replaced."""
    now = int(time.time())
    claims = {"iss": provider.issuer("staff"), "aud": "marketplace-api", "sub": "cathy", "iat": now, "exp": now + 600}
    claims["roles"] = ["Marketplace.Auditor", "Marketplace.Commissioner", "Everyone"]
    claims.update(overrides)
    signer = signer or key("rsa-1")
    present = {name: value for name, value in claims.items() if value is not None}
    return jwt.encode(present, signer.private, algorithm=signer.algorithm, headers={"kid": signer.kid})


def supplier(provider: Provider, **overrides: Any) -> str:
    now = int(time.time())
    claims = {"iss": provider.issuer("suppliers"), "aud": "marketplace-suppliers", "sub": "pat", "org": CHARITY}
    claims.update({"iat": now, "exp": now + 600, **overrides})
    signer = key("ec-supplier")
    return jwt.encode(claims, signer.private, algorithm="ES256", headers={"kid": signer.kid})


def caller(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def refused(client: TestClient[Any], token: str, status: int = 401) -> str:
    response = client.get("/organisations", headers=caller(token))
    assert response.status_code == status, response.text
    return str(response.json()["detail"])


def admitted(client: TestClient[Any], token: str) -> bool:
    return client.get("/organisations", headers=caller(token)).status_code == 200


def hand_signed(header: dict[str, Any], claims: dict[str, Any], secret: bytes | None) -> str:
    """A token made without PyJWT, which would refuse to make these: `none`, or HS256 keyed with a public key."""
    parts = [base64.urlsafe_b64encode(json.dumps(p).encode()).rstrip(b"=") for p in (header, claims)]
    signature = hmac.new(secret, b".".join(parts), hashlib.sha256).digest() if secret else b""
    return b".".join([*parts, base64.urlsafe_b64encode(signature).rstrip(b"=")]).decode()


# Admitted as the actor the claims map to


def test_staff_and_suppliers_sign_in_with_rs256_and_es256_as_the_actors_their_claims_map_to(
    client: TestClient[Any], provider: Provider
) -> None:
    registered = client.post("/organisations", json=registration(CHARITY), headers=caller(supplier(provider)))
    assert registered.status_code == 201, registered.text
    reason = {"reason": "Checked against the Charity Commission register."}
    verified = client.post(f"/organisations/{CHARITY}/verify", json=reason, headers=caller(staff(provider)))
    assert verified.status_code == 200, verified.text
    as_ec = caller(staff(provider, key("ec-1"), sub="audrey", roles="Marketplace.Auditor"))
    events = client.get(f"/audit/organisation/{CHARITY}/history", headers=as_ec)
    assert events.status_code == 200, events.text
    assert [event["actor"] for event in events.json()] == [
        {"subject": "suppliers:pat", "organisation": CHARITY, "role": "provider"},
        {"subject": "staff:cathy", "organisation": "GB-LAE-SHR", "role": "commissioner"},  # the higher role held
    ]
    assert provider.fetches["/staff/.well-known/openid-configuration"] == 1
    assert provider.fetches["/staff/jwks"] == 1  # both staff keys came in one fetch, then were remembered


def test_claims_that_name_no_actor_are_refused_and_a_person_given_no_role_here_is_forbidden(
    client: TestClient[Any], provider: Provider
) -> None:
    assert "org claim" in refused(client, supplier(provider, org="gb-chc-1234567"))
    assert "sub claim" in refused(client, supplier(provider, sub="x" * 200))
    assert "sub claim" in refused(client, staff(provider, sub=None))
    assert admitted(client, supplier(provider, org=None))  # acts for no organisation
    for roles in (["Everyone"], None, "", 7):
        assert "no role" in refused(client, staff(provider, roles=roles), 403)


# Keys: unknown, rotated, and a provider that is down


def test_an_unknown_key_is_refetched_once_then_refused_and_a_rotated_one_admitted(
    client: TestClient[Any], provider: Provider
) -> None:
    assert admitted(client, staff(provider))
    assert "does not publish" in refused(client, staff(provider, key("rsa-2")))
    assert provider.fetches["/staff/jwks"] == 2  # one refetch for the unknown key, not one per attempt
    assert "does not publish" in refused(client, staff(provider, key("ec-supplier")))  # another issuer's key
    provider.published["staff"] = [key("rsa-2")]
    assert admitted(client, staff(provider, key("rsa-2")))
    assert "does not publish" in refused(client, staff(provider, key("rsa-1"), sub="cathy-again"))  # withdrawn


def test_an_unknown_key_is_refetched_at_most_once_per_refetch_interval(market: Marketplace, provider: Provider) -> None:
    with served(market, provider, oidc_refetch_seconds=60) as client:
        assert admitted(client, staff(provider))
        for _ in range(3):
            assert "does not publish" in refused(client, staff(provider, key("rsa-2")))
    assert provider.fetches["/staff/jwks"] == 1


def test_a_provider_that_is_down_is_a_401_saying_so_and_the_keys_held_are_used_meanwhile(
    client: TestClient[Any], provider: Provider
) -> None:
    down = f"The sign-in provider {provider.issuer('staff')} could not be reached"
    for answer in ("500", "garbage"):
        provider.answer["staff"] = answer
        assert refused(client, staff(provider, sub=answer)).startswith(down)
    provider.answer["staff"] = "keys"
    assert admitted(client, staff(provider))
    provider.answer["staff"] = "500"
    assert admitted(client, staff(provider, key("ec-1"), sub="held-keys"))
    assert refused(client, staff(provider, key("rsa-2"))).startswith(down)
    provider.close()
    assert refused(client, supplier(provider)).startswith(f"The sign-in provider {provider.issuer('suppliers')}")


def test_a_slow_provider_does_not_hold_up_the_event_loop(market: Marketplace, provider: Provider) -> None:
    """The keys are fetched in a worker thread: the loop keeps serving others while a sign-in waits on them."""
    provider.delay = 0.3  # twice: the discovery document, then the keys
    app = create_app(market, replace(market.settings, oidc_issuers=issuers(provider)))
    token = staff(provider).encode()
    scope = {"type": "http", "method": "GET", "path": "/organisations", "raw_path": b"/organisations"}
    scope |= {"headers": [(b"authorization", b"Bearer " + token)], "query_string": b"", "root_path": ""}
    answered: list[int] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        answered.extend([message["status"]] if message["type"] == "http.response.start" else [])

    async def longest_stall() -> float:
        signing_in = asyncio.create_task(app(scope, receive, send))  # type: ignore[arg-type]
        longest, last = 0.0, time.monotonic()
        while not signing_in.done():
            await asyncio.sleep(0.01)
            longest, last = max(longest, time.monotonic() - last), time.monotonic()
        return longest

    assert asyncio.run(longest_stall()) < 0.3
    assert answered == [200]


# Refusals


def test_a_token_for_another_issuer_or_audience_is_refused(client: TestClient[Any], provider: Provider) -> None:
    assert "not meant for this service" in refused(client, staff(provider, aud="another-api"))
    assert "no aud claim" in refused(client, staff(provider, aud=None))
    assert "not signed by this service" in refused(client, staff(provider, iss=provider.issuer("elsewhere")))
    assert "does not publish" in refused(client, staff(provider, iss=provider.issuer("suppliers")))  # staff's key
    assert "not meant for this service" in refused(client, supplier(provider, aud="marketplace-api"))


def test_only_rs256_and_es256_signed_by_the_issuer_are_admitted(client: TestClient[Any], provider: Provider) -> None:
    claims = jwt.decode(staff(provider), options={"verify_signature": False})
    public_pem = key("rsa-1").public_pem()
    for header, secret in (
        ({"alg": "none", "kid": "rsa-1"}, None),
        ({"alg": "HS256", "kid": "rsa-1", "typ": "JWT"}, public_pem),  # the classic confusion
        ({"alg": "HS256", "typ": "JWT"}, public_pem),
    ):
        assert "RS256 or ES256" in refused(client, hand_signed(header, claims, secret))
    header = base64.urlsafe_b64encode(b'{"alg":"RS256","kid":"ec-1"}').rstrip(b"=").decode()
    as_rs256 = ".".join([header, *staff(provider, key("ec-1")).split(".")[1:]])
    assert "not signed by the sign-in provider" in refused(client, as_rs256)
    forged = jwt.encode(claims, key("rsa-2").private, algorithm="RS256", headers={"kid": "rsa-1"})
    assert "not signed by the sign-in provider" in refused(client, forged)
    assert "kid" in refused(client, jwt.encode(claims, key("rsa-1").private, algorithm="RS256"))


def test_expiry_and_not_before_hold_within_the_leeway_only(
    client: TestClient[Any], market: Marketplace, provider: Provider
) -> None:
    now = int(time.time())
    assert admitted(client, staff(provider, iat=now - 600, exp=now - 30))
    assert "expired" in refused(client, staff(provider, iat=now - 600, exp=now - 90))
    assert admitted(client, staff(provider, nbf=now + 30))
    assert "not valid yet" in refused(client, staff(provider, nbf=now + 90))
    assert "not valid yet" in refused(client, staff(provider, iat=now + 90))
    assert "no exp claim" in refused(client, staff(provider, exp=None))
    assert "12 hours" in refused(client, staff(provider, iat=now, exp=now + 13 * 3600))
    assert "12 hours" in refused(client, staff(provider, iat=None, exp=now + 13 * 3600))
    assert admitted(client, staff(provider, iat=None))
    with served(market, provider, oidc_leeway_seconds=0) as strict:
        assert "expired" in refused(strict, staff(provider, exp=now - 5))


# Development tokens


def test_development_tokens_are_admitted_beside_the_providers_until_turned_off(
    client: TestClient[Any], market: Marketplace, provider: Provider
) -> None:
    development = bearer(Role.COMMISSIONER, "GB-LAE-SHR", "cathy")["Authorization"].removeprefix("Bearer ")
    assert admitted(client, development)
    with served(market, provider, dev_tokens=False) as production:
        assert "not from a sign-in provider this service trusts" in refused(production, development)
        assert "not from a sign-in provider this service trusts" in refused(production, "garbage")
        assert admitted(production, staff(provider))
        assert admitted(production, supplier(provider))
