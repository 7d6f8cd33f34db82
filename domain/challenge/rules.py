"""The Community Right to Challenge's rules, each a named object with the message a user sees when broken."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from domain.challenge.terms import BodyKind, Periods, Window
from domain.organisations.organisation import LegalForm
from domain.rules import InOrder, Refusal, Rule, StateRule, ValueRule

# s.81(6): a voluntary or community body, a body or trust established for charitable purposes only, a parish
# council (or two or more of the council's employees, who need no legal form). The register's legal form decides.
VOLUNTARY_OR_COMMUNITY = frozenset(
    {
        LegalForm.COMPANY_LIMITED_BY_GUARANTEE,
        LegalForm.COMMUNITY_INTEREST_COMPANY,
        LegalForm.COMMUNITY_BENEFIT_SOCIETY,
        LegalForm.UNINCORPORATED_ASSOCIATION,
    }
)
CHARITABLE = frozenset({LegalForm.CHARITABLE_INCORPORATED_ORGANISATION, LegalForm.CHARITABLE_TRUST})
RELEVANT_LEGAL_FORMS = frozenset({*VOLUNTARY_OR_COMMUNITY, *CHARITABLE, LegalForm.PARISH_COUNCIL})
MOST_DAYS = 3660  # no period the council states runs past ten years


@dataclass(frozen=True)
class RelevantBody(Rule):
    """Only a relevant body may express an interest (s.81(6)); the register's legal form says which is one."""

    legal_form: str
    field: str | None = "body_kind"
    kind: Refusal = Refusal.FORBIDDEN

    def is_broken(self) -> bool:
        return self.legal_form not in RELEVANT_LEGAL_FORMS

    @property
    def message(self) -> str:
        allowed = ", ".join(sorted(RELEVANT_LEGAL_FORMS))
        return (
            f"A {self.legal_form or 'unregistered organisation'} is not a relevant body under the Localism Act 2011 "
            f"s.81(6): an expression of interest comes from a {allowed}, or two or more of the council's employees."
        )


class StaffGroupOfTwoOrMore(ValueRule[int]):
    """Employees express an interest as two or more of them (s.81(6)(d)), each named."""

    def is_broken(self) -> bool:
        return self.value < 2

    @property
    def message(self) -> str:
        return "A staff group names two or more of the council's employees."


class StaffEngagementSaid(ValueRule[str]):
    """A staff group says how it will engage the other staff affected (Schedule 1, paragraph 8)."""

    def is_broken(self) -> bool:
        return len(self.value.strip()) < 3

    @property
    def message(self) -> str:
        return "A staff group says how it will engage the other staff affected."


class OnlyAStaffGroupNamesMembers(ValueRule[str]):
    def is_broken(self) -> bool:
        return self.value != BodyKind.STAFF_GROUP

    @property
    def message(self) -> str:
        return "Only a staff group names members and a group name; an organisation is the register's."


@dataclass(frozen=True)
class ServiceNotExcluded(StateRule):
    """The right does not apply to an excluded service (Schedule 2 of SI 2012/1313)."""

    excluded: bool
    ground: str
    field: str | None = "service_id"
    kind: Refusal = Refusal.INVALID

    def is_broken(self) -> bool:
        return self.excluded

    @property
    def message(self) -> str:
        return f"The right to challenge does not apply to this service: {self.ground}"


@dataclass(frozen=True)
class WithinAWindow(StateRule):
    """Where the council has specified windows for a service, an expression of interest comes within one (s.82)."""

    today: date
    windows: Sequence[Window]
    field: str | None = "service_id"

    def is_broken(self) -> bool:
        return bool(self.windows) and not any(w.opens <= self.today <= w.closes for w in self.windows)

    @property
    def message(self) -> str:
        coming = sorted(w.opens for w in self.windows if w.opens > self.today)
        then = f" The next opens on {coming[0].isoformat()}." if coming else " None is to come."
        return "The council considers expressions of interest for this service only within its windows." + then


class PeriodsInOrder(ValueRule[Periods]):
    """Each period is a number of days; the fewest days before procurement are no more than the most."""

    def is_broken(self) -> bool:
        p = self.value
        within = all(0 <= days <= MOST_DAYS for days in (p.decide_within, p.procure_after, p.procure_within))
        return not within or p.decide_within < 1 or p.procure_within < 1 or p.procure_after > p.procure_within

    @property
    def message(self) -> str:
        return (
            f"{self.field}: the decision takes 1 to {MOST_DAYS} days, and the procurement starts between its fewest "
            "and most days after acceptance (fewest no more than most)."
        )


@dataclass(frozen=True)
class WindowCloseNotBeforeOpening(InOrder):
    strict: bool = False
    field: str | None = "closes"
    message = "A window closes on or after the day it opens."


@dataclass(frozen=True)
class WindowsApart(StateRule):
    """Windows for one service do not overlap: an expression of interest falls in one window or none."""

    window: Window
    windows: Sequence[Window]
    field: str | None = "opens"
    kind: Refusal = Refusal.INVALID

    def is_broken(self) -> bool:
        return any(self.window.opens <= w.closes and w.opens <= self.window.closes for w in self.windows)

    @property
    def message(self) -> str:
        return "The window overlaps one already published for this service."


@dataclass(frozen=True)
class WindowNotPast(StateRule):
    """A window is published before it closes: one already past would never be open."""

    closes: date
    today: date
    field: str | None = "closes"
    kind: Refusal = Refusal.INVALID

    def is_broken(self) -> bool:
        return self.closes < self.today

    @property
    def message(self) -> str:
        return "The window closes before today."


class OnStatutoryGrounds(ValueRule[Sequence[str]]):
    """A rejection names at least one of the Schedule's grounds, each once (SI 2012/1647)."""

    def is_broken(self) -> bool:
        return not self.value or len(set(self.value)) != len(self.value)

    @property
    def message(self) -> str:
        return "A rejection names one or more of the statutory grounds, each once."


@dataclass(frozen=True)
class ModificationAnswered(StateRule):
    """A proposed modification is put to the body first: the council accepts once the body has answered (it may
    still reject meanwhile, so a silent body cannot hold the statutory deadline up)."""

    pending: bool

    def is_broken(self) -> bool:
        return self.pending

    message = "The body has yet to answer the proposed modification."


@dataclass(frozen=True)
class ProcurementNotTooSoon(StateRule):
    """The procurement exercise starts no sooner than the fewest days the council stated after an acceptance."""

    today: date
    earliest: date

    def is_broken(self) -> bool:
        return self.today < self.earliest

    @property
    def message(self) -> str:
        return (
            "A challenge accepted for this service gives the body until "
            f"{self.earliest.isoformat()} before the procurement exercise starts."
        )
