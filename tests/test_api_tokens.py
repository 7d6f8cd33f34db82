"""A bearer token is admitted only when every claim is what this service issues, and only for a bounded time.

A leaked token must not work for ever, and a token's claims become the actor recorded on every event:
anything odd in them is refused (401) with a message that says what to do, never a library's internals.
"""

from __future__ import annotations

import base64
import time
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import jwt
import pytest
from litestar.testing import TestClient

from api.app import create_app
from domain.base import Actor, Role
from marketplace.cli import main
from marketplace.service import Marketplace
from marketplace.settings import Settings
from marketplace.tokens import ALGORITHM, InvalidToken, TokenReader, issue_token, read_token
from tests.conftest import SECRET

pytestmark = pytest.mark.request_layer  # answered before any database is asked: SQLite alone

HOUR = 3600
CEILING = Settings.token_max_hours * HOUR
LIBRARY_WORDS = ("codec", "utf-8", "byte", "padding", "Invalid header", "Expecting", "segments", "Signature")


def claims(**overrides: Any) -> dict[str, Any]:
    """The claims this service issues for a commissioner, valid for an hour from now, with any replaced."""
    now = int(time.time())
    found: dict[str, Any] = {"sub": "cathy", "org": "GB-LAE-SHR", "role": "commissioner", "iat": now, "exp": now + HOUR}
    found.update(overrides)
    return {k: v for k, v in found.items() if v is not None}


def signed(**overrides: Any) -> str:
    return jwt.encode(claims(**overrides), SECRET, algorithm=ALGORITHM)


