"""What the Community Right to Challenge's routes answer: the service register (with its windows, what delivers
each service and the challenges awaiting procurement), the challenge windows, and the register of expressions of
interest and decisions.

Each record is rendered from one row-shaped dict, whether its view holds it now or its aggregate is rebuilt as it
stood (`service_row`, `expression_row`), so the two answers cannot drift apart. An expression's `content` (its
finances, evidence and plans, its partners, a staff group's members) is shown only to the readers
`sees_expression` allows: the public register and entry never carry it.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import msgspec

from api.rendering import day, day_or_none
from domain.base import Actor
from domain.challenge.council_service import CouncilService
from domain.challenge.expression import ACCEPTED, UNDECIDED, ExpressionOfInterest
from domain.challenge.terms import GROUND_TEXT
from domain.money import PENNY
from marketplace.challenge.access import sees_expression
from projections.batch import plain
from projections.challenge.expressions import CONTENT

Row = dict[str, Any]


# --- services -----------------------------------------------------------------------------------------------------


class PeriodsView(msgspec.Struct):
    decide_within: int
    procure_after: int
    procure_within: int
    counted_in: str


class ServiceWindowView(msgspec.Struct):
    window_id: str
    opens: date
    closes: date
    periods: PeriodsView  # the window's own, or the service's when it states none
    open_today: bool


class TenderLink(msgspec.Struct):
    id: str
    link: str


class AwaitingProcurement(msgspec.Struct):
    """An accepted challenge the service's procurement exercise is due for."""

    expression_id: str
    link: str
    earliest: date
    due_by: date


class DeliveredTender(msgspec.Struct):
    id: str
    title: str
    status: str
    link: str


class DeliveredContract(msgspec.Struct):
    id: str
    tender_id: str
    supplier_name: str
    status: str
    link: str


class DeliveredGrant(msgspec.Struct):
    id: str
    recipient_name: str
    amount_awarded: Decimal
    status: str
    link: str


class DeliveredThrough(msgspec.Struct):
    """The published tenders naming the service, their contracts (and the one delivering it) and the grants of
    the programme delivering it, as their own registers hold them now."""

    tenders: list[DeliveredTender]
    contracts: list[DeliveredContract]
    grants: list[DeliveredGrant]


class ServiceView(msgspec.Struct):
    id: str
    owner: str
    name: str
    description: str
    department: str
    priority: str
    delivery: str
    delivered_by: str
    area: list[dict[str, Any]]
    annual_budget: Decimal
    periods: PeriodsView
    excluded: bool
    exclusion_ground: str
    status: str
    windows: list[ServiceWindowView]
    open_window: ServiceWindowView | None
    tenders: list[TenderLink]
    awaiting_procurement: list[AwaitingProcurement]
    delivered_through: DeliveredThrough | None  # one service's read now; None in lists and as it stood
    version: int


class ServicePage(msgspec.Struct):
    items: list[ServiceView]
    next: str | None


def periods_view(periods: dict[str, Any]) -> PeriodsView:
    return PeriodsView(
        periods["decide_within"], periods["procure_after"], periods["procure_within"], periods["counted_in"]
    )


def service_row(service: CouncilService) -> Row:
    """The service as its view's row holds it, from the aggregate (as it stood, or as a command left it)."""
    return {
        **{name: getattr(service, name) for name in ("owner", "name", "description", "department", "priority")},
        **{name: getattr(service, name) for name in ("delivery", "delivered_by", "annual_budget", "excluded")},
        "id": str(service.id),
        "exclusion_ground": service.exclusion_ground,
        "area": plain(service.area),
        "periods": plain(service.periods),
        "status": service.status.value,
        "windows": [{"window_id": key, **plain(window)} for key, window in service.windows.items()],
        "tenders": list(service.tenders),
        "awaiting": [plain(waiting) for waiting in service.awaiting.values()],
        "version": service.version,
    }


