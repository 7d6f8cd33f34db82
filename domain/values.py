"""Value objects shared across aggregates: organisation identifiers, postcodes, addresses, moments.

Money has a module of its own (domain/money.py); `money` is also importable from here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from domain.money import money as money  # noqa: PLC0414 - re-exported for modules that import it from here
from domain.rules import DomainError, ValueRule, check

# org-id.guide lists; each scheme's own identifier shape.
ORG_ID_SCHEMES: dict[str, re.Pattern[str]] = {
    "GB-COH": re.compile(r"(?:\d{8}|[A-Z]{2}\d{6})"),  # Companies House
    "GB-CHC": re.compile(r"\d{6,7}"),  # Charity Commission (England and Wales)
    "GB-SC": re.compile(r"SC\d{6}"),  # OSCR (Scotland)
    "GB-NIC": re.compile(r"\d{6}"),  # Charity Commission for Northern Ireland
    "GB-MPR": re.compile(r"\d{1,6}R?|[A-Z]{2}\d{1,6}R?"),  # FCA Mutuals Public Register
    "GB-LAE": re.compile(r"[A-Z]{3}"),  # Local Authorities (England)
    "GB-LAW": re.compile(r"[A-Z]{3}"),  # Local Authorities (Wales)
    "GB-LAS": re.compile(r"[A-Z]{3}"),  # Local Authorities (Scotland)
    "GB-PLA": re.compile(r"[A-Z]{3}"),  # Principal Local Authorities (Northern Ireland)
    "GB-NHS": re.compile(r"[A-Z0-9]{3,5}"),  # NHS organisations (ODS codes)
    "GB-EDU": re.compile(r"\d{6}"),  # Get Information About Schools URN
    "360G": re.compile(r"[A-Za-z0-9]+-[A-Za-z0-9._-]+"),  # no register: 360G-<publisher>-<ref>
}

_POSTCODE = re.compile(r"^([A-Z]{1,2}\d[A-Z\d]?) ?(\d[A-Z]{2})$")
_DISTRICT = re.compile(r"^[A-Z]{1,2}\d[A-Z\d]?$")


def org_id(value: str, field: str = "identifier") -> str:
    """An organisation identifier in org-id.guide form, such as GB-COH-01234567."""
    candidate = value.strip().upper() if not value.strip().startswith("360G-") else value.strip()
    for scheme, pattern in ORG_ID_SCHEMES.items():
        prefix = scheme + "-"
        if candidate.startswith(prefix) and pattern.fullmatch(candidate[len(prefix) :]):
            return candidate
    raise DomainError(
        f"'{value}' is not an org-id.guide identifier (for example GB-COH-01234567, "
        "GB-CHC-1234567, GB-LAE-SHR or 360G-<publisher>-<ref>).",
        field=field,
        rule="OrganisationIdentifierRecognised",
    )


def postcode(value: str, field: str = "address.postcode") -> str:
    """A UK postcode, normalised to upper case with one space (SY3 8HQ)."""
    squashed = re.sub(r"\s+", "", value.upper())
    match = _POSTCODE.match(squashed[:-3] + " " + squashed[-3:]) if len(squashed) > 3 else None
    if not match:
        raise DomainError(f"'{value}' is not a UK postcode.", field=field, rule="PostcodeRecognised")
    return f"{match.group(1)} {match.group(2)}"


def postcode_district(code: str) -> str:
    """The outward part of a postcode (SY3), which areas and supplier-mix figures use."""
    return code.split(" ", maxsplit=1)[0]


def district(value: str, field: str = "district") -> str:
    candidate = value.strip().upper()
    if not _DISTRICT.match(candidate):
        raise DomainError(f"'{value}' is not a postcode district such as SY3.", field=field, rule="DistrictRecognised")
    return candidate


@dataclass(frozen=True)
class Address:
    line1: str
    town: str
    postcode: str
    line2: str = ""

    @property
    def district(self) -> str:
        return postcode_district(self.postcode)


@dataclass(frozen=True)
class Contact:
    """A named person to contact: personal data, shown only to those who need it."""

    name: str
    email: str
    phone: str = ""


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def email(value: str, field: str = "contact.email") -> str:
    if not _EMAIL.match(value.strip()):
        raise DomainError(f"'{value}' is not an email address.", field=field, rule="EmailRecognised")
    return value.strip()


class TimeHasOffset(ValueRule[datetime]):
    """A time without its offset from UTC names no moment (09:00 where?): it cannot be compared with the clock's."""

    def is_broken(self) -> bool:
        return self.value.utcoffset() is None

    @property
    def message(self) -> str:
        return f"{self.field} needs its offset from UTC, such as 2026-03-02T09:00:00Z."


def moment(value: datetime, field: str) -> datetime:
    """A point in time a command is given (a deadline): with its offset, or a refusal naming the field."""
    check(TimeHasOffset(value, field))
    return value


def choice(options: type[Enum], value: object, field: str) -> str:
    """One of a code list's values, stored as its plain string code."""
    codes = [str(member.value) for member in options]
    code = value.value if isinstance(value, Enum) else value
    if code not in codes:
        raise DomainError(f"'{code}' is not one of: {', '.join(codes)}.", field=field, rule="CodeListed")
    return str(code)
