"""Each organisation's people: one row per organisation whose people are recorded (its record's version), one
row per person keyed by (organisation, subject), and the queries that read them."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Boolean, Column, DateTime, Index, Integer, String, Table, Text, select
from sqlalchemy.orm import Session

from domain.people.organisation_people import OrganisationPeople, people_uuid
from projections.aggregate_rows import first_row, own_row, unchanged
from projections.batch import BatchProjection, Folds, Row, Touched, originators, utc
from projections.columns import ids, version_columns
from projections.engine import Envelope, metadata
from projections.pagination import one_row

people_registers = Table(
    "people_registers",
    metadata,
    *ids("id", key=True),  # people_uuid(organisation)
    Column("organisation", String(80), nullable=False, unique=True),
    Column("started_at", DateTime(timezone=True), nullable=False),
    *version_columns(),
)

organisation_people = Table(
    "organisation_people",
    metadata,
    Column("organisation", String(80), primary_key=True),
    Column("subject", String(200), primary_key=True),
    *ids("register_id"),
    Column("name", String(200), nullable=False),
    Column("role", String(16), nullable=False),  # owner | bid-writer | finance
    Column("active", Boolean, nullable=False),
    Column("joined_at", DateTime(timezone=True), nullable=False),  # added, or last rejoined
    Column("left_at", DateTime(timezone=True)),
    Column("left_reason", Text, nullable=False),
    Column("added_at", DateTime(timezone=True), nullable=False),
    Column("version", Integer, nullable=False),  # the organisation's record's version at this person's last change
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index("organisation_people_by_register", "register_id"),
    Index("organisation_people_by_subject", "subject"),  # whose people a signed-in subject is (api/auth.py)
)


def _started(event: OrganisationPeople.Started) -> Row:
    return {
        "id": str(event.originator_id),
        "organisation": event.organisation,
        "started_at": utc(event.timestamp),
        "events_folded": 0,
    }


def _new_person(touched: Touched, event: Any, organisation: str) -> None:
    touched[organisation_people.name].put(
        {
            "organisation": organisation,
            "subject": event.subject,
            "register_id": str(event.originator_id),
            "name": event.name,
            "role": event.role,
            "active": True,
            "joined_at": utc(event.timestamp),
            "left_at": None,
            "left_reason": "",
            "added_at": utc(event.timestamp),
            "version": event.originator_version,
            "updated_at": utc(event.timestamp),
        }
    )


def first_person(touched: Touched, event: OrganisationPeople.Started) -> None:
    _new_person(touched, event, event.organisation)


def person_added(touched: Touched, event: OrganisationPeople.PersonAdded) -> None:
    _new_person(touched, event, touched[people_registers.name][str(event.originator_id)]["organisation"])


def person(change: Callable[[Row, Any], Row]) -> Callable[[Touched, Any], None]:
    """The fold of an event about one person already in the organisation's record: the columns it changes."""

    def fold(touched: Touched, event: Any) -> None:
        organisation = touched[people_registers.name][str(event.originator_id)]["organisation"]
        rows = touched[organisation_people.name]
        row = rows[(organisation, event.subject)]
        moved = {"version": event.originator_version, "updated_at": utc(event.timestamp)}
        rows.put({**row, **change(row, event), **moved})

    return fold


def _left(row: Row, event: OrganisationPeople.PersonLeft) -> Row:
    return {"active": False, "left_at": utc(event.effective), "left_reason": event.reason}


def _rejoined(row: Row, event: OrganisationPeople.PersonRejoined) -> Row:
    return {"active": True, "role": event.role, "joined_at": utc(event.timestamp), "left_at": None, "left_reason": ""}


REGISTER = own_row(people_registers, unchanged)


class OrganisationPeopleView(BatchProjection):
    name = "organisation_people"
    tables = (people_registers, organisation_people)
    own_rows = people_registers
    follows = (OrganisationPeople,)
    folds: Folds = {
        OrganisationPeople.Started: (first_row(people_registers, _started), first_person),
        OrganisationPeople.PersonAdded: (REGISTER, person_added),
        OrganisationPeople.PersonChanged: (REGISTER, person(lambda row, event: dict(event.changes))),
        OrganisationPeople.PersonLeft: (REGISTER, person(_left)),
        OrganisationPeople.PersonRejoined: (REGISTER, person(_rejoined)),
    }

    def load(self, session: Session, touched: Touched, batch: Sequence[Envelope]) -> None:
        """The records the batch has events of, and all their people (an organisation has few)."""
        records = originators(batch)
        touched[people_registers.name].load(session, "id", records)
        touched[organisation_people.name].load(session, "register_id", records)


def find_register(session: Session, organisation: str) -> Row | None:
    return one_row(session, people_registers.c.id, str(people_uuid(organisation)))


def people_of(session: Session, organisation: str, active: bool | None = None) -> list[Row]:
    """An organisation's people by name (at most a thousand: domain/people/rules.py)."""
    c = organisation_people.c
    query = select(organisation_people).where(c.organisation == organisation)
    if active is not None:
        query = query.where(c.active == active)
    return [dict(row) for row in session.execute(query.order_by(c.name, c.subject)).mappings()]


def find_person(session: Session, organisation: str, subject: str) -> Row | None:
    c = organisation_people.c
    found = session.execute(
        select(organisation_people).where(c.organisation == organisation, c.subject == subject)
    ).mappings()
    row = found.first()
    return dict(row) if row else None


def registers_listing(session: Session, subject: str) -> list[tuple[str, bool]]:
    """Every organisation whose people include this subject, and whether they are active there, by organisation:
    one read of the subject's index (a person is among few organisations' people)."""
    c = organisation_people.c
    query = select(c.organisation, c.active).where(c.subject == subject).order_by(c.organisation)
    return [(organisation, bool(active)) for organisation, active in session.execute(query)]