def service_view(row: Row, today: date, delivered: dict[str, list[Row]] | None = None) -> ServiceView:
    windows = [
        ServiceWindowView(
            window["window_id"],
            day(window["opens"]),
            day(window["closes"]),
            periods_view(window["periods"] or row["periods"]),
            day(window["opens"]) <= today <= day(window["closes"]),
        )
        for window in row["windows"]
    ]
    return ServiceView(
        id=row["id"],
        owner=row["owner"],
        name=row["name"],
        description=row["description"],
        department=row["department"],
        priority=row["priority"],
        delivery=row["delivery"],
        delivered_by=row["delivered_by"],
        area=list(row["area"]),
        annual_budget=Decimal(row["annual_budget"]).quantize(PENNY),
        periods=periods_view(row["periods"]),
        excluded=row["excluded"],
        exclusion_ground=row["exclusion_ground"],
        status=row["status"],
        windows=windows,
        open_window=next((window for window in windows if window.open_today), None),
        tenders=[TenderLink(tender, f"/tenders/{tender}") for tender in row["tenders"]],
        awaiting_procurement=[
            AwaitingProcurement(
                waiting["expression_id"],
                f"/expressions-of-interest/{waiting['expression_id']}",
                day(waiting["earliest"]),
                day(waiting["due_by"]),
            )
            for waiting in row["awaiting"]
        ],
        delivered_through=None if delivered is None else delivered_view(delivered),
        version=row["version"],
    )


def delivered_view(delivered: dict[str, list[Row]]) -> DeliveredThrough:
    return DeliveredThrough(
        tenders=[
            DeliveredTender(t["id"], t["title"], t["status"], f"/tenders/{t['id']}") for t in delivered["tenders"]
        ],
        contracts=[
            DeliveredContract(c["id"], c["tender_id"], c["supplier_name"], c["status"], f"/contracts/{c['id']}")
            for c in delivered["contracts"]
        ],
        grants=[
            DeliveredGrant(
                g["id"], g["recipient_name"], Decimal(g["amount_awarded"]), g["status"], f"/grants/{g['id']}"
            )
            for g in delivered["grants"]
        ],
    )


class ChallengeWindowView(msgspec.Struct):
    """A published window, with the service it is for."""

    service_id: str
    service_name: str
    service_link: str
    window_id: str
    opens: date
    closes: date
    periods: PeriodsView
    open_today: bool


class ChallengeWindowPage(msgspec.Struct):
    items: list[ChallengeWindowView]
    next: str | None


def challenge_window(row: Row, today: date) -> ChallengeWindowView:
    opens, closes = day(row["opens"]), day(row["closes"])
    return ChallengeWindowView(
        service_id=row["service_id"],
        service_name=row["service_name"],
        service_link=f"/services/{row['service_id']}",
        window_id=row["window_id"],
        opens=opens,
        closes=closes,
        periods=periods_view(row["periods"]),
        open_today=opens <= today <= closes,
    )


# --- expressions of interest --------------------------------------------------------------------------------------


class GroundView(msgspec.Struct):
    """A statutory ground of rejection: its code, its paragraph of the Schedule to SI 2012/1647, its words."""

    code: str
    paragraph: int
    text: str


class ExpressionContent(msgspec.Struct):
    """What the expression says (Schedule 1 of SI 2012/1313): its body's and the council's only."""

    group_name: str
    members: list[dict[str, Any]]
    partners: list[dict[str, Any]]
    financial_resources: str
    capability_evidence: str
    outcomes: list[str]
    well_being: str
    users_needs: str
    staff_engagement: str
    area: list[dict[str, Any]]
    modification: str  # the council's proposal, while one stands or once agreed
    modification_agreed: bool


