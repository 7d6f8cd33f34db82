"""The people registers' rules, each a named object with the message a user sees when broken."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from domain.rules import Refusal, Rule, StateRule, TextWithin, ValueRule, check

SUBJECT_MAX = 200  # what a token's `sub` may be (marketplace/tokens.py)
_SUBJECT = re.compile(rf"[!-~]{{1,{SUBJECT_MAX}}}")  # printable ASCII, no spaces
_NOT_IN_A_PATH = frozenset("/?#%\\")  # a subject names a record in a path: /people/{subject}
MOST_PEOPLE = 1000  # an organisation's people in the marketplace: its users, not its staff


class SubjectWritable(ValueRule[str]):
    """A subject is a token's `sub` as the sign-in provider writes it, and names its record in a path."""

    def is_broken(self) -> bool:
        return not _SUBJECT.fullmatch(self.value) or bool(_NOT_IN_A_PATH & set(self.value))

    @property
    def message(self) -> str:
        return (
            f"{self.field} is the subject a sign-in token gives (its `sub`): 1 to {SUBJECT_MAX} printable characters, "
            "with no spaces and none of / ? # % \\."
        )


def checked_subject(subject: str, field: str = "subject") -> str:
    check(SubjectWritable(subject, field))
    return subject


def checked_text(values: dict[str, Any], *names: str) -> dict[str, Any]:
    """The named free-text fields given (not None), present, within 200 characters and stripped."""
    checked = dict(values)
    for name in names:
        if checked.get(name) is not None:
            check(TextWithin(checked[name], name, 200))
            checked[name] = checked[name].strip()
    return checked


@dataclass(frozen=True)
class LeavingNotAhead(Rule):
    """A leaving is recorded once it has happened: rights end when it is recorded, so a moment still to come
    would say they had ended when they had not."""

    effective: datetime
    now: datetime
    field: str | None = "effective"

    def is_broken(self) -> bool:
        return self.effective > self.now

    @property
    def message(self) -> str:
        return f"effective is after now ({self.now.isoformat()}): record a leaving once it has happened."


@dataclass(frozen=True)
class LeavingAfterJoining(Rule):
    """Nobody leaves before they joined (or last rejoined)."""

    effective: datetime
    joined: datetime
    field: str | None = "effective"

    def is_broken(self) -> bool:
        return self.effective < self.joined

    @property
    def message(self) -> str:
        return f"effective is before the person joined ({self.joined.isoformat()})."


@dataclass(frozen=True)
class ChangesSomething(Rule):
    changes: dict[str, Any]
    message = "The change changes nothing."

    def is_broken(self) -> bool:
        return not self.changes


# --- an organisation's people --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FirstPersonAnOwner(Rule):
    """An organisation's people start with an owner, who keeps the rest."""

    role: str
    field: str | None = "role"
    message = "An organisation's first person is an owner: they keep its people from then on."

    def is_broken(self) -> bool:
        return self.role != "owner"


@dataclass(frozen=True)
class KeptByAnOwner(Rule):
    """An organisation's people are kept by its owners (and the council's admins), once it has any."""

    is_owner: bool
    organisation: str
    kind: Refusal = Refusal.FORBIDDEN

    def is_broken(self) -> bool:
        return not self.is_owner

    @property
    def message(self) -> str:
        return f"Only an owner among {self.organisation}'s people, or a council admin, keeps its people."


@dataclass(frozen=True)
class OwnerRemains(StateRule):
    """An organisation with people keeps an owner among them: the last one neither leaves nor stops owning."""

    owners_after: int

    def is_broken(self) -> bool:
        return self.owners_after < 1

    message = "This is the organisation's last owner: make another person an owner first."


@dataclass(frozen=True)
class WithinMostPeople(StateRule):
    people: int
    kind: Refusal = Refusal.INVALID

    def is_broken(self) -> bool:
        return self.people >= MOST_PEOPLE

    message = f"An organisation has at most {MOST_PEOPLE} people in the marketplace."
