"""What the people registers' routes read and answer: the request bodies, each converted whole into the domain
value its command takes (domain/people/terms.py) by `api.commanding.command_from`, and the records as answered.

Every answer is personal data: no route answers it to the public (marketplace/people/access.py).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec

from api.fields import Moment, Reason
from domain.people.rules import SUBJECT_MAX
from domain.people.terms import OrganisationRole

Subject = Annotated[
    str,
    msgspec.Meta(
        min_length=1,
        max_length=SUBJECT_MAX,
        examples=["entra:AAAAAAAAAAAAAAAAAAAAAIkzqFVrSaSaFHy782bbtaQ"],
        description="The person's subject: what their sign-in token gives as `sub` (printable, no spaces, none of "
        "/ ? # % \\).",
    ),
]
Text = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]


class Body(msgspec.Struct, forbid_unknown_fields=True):
    pass


class OfficerBody(Body):
    """An officer of the council the admin acts for."""

    subject: Subject
    name: Text
    job_title: Text
    team: Annotated[str, msgspec.Meta(min_length=1, max_length=200, examples=["Commissioning: adult social care"])]


class OfficerChangeBody(Body, omit_defaults=True):
    """Only the fields given change."""

    name: Text | None = None
    job_title: Text | None = None
    team: Text | None = None


class LeavingBody(Body):
    """That the person left, why, and when (left out: now). Their rights end when it is recorded."""

    reason: Reason
    effective: Moment | None = None


class PersonBody(Body):
    """A person of the organisation: the first is an owner."""

    subject: Subject
    name: Text
    role: OrganisationRole


class PersonChangeBody(Body, omit_defaults=True):
    """Only the fields given change."""

    name: Text | None = None
    role: OrganisationRole | None = None


class RejoiningBody(Body):
    """That a person who left is back, why, and (left out: the role they had) as what."""

    reason: Reason
    role: OrganisationRole | None = None


# --- answers --------------------------------------------------------------------------------------------------------


class OfficerView(msgspec.Struct):
    subject: str
    council: str
    name: str
    job_title: str
    team: str
    active: bool
    joined_at: datetime  # registered, or last rejoined
    left_at: datetime | None
    left_reason: str
    registered_at: datetime
    updated_at: datetime
    version: int


class OfficerPage(msgspec.Struct):
    items: list[OfficerView]
    next_cursor: str | None = None


class PersonView(msgspec.Struct):
    """A person of an organisation; `version` is the organisation's record of its people (its ETag)."""

    organisation: str
    subject: str
    name: str
    role: str
    active: bool
    joined_at: datetime  # added, or last rejoined
    left_at: datetime | None
    left_reason: str
    added_at: datetime
    version: int


class PeopleView(msgspec.Struct):
    """An organisation's people by name; `version` 0 while it keeps none."""

    organisation: str
    people: list[PersonView]
    version: int
