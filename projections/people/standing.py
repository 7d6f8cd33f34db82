"""Where a signed-in person stands in the people registers, read in one statement of index lookups: their
officer's row (by primary key, made from the subject), their row among their organisation's people (by primary
key, organisation and subject), and whether that organisation keeps any people at all (the first is added by
whoever signs in for it)."""

from __future__ import annotations

from typing import NamedTuple
from uuid import UUID

from sqlalchemy import BindParameter, Select, bindparam, exists, select
from sqlalchemy.orm import Session

from projections.people.officers import officers
from projections.people.organisations import organisation_people, people_registers

_OFFICER: BindParameter[str] = bindparam("officer_id")
_ORGANISATION: BindParameter[str] = bindparam("organisation")
_SUBJECT: BindParameter[str] = bindparam("subject")


class Found(NamedTuple):
    officer_active: bool | None  # None: no officer has this subject
    officer_council: str | None
    person_active: bool | None  # None: not among the organisation's people
    organisation_keeps_people: bool  # officers for a council, people for an organisation


def _statement() -> Select[tuple[bool | None, str | None, bool | None, bool, bool]]:
    o, p, r = officers.c, organisation_people.c, people_registers.c
    return select(
        select(o.active).where(o.id == _OFFICER).scalar_subquery().label("officer_active"),
        select(o.council).where(o.id == _OFFICER).scalar_subquery().label("officer_council"),
        select(p.active).where(p.organisation == _ORGANISATION, p.subject == _SUBJECT).scalar_subquery(),
        exists().where(o.council == _ORGANISATION).label("council_keeps_officers"),
        exists().where(r.organisation == _ORGANISATION).label("organisation_keeps_people"),
    )


_STANDING = _statement()  # built once: it is asked on every request


def found_in_registers(session: Session, officer_id: UUID, organisation: str, subject: str) -> Found:
    officer_active, council, person_active, keeps_officers, keeps_people = session.execute(
        _STANDING, {"officer_id": str(officer_id), "organisation": organisation, "subject": subject}
    ).one()
    return Found(
        None if officer_active is None else bool(officer_active),
        council,
        None if person_active is None else bool(person_active),
        bool(keeps_officers) or bool(keeps_people),
    )
