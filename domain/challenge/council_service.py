"""A service in the council's register: what may be challenged, is procured, and is decommissioned.

Lifecycle: registered by a commissioner (what it is, its department and priority, how it is delivered now, its
area and budget, whether the right to challenge applies and the periods the council states for it) -> updated,
each change with a reason -> windows published for expressions of interest -> a challenge accepted waits for its
procurement exercise -> a tender naming the service is published (the procurement starts) -> decommissioned when
the contract delivering it is. Every expression of interest accepted is recorded here too, so the tender that
starts the procurement knows, in the same transaction, which challenges it answers.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any
from uuid import uuid4

from domain.base import Context, MarketplaceAggregate
from domain.challenge.rules import (
    PeriodsInOrder,
    ProcurementNotTooSoon,
    ServiceNotExcluded,
    WindowCloseNotBeforeOpening,
    WindowNotPast,
    WindowsApart,
)
from domain.challenge.terms import Counting, Delivery, Periods, ServiceChange, ServiceTerms, Window
from domain.grants.terms import CouncilPriority, Location, LocationKind
from domain.rules import DomainError, StateAllows, TextWithin, check
from domain.tendering.terms import shallow_fields
from domain.values import choice, district, money

EXCLUSION_TEXT = 3000


class ServiceStatus(StrEnum):
    ACTIVE = "active"
    DECOMMISSIONED = "decommissioned"


ACTIVE, DECOMMISSIONED = ServiceStatus.ACTIVE, ServiceStatus.DECOMMISSIONED


@dataclass(frozen=True)
class Awaiting:
    """A challenge accepted for the service, waiting for its procurement exercise."""

    expression_id: str
    earliest: date
    due_by: date


def checked_periods(periods: Periods, field: str = "periods") -> Periods:
    check(PeriodsInOrder(periods, field))
    return replace(periods, counted_in=choice(Counting, periods.counted_in, f"{field}.counted_in"))


def checked_area(area: Any) -> list[Location]:
    places: list[Location] = []
    for place in area:
        kind = choice(LocationKind, place.kind, "area.kind")
        code = district(place.code, "area.code") if kind == LocationKind.POSTCODE_DISTRICT else place.code.strip()
        check(TextWithin(place.name, "area.name", 200), TextWithin(code, "area.code", 9, 2))
        places.append(Location(kind, code, place.name.strip()))
    return places


def checked_terms(terms: dict[str, Any]) -> dict[str, Any]:
    """A service's entry, if it keeps every rule an entry keeps: the fields by name, cleaned."""
    check(
        TextWithin(terms["name"], "name", 200),
        TextWithin(terms["description"], "description", 10_000),
        TextWithin(terms["department"], "department", 200),
        TextWithin(terms["delivered_by"], "delivered_by", 200, 0),
    )
    delivery = choice(Delivery, terms["delivery"], "delivery")
    if delivery != Delivery.IN_HOUSE and not terms["delivered_by"].strip():
        raise DomainError("Name the contract or programme that delivers the service.", field="delivered_by")
    if terms["excluded"]:
        check(TextWithin(terms["exclusion_ground"], "exclusion_ground", EXCLUSION_TEXT, 3))
    return {
        **terms,
        "name": terms["name"].strip(),
        "description": terms["description"].strip(),
        "department": terms["department"].strip(),
        "priority": choice(CouncilPriority, terms["priority"], "priority"),
        "delivery": delivery,
        "delivered_by": terms["delivered_by"].strip() if delivery != Delivery.IN_HOUSE else "",
        "annual_budget": money(terms["annual_budget"], "annual_budget"),
        "periods": checked_periods(terms["periods"]),
        "area": checked_area(terms["area"]),
        "exclusion_ground": terms["exclusion_ground"].strip() if terms["excluded"] else "",
    }


