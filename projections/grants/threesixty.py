"""Every grant made, as 360Giving open data: a JSON package (schema 1.4) and the flat CSV with the standard's
column titles.

A grant's identifier is `<prefix>-<grant id>`, the prefix being the publisher's registered 360G prefix (the
setting MARKETPLACE_360G_PREFIX). `amountAwarded` is the current award; `amountDisbursed` is what the recipient
holds of the council's money, and always the sum of `disbursementTransaction` (a repayment or clawback is a
negative transaction). There is no grant status in the standard: a closed grant carries its `actualDates`.
Recipients' charity and company numbers come from their org-ids (GB-CHC-, GB-COH-); a parish beneficiary
location carries its ONS code (geoCodeType PAR), a postcode district its name only (no ONS code type names one).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.grants.terms import LocationKind
from projections.batch import utc
from projections.grants.register import grants, transactions_of
from projections.organisations.directory import organisations
from projections.pagination import fetch_page
from projections.spreadsheet import csv_line

SCHEMA_VERSION = "1.4"
Views = Callable[[], AbstractContextManager[Session]]  # a read-only session on the views, as market.views gives
BATCH = 500  # grants read per page


@dataclass(frozen=True)
class Publisher:
    prefix: str  # 360G-<publisher>
    name: str
    identifier: str  # the funder's org-id, when a grant's funder has no name in the directory


def grant_identifier(prefix: str, grant_id: str) -> str:
    return f"{prefix}-{grant_id}"


def _number(amount: Any) -> int | float:
    """A JSON number for an amount: whole pounds as integers, pence as two-decimal floats."""
    value = Decimal(amount)
    return int(value) if value == value.to_integral_value() else float(value.quantize(Decimal("0.01")))


def _months(start: date, end: date) -> int:
    """The planned duration in whole months, at least one."""
    return max(1, (end.year - start.year) * 12 + end.month - start.month + (1 if end.day >= start.day else 0))


def _day(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _recipient(row: dict[str, Any]) -> dict[str, Any]:
    identifier = row["recipient"]
    found: dict[str, Any] = {"id": identifier, "name": row["recipient_name"]}
    if identifier.startswith("GB-CHC-"):
        found["charityNumber"] = identifier.removeprefix("GB-CHC-")
    if identifier.startswith("GB-COH-"):
        found["companyNumber"] = identifier.removeprefix("GB-COH-")
    return found


def _location(location: dict[str, Any]) -> dict[str, Any]:
    if location["kind"] == LocationKind.PARISH:
        return {"name": location["name"], "geoCode": location["code"], "geoCodeType": "PAR", "countryCode": "GB"}
    return {"name": f"{location['name']} ({location['code']})", "countryCode": "GB"}


def grant_record(row: dict[str, Any], transactions: list[dict[str, Any]], funder: str, prefix: str) -> dict[str, Any]:
    """One grant as the standard writes it."""
    identifier = grant_identifier(prefix, row["id"])
    start, end = _day(row["planned_start"]), _day(row["planned_end"])
    record: dict[str, Any] = {
        "id": identifier,
        "title": row["title"],
        "description": row["description"],
        "currency": row["currency"],
        "amountAwarded": _number(row["amount_awarded"]),
        "amountDisbursed": _number(row["amount_disbursed"]),
        "awardDate": str(_day(row["award_date"])),
        "plannedDates": [{"startDate": str(start), "endDate": str(end), "duration": _months(start, end)}],
        "recipientOrganization": [_recipient(row)],
        "fundingOrganization": [{"id": row["funder"], "name": funder}],
        "grantProgramme": [{"code": row["programme_code"], "title": row["programme_title"]}],
        "beneficiaryLocation": [_location(location) for location in row["locations"]],
        "fromOpenCall": "Yes",
        "dateModified": utc(row["updated_at"]).isoformat(),
        "disbursementTransaction": [
            {
                "id": f"{identifier}-{t['seq']}",
                "transactionDate": str(_day(t["transaction_date"])),
                "value": _number(t["amount"]),
                "currency": row["currency"],
                "description": t["kind"],
            }
            for t in transactions
        ],
    }
    if row["actual_start"] is not None:
        record["actualDates"] = [{"startDate": str(_day(row["actual_start"])), "endDate": str(_day(row["actual_end"]))}]
    return record


def _funders(session: Session, identifiers: Iterable[str], publisher: Publisher) -> dict[str, str]:
    wanted = set(identifiers)
    query = select(organisations.c.identifier, organisations.c.name).where(organisations.c.identifier.in_(wanted))
    named = {identifier: name for identifier, name in session.execute(query)}
    return {f: named.get(f) or (publisher.name if f == publisher.identifier else f) for f in wanted}


def grant_records(views: Views, publisher: Publisher) -> Iterator[dict[str, Any]]:
    """Every grant made, by award date: a keyset page at a time, each in a session of its own, so an export
    neither holds the register in memory nor keeps one transaction open while it is sent."""
    cursor: str | None = None
    while True:
        with views() as session:
            rows, cursor = fetch_page(session, select(grants), [grants.c.award_date, grants.c.id], cursor, BATCH)
            moved = transactions_of(session, [row["id"] for row in rows])
            funders = _funders(session, (row["funder"] for row in rows), publisher)
        for row in rows:
            yield grant_record(row, moved[row["id"]], funders[row["funder"]], publisher.prefix)
        if cursor is None:
            return


def package(views: Views, publisher: Publisher) -> dict[str, Any]:
    """The 360Giving JSON package: every grant made (the standard requires at least one to be valid). A package is
    one JSON document, so it is built whole."""
    return {"version": SCHEMA_VERSION, "grants": list(grant_records(views, publisher))}


COLUMNS = (  # the standard's own column titles (its spreadsheet template), and how each is read from a grant
    ("Identifier", lambda g: g["id"]),
    ("Title", lambda g: g["title"]),
    ("Description", lambda g: g["description"]),
    ("Currency", lambda g: g["currency"]),
    ("Amount Awarded", lambda g: g["amountAwarded"]),
    ("Amount Disbursed", lambda g: g["amountDisbursed"]),
    ("Award Date", lambda g: g["awardDate"]),
    ("Planned Dates:Start Date", lambda g: g["plannedDates"][0]["startDate"]),
    ("Planned Dates:End Date", lambda g: g["plannedDates"][0]["endDate"]),
    ("Planned Dates:Duration (months)", lambda g: g["plannedDates"][0]["duration"]),
    ("Recipient Org:Identifier", lambda g: g["recipientOrganization"][0]["id"]),
    ("Recipient Org:Name", lambda g: g["recipientOrganization"][0]["name"]),
    ("Recipient Org:Charity Number", lambda g: g["recipientOrganization"][0].get("charityNumber", "")),
    ("Recipient Org:Company Number", lambda g: g["recipientOrganization"][0].get("companyNumber", "")),
    ("Funding Org:Identifier", lambda g: g["fundingOrganization"][0]["id"]),
    ("Funding Org:Name", lambda g: g["fundingOrganization"][0]["name"]),
    ("Grant Programme:Code", lambda g: g["grantProgramme"][0]["code"]),
    ("Grant Programme:Title", lambda g: g["grantProgramme"][0]["title"]),
    ("Beneficiary Location:Name", lambda g: _first(g, "name")),
    ("Beneficiary Location:Geographic Code", lambda g: _first(g, "geoCode")),
    ("Beneficiary Location:Geographic Code Type", lambda g: _first(g, "geoCodeType")),
    ("From An Open Call?", lambda g: g["fromOpenCall"]),
    ("Last Modified", lambda g: g["dateModified"]),
)


def _first(grant: dict[str, Any], name: str) -> str:
    """The flat form has one beneficiary location per row: the first (the JSON package carries them all)."""
    locations = grant["beneficiaryLocation"]
    return str(locations[0].get(name, "")) if locations else ""


def flat_csv(records: Iterable[dict[str, Any]]) -> Iterator[str]:
    """The CSV flat form, one grant per row, a line at a time (text a spreadsheet would run is neutralised)."""
    yield csv_line([title for title, _ in COLUMNS])
    for record in records:
        yield csv_line([read(record) for _, read in COLUMNS])