class ExpressionView(msgspec.Struct):
    """An entry of the public register of expressions of interest and decisions, with its content for those who
    may read it (None for everyone else)."""

    id: str
    link: str
    service_id: str
    service_name: str
    service_link: str
    council: str
    body: str
    body_name: str  # an organisation's name in the register, or a staff group's name: never its members'
    body_kind: str
    legal_form: str
    status: str
    outcome: str  # accepted | accepted-with-modification | rejected | "" (undecided)
    grounds: list[GroundView]
    reasons: str  # the decision's
    submitted_on: date
    acknowledged_on: date | None
    decision_due: date
    decided_on: date | None
    procurement_earliest: date | None
    procurement_due_by: date | None
    tender_id: str | None  # the tender whose publication started the procurement this acceptance led to
    tender_link: str | None
    next_deadline: date | None  # the decision's, then the procurement's; None once neither is awaited
    past_deadline: bool  # the next deadline has passed (the clock flags it once it runs)
    decision_overdue: bool
    procurement_overdue: bool
    content: ExpressionContent | None
    version: int


class ExpressionPage(msgspec.Struct):
    items: list[ExpressionView]
    next: str | None


def ground_view(code: str) -> GroundView:
    paragraph, text = GROUND_TEXT[code]
    return GroundView(code, paragraph, text)


def expression_row(expression: ExpressionOfInterest, service_name: str) -> Row:
    """The expression as its view's row holds it, from the aggregate (as it stood, or as a command left it)."""
    status = expression.status
    waiting = status == ACCEPTED and not expression.tender_id
    return {
        **{name: getattr(expression, name) for name in ("service_id", "council", "body", "body_name", "body_kind")},
        **{name: getattr(expression, name) for name in ("legal_form", "submitted_on", "decision_due", "outcome")},
        **{name: getattr(expression, name) for name in ("acknowledged_on", "modification", "modification_agreed")},
        **{name: getattr(expression, name) for name in ("decided_on", "procurement_earliest", "procurement_due_by")},
        **{name: getattr(expression, name) for name in ("tender_id", "decision_overdue", "procurement_overdue")},
        "id": str(expression.id),
        "service_name": service_name,
        "content": {name: plain(getattr(expression, name)) for name in CONTENT},
        "status": status.value,
        "grounds": list(expression.grounds),
        "reasons": expression.reasons,
        "next_deadline": expression.decision_due
        if status in UNDECIDED
        else (expression.procurement_due_by if waiting else None),
        "version": expression.version,
    }


def expression_view(row: Row, reader: Actor | None, today: date) -> ExpressionView:
    content = row["content"]
    next_deadline = day_or_none(row["next_deadline"])
    return ExpressionView(
        id=row["id"],
        link=f"/expressions-of-interest/{row['id']}",
        service_id=row["service_id"],
        service_name=row["service_name"],
        service_link=f"/services/{row['service_id']}",
        council=row["council"],
        body=row["body"],
        body_name=row["body_name"],
        body_kind=row["body_kind"],
        legal_form=row["legal_form"],
        status=row["status"],
        outcome=row["outcome"],
        grounds=[ground_view(code) for code in row["grounds"]],
        reasons=row["reasons"],
        submitted_on=day(row["submitted_on"]),
        acknowledged_on=day_or_none(row["acknowledged_on"]),
        decision_due=day(row["decision_due"]),
        decided_on=day_or_none(row["decided_on"]),
        procurement_earliest=day_or_none(row["procurement_earliest"]),
        procurement_due_by=day_or_none(row["procurement_due_by"]),
        tender_id=row["tender_id"] or None,
        tender_link=f"/tenders/{row['tender_id']}" if row["tender_id"] else None,
        next_deadline=next_deadline,
        past_deadline=next_deadline is not None and today > next_deadline,
        decision_overdue=row["decision_overdue"],
        procurement_overdue=row["procurement_overdue"],
        content=ExpressionContent(
            **{name: content[name] for name in CONTENT},
            modification=row["modification"],
            modification_agreed=row["modification_agreed"],
        )
        if sees_expression(reader, row["body"])
        else None,
        version=row["version"],
    )
