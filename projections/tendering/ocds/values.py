"""OCDS values: dates, money, identifiers and addresses as the standard writes them, needing no table."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from domain.tendering.procurement import Category, Procedure
from domain.values import ORG_ID_SCHEMES, Address
from projections.batch import Row, utc

CURRENCY = "GBP"
BUYER_ROLES = frozenset({"buyer", "procuringEntity"})
SUPPLIER_ROLES = frozenset({"tenderer", "supplier"})
PAYER_ROLES = frozenset({"payer"})  # the council, on a contract's implementation transactions
PAYEE_ROLES = frozenset({"payee"})
METHODS = {
    Procedure.OPEN: ("open", "Open procedure (Procurement Act 2023 s.20(2)(a))"),
    Procedure.COMPETITIVE_FLEXIBLE: ("selective", "Competitive flexible procedure (Procurement Act 2023 s.20(2)(b))"),
    Procedure.BELOW_THRESHOLD: ("open", "Below-threshold quotation, openly advertised"),
    Procedure.LIGHT_TOUCH: ("open", "Light-touch regime, openly advertised"),
}
CATEGORIES = {Category.GOODS: "goods", Category.WORKS: "works"}  # every other category buys services


def stamp(moment: datetime) -> str:
    return utc(moment).isoformat().replace("+00:00", "Z")


def day_starts(day: date | str) -> str:
    return f"{day}T00:00:00Z"


def day_ends(day: date | str) -> str:
    """A contract's end date is its last day."""
    return f"{day}T23:59:59Z"


def amount(value: Decimal | str) -> int | float:
    """A JSON number: whole pounds as integers; pence (at most two places) are exact enough as floats."""
    number = Decimal(value)
    return int(number) if number == number.to_integral_value() else float(number)


def money(value: Decimal | str) -> Row:
    return {"amount": amount(value), "currency": CURRENCY}


def period(start: date | str, end: date | str) -> Row:
    return {"startDate": day_starts(start), "endDate": day_ends(end)}


def award_id(lot_id: str) -> str:
    """One award per lot (a lot is awarded once), so the lot names its award."""
    return f"award-{lot_id}"


def ocds_address(address: Address) -> Row:
    street = ", ".join(part for part in (address.line1, address.line2) if part)
    return {
        "streetAddress": street,
        "locality": address.town,
        "postalCode": address.postcode,
        "countryName": "United Kingdom",
    }


def org_id_scheme(identifier: str) -> tuple[str, str]:
    """An org-id.guide identifier split into its list (scheme) and the id within it."""
    for scheme in sorted(ORG_ID_SCHEMES, key=len, reverse=True):
        if identifier.startswith(scheme + "-"):
            return scheme, identifier[len(scheme) + 1 :]
    return "", identifier
