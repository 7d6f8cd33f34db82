"""Assessment by a panel, shared by the evaluation of bids and of grant applications.

The same discipline holds for both (PA2023 s.81-83 for tenders; grant-making good practice for grants): people
are assigned to assess a record; each declares whether they have a conflict of interest before they score; a
conflicted assessor neither scores nor decides; every score is justified; moderation records the agreed score
only once every assessor still on the panel has scored. Each aggregate records its own events (their names are
its domain's: an evaluator of a tender, an assessor of an application) and checks these rules before it does.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from domain.rules import Refusal, Rule, StateRule, TextWithin, ValueRule


class AssessorState(StrEnum):
    """Where an assessor stands: assigned, then declared without a conflict (may score) or with one (may not)."""

    ASSIGNED = "assigned"
    NO_CONFLICT = "no-conflict"
    CONFLICT = "conflict"


def declared(conflict: bool) -> AssessorState:
    """Where a declaration leaves its assessor."""
    return AssessorState.CONFLICT if conflict else AssessorState.NO_CONFLICT


@dataclass(frozen=True)
class Panel:
    """Who assesses one record and where each stands, with how messages name the record ("this tender")."""

    members: Mapping[str, AssessorState]
    record: str
    declaration_rule: str = ""  # the law that requires the declaration, when there is one: " (PA2023 s.83)"

    def scorers(self) -> list[str]:
        """Everyone whose scores moderation waits for: all but the conflicted (undeclared ones too)."""
        return [who for who, state in self.members.items() if state != AssessorState.CONFLICT]

    def cleared(self) -> list[str]:
        """Those who declared no conflict."""
        return [who for who, state in self.members.items() if state == AssessorState.NO_CONFLICT]


@dataclass(frozen=True)
class PanelRule(StateRule):
    """A rule about where one person stands on a panel."""

    panel: Panel
    who: str


class NotYetOnPanel(PanelRule):
    def is_broken(self) -> bool:
        return self.who in self.panel.members

    @property
    def message(self) -> str:
        return f"{self.who} is already assigned."


class AssessorAssigned(PanelRule):
    """Only someone the council assigned to this record's assessment may declare or score."""

    def is_broken(self) -> bool:
        return self.who not in self.panel.members

    @property
    def message(self) -> str:
        return f"You are not assigned to assess {self.panel.record}."


class YetToDeclare(PanelRule):
    message = "Only an assigned assessor who has not yet declared may declare."

    def is_broken(self) -> bool:
        return self.panel.members.get(self.who) != AssessorState.ASSIGNED


class DeclaredWithoutConflict(PanelRule):
    def is_broken(self) -> bool:
        return self.panel.members.get(self.who) != AssessorState.NO_CONFLICT

    @property
    def message(self) -> str:
        if self.panel.members.get(self.who) == AssessorState.CONFLICT:
            return f"You declared a conflict of interest, so you may not score {self.panel.record}."
        return f"Declare any conflict of interest before scoring{self.panel.declaration_rule}."


class NotConflicted(PanelRule):
    """A conflicted assessor may not decide the record either."""

    kind = Refusal.FORBIDDEN

    def is_broken(self) -> bool:
        return self.panel.members.get(self.who) == AssessorState.CONFLICT

    @property
    def message(self) -> str:
        return f"You declared a conflict of interest in {self.panel.record}, so you may not decide it."


@dataclass(frozen=True)
class EveryoneScored(StateRule):
    """Moderation waits for every assessor still on the panel."""

    missing: tuple[str, ...]
    any_scorer: bool = True
    role: str = "assessor"

    def is_broken(self) -> bool:
        return bool(self.missing) or not self.any_scorer

    @property
    def message(self) -> str:
        waiting = list(self.missing) or f"an {self.role}"
        return f"Every {self.role} must score before moderation (waiting for {waiting})."


@dataclass(frozen=True)
class ScoreOnScale(ValueRule[object]):
    """A score is a whole number on the criterion's stated scale, from 0 to its maximum."""

    field: str | None = "score"
    maximum: int = 100

    def is_broken(self) -> bool:
        value = self.value
        return not (isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= self.maximum)

    @property
    def message(self) -> str:
        return f"A score is a whole number from 0 to {self.maximum}."


def joining(panel: Panel, who: str, role: str) -> tuple[Rule, ...]:
    return NotYetOnPanel(panel, who), TextWithin(who, role, 200)


def declaring(panel: Panel, who: str, statement: str) -> tuple[Rule, ...]:
    return AssessorAssigned(panel, who), YetToDeclare(panel, who), TextWithin(statement, "statement", 5000)


def scoring(panel: Panel, who: str, justification: str) -> tuple[Rule, ...]:
    return (
        AssessorAssigned(panel, who),
        DeclaredWithoutConflict(panel, who),
        TextWithin(justification, "justification", 10_000),
    )


def all_scored(panel: Panel, scored: Iterable[str], role: str) -> EveryoneScored:
    """The moderation rule: every scorer on the panel is among those who scored."""
    have = set(scored)
    scorers = panel.scorers()
    return EveryoneScored(tuple(who for who in scorers if who not in have), bool(scorers), role)
