"""What the people registers' commands take, each as one value: an officer of the council, a person of an
organisation, a change to either, and a leaving.

A person is known by their subject: what the sign-in provider's token gives as `sub` (a council officer's as
the council's identity provider writes it, such as `entra:AAAAAAAAAAAAAAAAAAAAAIkzqFVrSaSaFHy782bbtaQ`). Names,
job titles and teams are personal data: the council's readers (and an organisation's own people) read them,
never the public.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class OrganisationRole(StrEnum):
    """What a person does for their organisation in the marketplace."""

    OWNER = "owner"  # keeps the organisation's people (adds them, changes their role, records their leaving)
    BID_WRITER = "bid-writer"
    FINANCE = "finance"


@dataclass(frozen=True)
class OfficerDetails:
    """An officer of the council, as the admin registers them."""

    subject: str
    name: str
    job_title: str
    team: str


@dataclass(frozen=True)
class OfficerChange:
    """Some of an officer's details, changed: a field left None stays as it is."""

    name: str | None = None
    job_title: str | None = None
    team: str | None = None


@dataclass(frozen=True)
class PersonDetails:
    """A person of an organisation, as its owner (or a council admin) adds them."""

    subject: str
    name: str
    role: str  # an OrganisationRole code


@dataclass(frozen=True)
class PersonChange:
    """Some of a person's details, changed: a field left None stays as it is."""

    name: str | None = None
    role: str | None = None


@dataclass(frozen=True)
class Leaving:
    """That a person left, why, and when (None: the moment it is recorded; never later than that)."""

    reason: str
    effective: datetime | None = None