class CouncilService(MarketplaceAggregate):
    owner: str  # the council (org-id)
    name: str
    description: str
    department: str
    priority: str
    delivery: str
    annual_budget: Decimal
    periods: Periods
    area: list[Location]
    delivered_by: str
    excluded: bool
    exclusion_ground: str
    status: ServiceStatus = ACTIVE
    windows: dict[str, Window] = field(default_factory=dict)  # window id -> window
    awaiting: dict[str, Awaiting] = field(default_factory=dict)  # expression id -> its wait for procurement
    tenders: list[str] = field(default_factory=list)  # the published tenders naming it

    class Registered(MarketplaceAggregate.Created):
        owner: str
        name: str
        description: str
        department: str
        priority: str
        delivery: str
        annual_budget: Decimal
        periods: Periods
        area: list[Location]
        delivered_by: str
        excluded: bool
        exclusion_ground: str

    @classmethod
    def register(cls, ctx: Context, owner: str, terms: ServiceTerms) -> CouncilService:
        checked = checked_terms({**shallow_fields(terms), "area": list(terms.area)})
        return cls._create(cls.Registered, id=uuid4(), **ctx.stamp(), owner=owner, **checked)

    def _terms(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in shallow_fields(ServiceChange())}

    class Updated(MarketplaceAggregate.Decision):
        changes: dict[str, Any]

        def apply(self, service: CouncilService) -> None:
            for name, value in self.changes.items():
                setattr(service, name, value)

        def summary(self) -> str:
            return "service updated: " + ", ".join(sorted(self.changes))

    def update(self, ctx: Context, reason: str, change: ServiceChange) -> None:
        check(StateAllows(self.status, frozenset({ACTIVE}), "update a service"))
        current = self._terms()
        given = {name: value for name, value in shallow_fields(change).items() if value is not None}
        if "area" in given:
            given["area"] = list(given["area"])
        merged = checked_terms({**current, **given})
        changes = {name: value for name, value in merged.items() if current[name] != value}
        if not changes:
            raise DomainError("The change changes nothing.", rule="ChangesSomething")
        self.decide(self.Updated, ctx, reason, changes=changes)

    class WindowPublished(MarketplaceAggregate.Decision):
        window_id: str
        window: Window

        def apply(self, service: CouncilService) -> None:
            service.windows[self.window_id] = self.window

        def summary(self) -> str:
            return f"window {self.window_id} published: {self.window.opens} to {self.window.closes}"

    def publish_window(self, ctx: Context, reason: str, window: Window) -> str:
        """A window for expressions of interest (s.82), published with the periods that apply within it."""
        check(
            StateAllows(self.status, frozenset({ACTIVE}), "publish a window"),
            WindowCloseNotBeforeOpening(window.opens, window.closes),
            WindowNotPast(window.closes, ctx.today),
            WindowsApart(window, list(self.windows.values())),
        )
        check(ServiceNotExcluded(self.excluded, self.exclusion_ground))
        periods = checked_periods(window.periods, "periods") if window.periods is not None else self.periods
        window_id = f"W{len(self.windows) + 1}"  # its periods fixed as published: the service's may change later
        self.decide(self.WindowPublished, ctx, reason, window_id=window_id, window=replace(window, periods=periods))
        return window_id

    def window_on(self, day: date) -> tuple[str, Window] | None:
        """The window open on that UK day, if any."""
        return next(((key, w) for key, w in self.windows.items() if w.opens <= day <= w.closes), None)

    def periods_on(self, day: date) -> Periods:
        """The periods that apply to an expression of interest made that day: its window's, else the service's."""
        found = self.window_on(day)
        return found[1].periods or self.periods if found else self.periods

    class ChallengeAccepted(MarketplaceAggregate.Event):
        expression_id: str
        earliest: date
        due_by: date

        def apply(self, service: CouncilService) -> None:
            service.awaiting[self.expression_id] = Awaiting(self.expression_id, self.earliest, self.due_by)

    def challenge_accepted(self, ctx: Context, expression_id: str, earliest: date, due_by: date) -> None:
        """An expression of interest accepted: the service waits for the procurement it leads to."""
        check(StateAllows(self.status, frozenset({ACTIVE}), "accept a challenge for a service"))
        self.record(self.ChallengeAccepted, ctx, expression_id=expression_id, earliest=earliest, due_by=due_by)

    class ProcurementStarted(MarketplaceAggregate.Event):
        tender_id: str
        expressions: list[str]  # the accepted challenges this procurement answers

        def apply(self, service: CouncilService) -> None:
            service.tenders.append(self.tender_id)
            for expression in self.expressions:
                service.awaiting.pop(expression, None)

    def procurement_started(self, ctx: Context, tender_id: str) -> list[str]:
        """A tender naming the service is published: it answers every challenge waiting (none too soon)."""
        check(StateAllows(self.status, frozenset({ACTIVE}), "procure a service"))
        for waiting in self.awaiting.values():
            check(ProcurementNotTooSoon(ctx.today, waiting.earliest))
        expressions = sorted(self.awaiting)
        self.record(self.ProcurementStarted, ctx, tender_id=tender_id, expressions=expressions)
        return expressions

    class Decommissioned(MarketplaceAggregate.Decision):
        contract_id: str
        effective: date

        def summary(self) -> str:
            return f"service decommissioned with contract {self.contract_id}, effective {self.effective}"

        def apply(self, service: CouncilService) -> None:
            service.status = DECOMMISSIONED

    def decommission(self, ctx: Context, reason: str, contract_id: str, effective: date) -> None:
        """The contract delivering the service is decommissioned: the service itself ends."""
        check(StateAllows(self.status, frozenset({ACTIVE}), "decommission a service"))
        self.decide(self.Decommissioned, ctx, reason, contract_id=contract_id, effective=effective)
