"""The OpenID Connect issuers whose tokens sign people in, as configured: one through MARKETPLACE_OIDC_<FIELD>
variables, several as a JSON list in MARKETPLACE_OIDC_ISSUERS (objects whose keys are the fields in lower case).

Anything odd is a startup error (ValueError) naming the setting, so a typo never becomes a silent sign-in hole:
unknown fields, a role or organisation that is both fixed and read from a claim (or, for the organisation, found in
the people registers), an issuer or key address over plain HTTP (other than on this machine), two issuers with the
same `issuer` or `name`. docs/sign-in.md explains every field.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from domain.base import Role
from domain.rules import DomainError
from domain.values import org_id

ISSUERS_SETTING = "MARKETPLACE_OIDC_ISSUERS"
SINGLE_PREFIX = "MARKETPLACE_OIDC_"
# Settings for every issuer alike (marketplace.settings reads them): not fields of the single issuer.
SHARED = ("ISSUERS", "LEEWAY_SECONDS", "REFETCH_SECONDS", "TIMEOUT_SECONDS")
# The most authority first: a person whose claim maps to several roles acts in the first of these.
ROLE_RANK = (Role.ADMIN, Role.COMMISSIONER, Role.AUDITOR, Role.PROVIDER)
FIELDS = (
    "issuer",
    "audience",
    "jwks_url",
    "role_claim",
    "org_claim",
    "roles",
    "role",
    "organisation",
    "organisation_from",
    "name",
    "subject_claim",
)
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9.\-]{0,62}")
_CLAIM = re.compile(r"[\x21-\x7e]{1,100}")  # a claim's name: printable ASCII, no spaces
LOOPBACK = ("127.0.0.1", "::1", "localhost")
# `organisation_from`: the organisation whose people register lists the person's subject (GOV.UK One Login's tokens
# name no organisation). Its people are providers of that organisation: the role is provider, or a startup error.
PEOPLE = "people"


@dataclass(frozen=True)
class OidcIssuer:
    """One sign-in provider: whose tokens (`issuer`, exactly as its `iss` claim), for whom (`audience`), signed by
    which keys (`jwks_url`, found through the discovery document when empty), and how its claims name the actor."""

    issuer: str
    audience: str
    jwks_url: str = ""  # empty: `jwks_uri` of {issuer}/.well-known/openid-configuration
    role_claim: str = "roles"  # a string or a list of strings (Entra ID app roles; `groups` for group ids)
    roles: Mapping[str, Role] = field(default_factory=dict, hash=False)  # claim value -> role; empty: role names
    role: Role | None = None  # every person from this issuer acts in this role (no role claim is read)
    org_claim: str = ""  # the claim holding the org-id.guide identifier the person acts for
    organisation: str = ""  # every person from this issuer acts for this organisation (no org claim is read)
    organisation_from: str = ""  # "people": the organisation whose people register lists the subject, per request
    name: str = ""  # prefixes the subjects this issuer signs in (`name:sub`); empty: the issuer's host name
    subject_claim: str = "sub"

    @property
    def organisation_from_people(self) -> bool:
        return self.organisation_from == PEOPLE

    @property
    def fixed_role(self) -> Role | None:
        """The role every person from this issuer acts in, if it is fixed: people found in an organisation's people
        register act as its providers (their role there, owner or finance, is the organisation's business)."""
        return self.role or (Role.PROVIDER if self.organisation_from_people else None)

    @property
    def label(self) -> str:
        return self.name or (urlsplit(self.issuer).hostname or self.issuer)

    @property
    def discovery_url(self) -> str:
        return self.issuer.rstrip("/") + "/.well-known/openid-configuration"


def issuers_from_env(env: Mapping[str, str]) -> tuple[OidcIssuer, ...]:
    """The issuers the environment configures: the JSON list, or the single issuer's variables, or none."""
    oidc = {name[len(SINGLE_PREFIX) :]: value for name, value in env.items() if name.startswith(SINGLE_PREFIX)}
    own = tuple(key.upper() for key in FIELDS)
    unknown = sorted(set(oidc) - set(own) - set(SHARED))
    if unknown:
        known = ", ".join(SINGLE_PREFIX + name for name in (*own, *SHARED))
        raise ValueError(f"{SINGLE_PREFIX}{unknown[0]} is not a setting (known: {known}).")
    single = {name.lower(): value for name, value in oidc.items() if name in own and value.strip()}
    listed = env.get(ISSUERS_SETTING, "").strip()
    if listed and single:
        given = ", ".join(SINGLE_PREFIX + key.upper() for key in sorted(single))
        raise ValueError(f"Set {ISSUERS_SETTING} or the single issuer's variables ({given}), not both.")
    if listed:
        return issuers_from_json(listed)
    if not single:
        return ()
    if "roles" in single:
        single["roles"] = _json(single["roles"], f"{SINGLE_PREFIX}ROLES", "a JSON object of claim value to role")
    return (issuer_from_fields(single, SINGLE_PREFIX + "{}", upper=True),)


def issuers_from_json(text: str) -> tuple[OidcIssuer, ...]:
    found = _json(text, ISSUERS_SETTING, "a JSON list of issuer objects")
    if not isinstance(found, list) or not found:
        raise ValueError(f"{ISSUERS_SETTING} must be a non-empty JSON list of issuer objects.")
    issuers = []
    for index, item in enumerate(found):
        where = f"{ISSUERS_SETTING}[{index}]"
        if not isinstance(item, dict):
            raise ValueError(f"{where} must be an object with issuer, audience and the other fields.")
        issuers.append(issuer_from_fields(item, where + ".{}"))
    return distinct(tuple(issuers))


def distinct(issuers: tuple[OidcIssuer, ...]) -> tuple[OidcIssuer, ...]:
    """Each issuer once, and each name once: a subject `name:sub` must say which issuer signed the person in."""
    for attribute, hint in (("issuer", ""), ("label", ": give each a distinct `name`")):
        values = [getattr(issuer, attribute) for issuer in issuers]
        twice = sorted({value for value in values if values.count(value) > 1})
        if twice:
            what = "issuer" if attribute == "issuer" else "name"
            raise ValueError(f"{ISSUERS_SETTING} names the {what} {twice[0]!r} more than once{hint}.")
    return issuers


def issuer_from_fields(fields: Mapping[str, Any], where: str, upper: bool = False) -> OidcIssuer:
    """The issuer the fields describe; `where` formats a field's name for messages (the setting it came from)."""

    def named(key: str) -> str:
        return where.format(key.upper() if upper else key)

    unknown = sorted(set(fields) - set(FIELDS))
    if unknown:
        raise ValueError(f"{named(unknown[0])} is not an issuer setting (known: {', '.join(FIELDS)}).")
    text = {key: _text(value, named(key)) for key, value in fields.items() if key != "roles"}
    for required in ("issuer", "audience"):
        if not text.get(required):
            raise ValueError(f"{named(required)} is required for each OpenID Connect issuer.")
    issuer = text["issuer"]
    _check_url(issuer, named("issuer"))
    if text.get("jwks_url"):
        _check_url(text["jwks_url"], named("jwks_url"))
    for claim in ("role_claim", "org_claim", "subject_claim"):
        if claim in text and not _CLAIM.fullmatch(text[claim]):
            raise ValueError(f"{named(claim)} must be a claim's name (printable characters, no spaces).")
    role = _role(text["role"], named("role")) if text.get("role") else None
    if role is not None and ("roles" in fields or "role_claim" in fields):
        raise ValueError(f"{named('role')} fixes the role: do not also set role_claim or roles.")
    _check_organisation(text, fields, named)
    name = text.get("name", "")
    if name and not _NAME.fullmatch(name):
        raise ValueError(f"{named('name')} must be 1 to 63 letters, digits, dots or hyphens, e.g. staff.")
    return OidcIssuer(
        issuer=issuer,
        audience=text["audience"],
        jwks_url=text.get("jwks_url", ""),
        role_claim=text.get("role_claim") or "roles",
        roles=_roles(fields.get("roles", {}), named("roles")),
        role=role,
        org_claim=text.get("org_claim", ""),
        organisation=text.get("organisation", ""),
        organisation_from=text.get("organisation_from", ""),
        name=name,
        subject_claim=text.get("subject_claim") or "sub",
    )


def allowed_url(url: str) -> bool:
    """HTTPS, or plain HTTP on this machine only (a development provider): keys fetched over plain HTTP across a
    network could be swapped by anyone on the path, and with them every token."""
    parts = urlsplit(url)
    return bool(parts.hostname) and (parts.scheme == "https" or (parts.scheme == "http" and parts.hostname in LOOPBACK))


def _json(text: str, setting: str, expected: str) -> Any:
    try:
        return json.loads(text)
    except ValueError as error:
        where = f" (line {error.lineno}, column {error.colno})" if isinstance(error, json.JSONDecodeError) else ""
        raise ValueError(f"{setting} must be {expected}: it is not valid JSON{where}.") from None


def _text(value: object, setting: str) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{setting} must be text.")
    return value.strip()


def _check_url(url: str, setting: str) -> None:
    if not allowed_url(url):
        raise ValueError(f"{setting} must be an https:// address (plain http:// only on this machine): {url!r}.")


def _check_org(value: str, setting: str) -> None:
    try:
        canonical = org_id(value, "organisation")
    except DomainError:
        canonical = ""
    if canonical != value:
        raise ValueError(f"{setting} must be an org-id.guide identifier as written, e.g. GB-LAE-SHR.")


def _check_organisation(text: Mapping[str, str], fields: Mapping[str, Any], named: Callable[[str], str]) -> None:
    """One way at most of giving the issuer's people their organisation: fixed, from a claim, or from the people
    registers (where they act as providers)."""
    organisation = text.get("organisation", "")
    if organisation:
        _check_org(organisation, named("organisation"))
        if text.get("org_claim"):
            raise ValueError(f"{named('organisation')} fixes the organisation: do not also set org_claim.")
    if not text.get("organisation_from"):
        return
    setting = named("organisation_from")
    if text["organisation_from"] != PEOPLE:
        raise ValueError(
            f"{setting} must be {PEOPLE!r}: the organisation whose people register lists the person's subject "
            "(to read a claim, set org_claim; to fix one organisation, set organisation)."
        )
    if text.get("org_claim") or text.get("organisation"):
        raise ValueError(
            f"{setting} finds the organisation in the people registers: do not also set org_claim or organisation."
        )
    if "roles" in fields or "role_claim" in fields or text.get("role", Role.PROVIDER.value) != Role.PROVIDER.value:
        raise ValueError(
            f"{setting} signs people in as providers of the organisation that lists them: set no role_claim or "
            "roles, and no role but provider."
        )


def _role(value: object, setting: str) -> Role:
    names = [role.value for role in ROLE_RANK]
    if not isinstance(value, str) or value not in names:
        raise ValueError(f"{setting} must name one of the roles {', '.join(names)}.")
    return Role(value)


def _roles(value: object, setting: str) -> dict[str, Role]:
    if not isinstance(value, dict):
        example = '{"Marketplace.Admin": "admin"}'
        raise ValueError(f"{setting} must be an object of claim value to role, e.g. {example}.")
    return {str(claim): _role(role, f"{setting}[{claim!r}]") for claim, role in value.items()}
