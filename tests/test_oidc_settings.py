"""The sign-in settings as the environment gives them: one issuer through MARKETPLACE_OIDC_<FIELD>, several as a
JSON list in MARKETPLACE_OIDC_ISSUERS, development tokens on until MARKETPLACE_DEV_TOKENS=off. Anything odd is a
startup error that names the setting; the signing keys' cache is in tests/test_oidc_sign_in.py, with the matrix.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from domain.base import Actor, Role
from marketplace.cli import main
from marketplace.jwks import FetchFailed, SigningKeys, signing_keys
from marketplace.oidc_config import OidcIssuer
from marketplace.settings import Settings
from marketplace.tokens import InvalidToken, issue_token, jwt_secret
from tests.test_oidc_sign_in import key

ENTRA = "https://login.microsoftonline.com/11111111-2222-3333-4444-555555555555/v2.0"
ONE_LOGIN = "https://oidc.account.gov.uk/"


def settings(**env: str) -> Settings:
    return Settings.from_env({"MARKETPLACE_DATABASE_URL": "sqlite://", **env})


def refused(message: str, **env: str) -> None:
    with pytest.raises(ValueError, match=message):
        settings(**env)


def test_one_issuer_from_the_customers_variable_names() -> None:
    found = settings(
        MARKETPLACE_OIDC_ISSUER=ENTRA,
        MARKETPLACE_OIDC_AUDIENCE="api://marketplace",
        MARKETPLACE_OIDC_JWKS_URL="https://login.microsoftonline.com/common/discovery/v2.0/keys",
        MARKETPLACE_OIDC_ROLE_CLAIM="groups",
        MARKETPLACE_OIDC_ORG_CLAIM="org",
        MARKETPLACE_OIDC_ROLES='{"a-group-id": "commissioner"}',
        MARKETPLACE_OIDC_NAME="staff",
    )
    assert found.oidc_issuers == (
        OidcIssuer(
            ENTRA,
            "api://marketplace",
            jwks_url="https://login.microsoftonline.com/common/discovery/v2.0/keys",
            role_claim="groups",
            roles={"a-group-id": Role.COMMISSIONER},
            org_claim="org",
            name="staff",
        ),
    )
    assert found.dev_tokens and (found.oidc_leeway_seconds, found.oidc_refetch_seconds) == (60, 60)


def test_by_default_the_keys_come_through_discovery_and_the_name_is_the_host() -> None:
    (issuer,) = settings(MARKETPLACE_OIDC_ISSUER=ONE_LOGIN, MARKETPLACE_OIDC_AUDIENCE="client-id").oidc_issuers
    assert issuer.discovery_url == "https://oidc.account.gov.uk/.well-known/openid-configuration"
    assert (issuer.jwks_url, issuer.role_claim, issuer.label, issuer.subject_claim) == (
        "",
        "roles",
        "oidc.account.gov.uk",
        "sub",
    )


def test_several_issuers_from_a_json_list() -> None:
    listed = [
        {"issuer": ENTRA, "audience": "api://marketplace", "roles": {"M.Admin": "admin"}, "organisation": "GB-LAE-SHR"},
        {"issuer": ONE_LOGIN, "audience": "client-id", "role": "provider", "name": "suppliers", "subject_claim": "sub"},
    ]
    staff, suppliers = settings(MARKETPLACE_OIDC_ISSUERS=json.dumps(listed)).oidc_issuers
    assert (staff.roles, staff.organisation, staff.role) == ({"M.Admin": Role.ADMIN}, "GB-LAE-SHR", None)
    assert (suppliers.role, suppliers.label, suppliers.org_claim) == (Role.PROVIDER, "suppliers", "")


MISCONFIGURED = [
    pytest.param({"MARKETPLACE_OIDC_ISSUERS": '[{"issuer": '}, "not valid JSON", id="malformed-json"),
    pytest.param({"MARKETPLACE_OIDC_ISSUERS": '{"issuer": "x"}'}, "non-empty JSON list", id="an-object"),
    pytest.param({"MARKETPLACE_OIDC_ISSUERS": "[]"}, "non-empty JSON list", id="empty-list"),
    pytest.param({"MARKETPLACE_OIDC_ISSUERS": '["https://a"]'}, r"ISSUERS\[0\] must be an object", id="a-string"),
    pytest.param({"MARKETPLACE_OIDC_ROLES": "{", "MARKETPLACE_OIDC_ISSUER": ENTRA}, "ROLES must be", id="bad-roles"),
    pytest.param({"MARKETPLACE_OIDC_ROLE_CLAIMS": "groups"}, "ROLE_CLAIMS is not a setting", id="typo"),
    pytest.param({"MARKETPLACE_OIDC_AUDIENCE": "x"}, "ISSUER is required", id="no-issuer"),
    pytest.param({"MARKETPLACE_OIDC_ISSUER": ENTRA}, "AUDIENCE is required", id="no-audience"),
    pytest.param({"MARKETPLACE_DEV_TOKENS": "perhaps"}, "'on' or 'off'", id="dev-tokens"),
    pytest.param({"MARKETPLACE_OIDC_LEEWAY_SECONDS": "600"}, "from 0 to 300", id="leeway-beyond-bound"),
    pytest.param({"MARKETPLACE_OIDC_TIMEOUT_SECONDS": "soon"}, "TIMEOUT_SECONDS must be", id="timeout"),
]


@pytest.mark.parametrize(("env", "message"), MISCONFIGURED)
def test_a_misconfiguration_is_a_startup_error_naming_the_setting(env: dict[str, str], message: str) -> None:
    refused(message, **env)


ISSUER_REFUSED = [
    pytest.param({"issuer": "http://idp.example/"}, "https://", id="plain-http-across-a-network"),
    pytest.param({"jwks_url": "http://idp.example/keys"}, r"jwks_url must be an https", id="plain-http-keys"),
    pytest.param({"role": "system"}, "must name one of the roles", id="role-system"),
    pytest.param({"roles": {"Owners": "superuser"}}, r"roles\['Owners'\]", id="roles-unknown-role"),
    pytest.param({"role": "provider", "roles": {"x": "admin"}}, "fixes the role", id="role-and-roles"),
    pytest.param({"role": "provider", "role_claim": "groups"}, "fixes the role", id="role-and-role-claim"),
    pytest.param({"organisation": "GB-LAE-SHR", "org_claim": "org"}, "fixes the organisation", id="org-twice"),
    pytest.param({"organisation": "gb-lae-shr"}, "org-id.guide", id="org-not-canonical"),
    pytest.param({"audience": 7}, r"\[0\].audience must be text", id="audience-a-number"),
    pytest.param({"name": "staff members"}, "letters, digits", id="name-with-space"),
    pytest.param({"group_claim": "groups"}, "group_claim is not an issuer setting", id="unknown-field"),
    pytest.param({"organisation_from": "claims"}, "organisation_from must be 'people'", id="organisation-from-what"),
    *[
        pytest.param({"organisation_from": "people", **other}, message, id=f"organisation-from-people-and-{name}")
        for name, other, message in (
            ("org-claim", {"org_claim": "org"}, "do not also set org_claim or organisation"),
            ("organisation", {"organisation": "GB-LAE-SHR"}, "do not also set org_claim or organisation"),
            ("role", {"role": "commissioner"}, "as providers of the organisation that lists them"),
            ("roles", {"roles": {"Owners": "provider"}}, "set no role_claim or roles"),
            ("role-claim", {"role_claim": "groups"}, "set no role_claim or roles"),
        )
    ],
]


@pytest.mark.parametrize(("fields", "message"), ISSUER_REFUSED)
def test_an_issuer_that_would_be_unsafe_or_ambiguous_is_refused(fields: dict[str, Any], message: str) -> None:
    refused(message, MARKETPLACE_OIDC_ISSUERS=json.dumps([{"issuer": ENTRA, "audience": "api://m", **fields}]))


def test_one_login_suppliers_may_find_their_organisation_in_the_people_registers_and_act_as_providers() -> None:
    listed = [{"issuer": ONE_LOGIN, "audience": "client-id", "name": "suppliers", "organisation_from": "people"}]
    (suppliers,) = settings(MARKETPLACE_OIDC_ISSUERS=json.dumps(listed)).oidc_issuers
    assert (suppliers.organisation_from_people, suppliers.fixed_role, suppliers.org_claim) == (True, Role.PROVIDER, "")
    (single,) = settings(
        MARKETPLACE_OIDC_ISSUER=ONE_LOGIN,
        MARKETPLACE_OIDC_AUDIENCE="client-id",
        MARKETPLACE_OIDC_ORGANISATION_FROM="people",
        MARKETPLACE_OIDC_ROLE="provider",  # the role they would have anyway: allowed
    ).oidc_issuers
    assert (single.organisation_from_people, single.fixed_role) == (True, Role.PROVIDER)
    (by_claim,) = settings(MARKETPLACE_OIDC_ISSUER=ONE_LOGIN, MARKETPLACE_OIDC_AUDIENCE="c").oidc_issuers
    assert (by_claim.organisation_from_people, by_claim.fixed_role) == (False, None)


def test_issuers_and_their_names_are_distinct_and_one_way_of_configuring_them_is_used() -> None:
    twice = json.dumps([{"issuer": ENTRA, "audience": "a"}, {"issuer": ENTRA, "audience": "b"}])
    refused("names the issuer", MARKETPLACE_OIDC_ISSUERS=twice)
    other_tenant = ENTRA.replace("1111", "9999")
    same_host = json.dumps([{"issuer": ENTRA, "audience": "a"}, {"issuer": other_tenant, "audience": "b"}])
    refused("give each a distinct `name`", MARKETPLACE_OIDC_ISSUERS=same_host)
    refused("not both", MARKETPLACE_OIDC_ISSUERS=same_host, MARKETPLACE_OIDC_ISSUER=ENTRA)


def test_empty_single_issuer_variables_configure_nothing_and_loopback_http_is_allowed() -> None:
    assert settings(MARKETPLACE_OIDC_ISSUER="", MARKETPLACE_OIDC_AUDIENCE=" ").oidc_issuers == ()
    local = settings(MARKETPLACE_OIDC_ISSUER="http://127.0.0.1:8080/realms/dev", MARKETPLACE_OIDC_AUDIENCE="m")
    assert local.oidc_issuers[0].label == "127.0.0.1"


def test_development_tokens_are_on_by_default_and_off_when_set_off() -> None:
    assert settings().dev_tokens
    assert not settings(MARKETPLACE_DEV_TOKENS="off").dev_tokens
    off = settings(MARKETPLACE_DEV_TOKENS="OFF", MARKETPLACE_JWT_SECRET="s" * 40)
    assert jwt_secret(off) == ""
    with pytest.raises(ValueError, match="MARKETPLACE_DEV_TOKENS=off"):
        issue_token(jwt_secret(off), Actor("cathy", "GB-LAE-SHR", Role.COMMISSIONER))


def test_the_token_command_refuses_while_development_tokens_are_off(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("MARKETPLACE_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("MARKETPLACE_DEV_TOKENS", "off")
    assert main(["token", "--role", "commissioner", "--org", "GB-LAE-SHR", "--sub", "cathy"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "MARKETPLACE_DEV_TOKENS=off" in captured.err and "would refuse" in captured.err
    assert not (tmp_path / "dev-jwt-secret").exists()


# The keys' cache, on a clock the test moves


def test_keys_an_hour_old_are_refetched_and_kept_while_the_provider_is_down() -> None:
    answers: list[Any] = [{"keys": [key("ec-1").jwk()]}]
    now = [0.0]

    def fetch(url: str, timeout: float) -> dict[str, Any]:
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return dict(answer)

    issuer = OidcIssuer("https://idp.example", "m", jwks_url="https://idp.example/keys")
    keys = SigningKeys(issuer, refetch_seconds=60, timeout=1, fetch=fetch, clock=lambda: now[0])
    assert keys.key("ec-1").algorithm_name == "ES256"
    now[0] = 3601.0  # an hour on: the keys are refetched, and the provider is down
    answers.append(FetchFailed("down"))
    assert keys.key("ec-1").algorithm_name == "ES256"  # the keys held stay in use meanwhile
    assert not answers
    now[0] = 3602.0  # no second fetch within the refetch interval (none is queued: one would fail the test)
    assert keys.key("ec-1").algorithm_name == "ES256"
    now[0] = 3700.0
    answers.append({"keys": [key("rsa-1").jwk()]})  # the provider is back, having withdrawn ec-1
    assert keys.key("rsa-1").algorithm_name == "RS256"
    with pytest.raises(InvalidToken, match="does not publish"):
        keys.key("ec-1")


def test_only_signature_keys_for_rs256_and_es256_are_kept() -> None:
    weak = {"kty": "RSA", "kid": "weak", "n": "sXch", "e": "AQAB"}
    symmetric = {"kty": "oct", "kid": "hmac", "k": "c2VjcmV0"}
    encryption = {**key("rsa-1").jwk(), "kid": "enc", "use": "enc"}
    p384 = {**key("ec-1").jwk(), "kid": "p384", "alg": "ES384"}
    kept = signing_keys({"keys": [weak, symmetric, encryption, p384, key("rsa-1").jwk(), {"kty": "EC"}]})
    assert list(kept) == ["rsa-1"]