def caller(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def assert_refused(client: TestClient[Any], token: str) -> str:
    """401 problem+json on a read and a write alike; returns the detail."""
    for method, path in (("GET", "/organisations"), ("POST", "/organisations")):
        response = client.request(method, path, json={}, headers=caller(token))
        assert response.status_code == 401, (method, response.text)
        assert response.headers["content-type"] == "application/problem+json"
    detail: str = response.json()["detail"]
    assert not any(word.lower() in detail.lower() for word in LIBRARY_WORDS), detail
    return detail


def test_a_token_as_this_service_issues_it_is_admitted(client: TestClient[Any]) -> None:
    assert client.get("/organisations", headers=caller(signed())).status_code == 200


# Lifetime


def test_a_token_living_longer_than_the_ceiling_from_its_issue_is_refused(client: TestClient[Any]) -> None:
    now = int(time.time())
    detail = assert_refused(client, signed(iat=now, exp=now + int(CEILING) + 60))
    assert "12 hours" in detail


def test_a_token_issued_in_the_future_is_refused(client: TestClient[Any]) -> None:
    now = int(time.time())
    assert_refused(client, signed(iat=now + 30 * HOUR, exp=now + 31 * HOUR))


def test_a_token_at_exactly_the_ceiling_is_admitted(client: TestClient[Any]) -> None:
    now = int(time.time())
    assert client.get("/organisations", headers=caller(signed(iat=now, exp=now + int(CEILING)))).status_code == 200


def test_a_token_without_an_issue_time_is_refused(client: TestClient[Any]) -> None:
    assert "iat" in assert_refused(client, signed(iat=None))


def test_a_token_without_an_expiry_is_refused(client: TestClient[Any]) -> None:
    assert "exp" in assert_refused(client, signed(exp=None))


def test_an_expired_token_is_refused_saying_so(client: TestClient[Any]) -> None:
    now = int(time.time())
    assert "expired" in assert_refused(client, signed(iat=now - 2 * HOUR, exp=now - HOUR))


def test_the_ceiling_holds_for_a_reader_that_remembers_verified_tokens() -> None:
    reader = TokenReader(SECRET, max_hours=1)
    now = int(time.time())
    long_lived = signed(iat=now, exp=now + 2 * HOUR)
    for _ in range(2):
        with pytest.raises(InvalidToken):
            reader(long_lived)
    assert reader(signed()).subject == "cathy"
    assert reader(signed()).subject == "cathy"


def test_a_shorter_ceiling_in_the_settings_is_what_the_api_enforces(settings: Settings) -> None:
    market = Marketplace(replace(settings, token_max_hours=1))
    try:
        with TestClient(create_app(market)) as client:
            now = int(time.time())
            assert "1 hour" in assert_refused(client, signed(iat=now, exp=now + 2 * HOUR))
            assert client.get("/organisations", headers=caller(signed())).status_code == 200
    finally:
        market.close()


# Claims


BAD_CLAIMS = [
    pytest.param({"org": 42}, "org", id="org-a-number"),
    pytest.param({"org": "Shropshire Council"}, "org", id="org-a-name"),
    pytest.param({"org": "gb-lae-shr"}, "org", id="org-not-in-canonical-form"),
    pytest.param({"org": ""}, "org", id="org-empty"),
    pytest.param({"org": ["GB-LAE-SHR"]}, "org", id="org-a-list"),
    pytest.param({"sub": ""}, "sub", id="sub-empty"),
    pytest.param({"sub": "   "}, "sub", id="sub-blank"),
    pytest.param({"sub": "x" * 201}, "sub", id="sub-too-long"),
    pytest.param({"sub": None}, "sub", id="sub-missing"),
    pytest.param({"role": "superuser"}, "role", id="role-unknown"),
    pytest.param({"role": "system"}, "role", id="role-system"),
    pytest.param({"role": 1}, "role", id="role-a-number"),
    pytest.param({"role": ["admin"]}, "role", id="role-a-list"),
    pytest.param({"role": None}, "role", id="role-missing"),
]


@pytest.mark.parametrize(("overrides", "named"), BAD_CLAIMS)
def test_a_token_whose_claims_are_not_what_this_service_issues_is_refused_naming_the_claim(
    client: TestClient[Any], overrides: dict[str, Any], named: str
) -> None:
    assert named in assert_refused(client, signed(**overrides))


def test_a_token_without_an_organisation_is_admitted_as_acting_for_none(client: TestClient[Any]) -> None:
    assert client.get("/organisations", headers=caller(signed(org=None, role="auditor"))).status_code == 200


def test_a_sub_of_exactly_200_characters_is_admitted(client: TestClient[Any]) -> None:
    assert client.get("/organisations", headers=caller(signed(sub="x" * 200))).status_code == 200


MALFORMED = [
    pytest.param("garbage", id="one-word"),
    pytest.param("a.b.c", id="three-words"),
    pytest.param("_w.e30.c2ln", id="header-not-utf8"),
    pytest.param("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0", id="no-signature"),
    pytest.param("eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.", id="alg-none"),
    pytest.param(jwt.encode(claims(), "another-secret-" + "y" * 32, algorithm=ALGORITHM), id="foreign-signature"),
    pytest.param(signed()[:-4], id="truncated-signature"),
]


@pytest.mark.parametrize("token", MALFORMED)
def test_a_malformed_or_foreign_token_is_refused_with_a_fixed_message(client: TestClient[Any], token: str) -> None:
    detail = assert_refused(client, token)
    assert detail == "The bearer token is not valid: it is malformed, expired or not signed by this service."


def test_a_token_header_that_is_not_utf8_is_refused_without_the_codecs_words(client: TestClient[Any]) -> None:
    header = base64.urlsafe_b64encode(b'{"alg":"HS256","typ":"JWT"\xff}').rstrip(b"=").decode()
    body = base64.urlsafe_b64encode(b'{"sub":"x"}').rstrip(b"=").decode()
    assert_refused(client, f"{header}.{body}.c2ln")


# Issuing


def test_issuing_refuses_a_lifetime_beyond_the_ceiling() -> None:
    actor = Actor("cathy", "GB-LAE-SHR", Role.COMMISSIONER)
    with pytest.raises(ValueError, match="12 hours"):
        issue_token(SECRET, actor, timedelta(hours=13))
    assert read_token(SECRET, issue_token(SECRET, actor, timedelta(hours=12))).subject == "cathy"


def test_the_token_command_refuses_hours_beyond_the_ceiling_with_a_clear_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("MARKETPLACE_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("MARKETPLACE_JWT_SECRET", SECRET)
    monkeypatch.setenv("MARKETPLACE_TOKEN_MAX_HOURS", "12")
    argv = ["token", "--role", "commissioner", "--org", "GB-LAE-SHR", "--sub", "cathy"]
    assert main([*argv, "--hours", "24"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "12 hours" in captured.err and "MARKETPLACE_TOKEN_MAX_HOURS" in captured.err
    assert main([*argv, "--hours", "12"]) == 0
    assert read_token(SECRET, capsys.readouterr().out.strip()).organisation == "GB-LAE-SHR"


def test_the_token_command_refuses_an_organisation_or_subject_no_reader_would_admit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("MARKETPLACE_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("MARKETPLACE_JWT_SECRET", SECRET)
    for org, sub in (("gb-lae-shr", "cathy"), ("Shropshire Council", "cathy"), ("GB-LAE-SHR", "x" * 201)):
        assert main(["token", "--role", "commissioner", "--org", org, "--sub", sub]) == 2, (org, sub)
        captured = capsys.readouterr()
        assert captured.out == "" and "marketplace token:" in captured.err
