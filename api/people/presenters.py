"""The people registers' records as answered, from their view rows (now) or their aggregates (as a command left
them, or as they stood), so the two answers cannot drift apart."""

from __future__ import annotations

from typing import Any

from api.people.bodies import OfficerView, PersonView
from api.rendering import utc, utc_or_none
from domain.people.officer import Officer
from domain.people.organisation_people import OrganisationPeople

Row = dict[str, Any]


def officer_from_row(row: Row) -> OfficerView:
    return OfficerView(
        subject=row["subject"],
        council=row["council"],
        name=row["name"],
        job_title=row["job_title"],
        team=row["team"],
        active=bool(row["active"]),
        joined_at=utc(row["joined_at"]),
        left_at=utc_or_none(row["left_at"]),
        left_reason=row["left_reason"],
        registered_at=utc(row["registered_at"]),
        updated_at=utc(row["updated_at"]),
        version=row["version"],
    )


def officer_from_aggregate(officer: Officer) -> OfficerView:
    return OfficerView(
        subject=officer.subject,
        council=officer.council,
        name=officer.name,
        job_title=officer.job_title,
        team=officer.team,
        active=officer.active,
        joined_at=utc(officer.joined_at),
        left_at=utc_or_none(officer.left_at),
        left_reason=officer.left_reason,
        registered_at=utc(officer.created_on),
        updated_at=utc(officer.modified_on),
        version=officer.version,
    )


def person_from_row(row: Row, version: int) -> PersonView:
    """A person as the view holds them; `version`: their organisation's record's, now."""
    return PersonView(
        organisation=row["organisation"],
        subject=row["subject"],
        name=row["name"],
        role=row["role"],
        active=bool(row["active"]),
        joined_at=utc(row["joined_at"]),
        left_at=utc_or_none(row["left_at"]),
        left_reason=row["left_reason"],
        added_at=utc(row["added_at"]),
        version=version,
    )


def person_from_aggregate(record: OrganisationPeople, subject: str) -> PersonView | None:
    person = record.people.get(subject)
    if person is None:
        return None
    return PersonView(
        organisation=record.organisation,
        subject=person.subject,
        name=person.name,
        role=person.role,
        active=person.active,
        joined_at=utc(person.joined_at),
        left_at=utc_or_none(person.left_at),
        left_reason=person.left_reason,
        added_at=utc(person.added_at),
        version=record.version,
    )


def people_from_aggregate(record: OrganisationPeople, active: bool | None = None) -> list[PersonView]:
    """Its people by name, as the view orders them."""
    shown = [view for subject in record.people if (view := person_from_aggregate(record, subject)) is not None]
    chosen = [view for view in shown if active is None or view.active == active]
    return sorted(chosen, key=lambda view: (view.name, view.subject))
