"""The planning section of a tender that names a service in the council's register, as it is served.

The `ocds` view stores such a tender's publication as a release tagged `tender` and `planning`, whose `planning`
names the service by id alone (`budget.projectID`). Serving fills in the rest from the event store, as parties'
names are (marketplace/tendering/ocds.py): the service as it stood at the release, and each expression of interest
the procurement answers (the Community Right to Challenge: Localism Act 2011 ss.81-86) as it stood when the
procurement started. Those are read from the service's own `ProcurementStarted` for this tender, recorded in the
publication's transaction, so the view follows no aggregate but the tendering ones, and a tender naming no service
is stored and served exactly as before.

`planning.rationale` says, in words, which service the tender procures and which accepted expressions of interest
(id, body, day accepted) it answers; `planning.budget` names the service (`project`, `projectID`, `uri`: its entry
in the public register); `planning.documents` links each expression's entry in the public register of expressions
of interest and decisions, which never carries what the expression says or a staff group's members.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple
from uuid import UUID

from domain.challenge.council_service import CouncilService
from domain.challenge.expression import ExpressionOfInterest, Outcome
from marketplace.persistence import aggregate_log
from projections.tendering.ocds.values import stamp

if TYPE_CHECKING:
    from marketplace.service import Marketplace

Document = dict[str, Any]
ACT = "the Localism Act 2011 ss.81-86"


class Answered(NamedTuple):
    """An accepted expression of interest that the procurement answers, as it stood when the procurement started."""

    expression_id: str
    body_name: str
    accepted: str  # the moment of acceptance, as OCDS writes it
    day: str  # the UK day of acceptance, as the register of decisions dates it
    with_modification: bool


class Planned(NamedTuple):
    """The service a tender procures, as it stood at the release, and the challenges its procurement answers."""

    service_id: str
    name: str
    department: str
    answered: list[Answered]


def _events(market: Marketplace, aggregate_id: str) -> list[tuple[int, Any]]:
    """An aggregate's events, each with its position in the log."""
    with market.views() as session:
        stored = aggregate_log(session, market.app.recorder, UUID(aggregate_id))
    return [(notification.id, market.app.mapper.to_domain_event(notification)) for notification in stored]


def _answered(market: Marketplace, expression_id: str, before: int) -> Answered | None:
    """The expression of interest after its events before `before`, if it was accepted by then."""
    expression: Any = None
    accepted: Any = None
    for position, event in _events(market, expression_id):
        if position >= before:
            break
        expression = event.mutate(expression)
        if isinstance(event, ExpressionOfInterest.Accepted):
            accepted = event
    if not isinstance(expression, ExpressionOfInterest) or accepted is None or expression.decided_on is None:
        return None
    agreed = accepted.outcome == Outcome.ACCEPTED_WITH_MODIFICATION
    day = expression.decided_on.isoformat()
    return Answered(expression_id, expression.body_name, stamp(accepted.timestamp), day, agreed)


def planned(market: Marketplace, service_id: str, tender_id: str, position: int) -> Planned | None:
    """The service as it stood before the release at `position`, and the challenges its procurement for this
    tender answered; None when the log holds no such service."""
    service: Any = None
    started: tuple[int, list[str]] | None = None
    for at, event in _events(market, service_id):
        if at < position:
            service = event.mutate(service)
        if isinstance(event, CouncilService.ProcurementStarted) and event.tender_id == tender_id:
            started = (at, list(event.expressions))
    if not isinstance(service, CouncilService):
        return None
    answered = [] if started is None else [_answered(market, found, started[0]) for found in started[1]]
    return Planned(service_id, service.name, service.department, [a for a in answered if a is not None])


def rationale(plan: Planned) -> str:
    said = f'The council procures its service "{plan.name}" (service {plan.service_id} in its register of services).'
    if not plan.answered:
        return f"{said} No expression of interest accepted under the Community Right to Challenge ({ACT}) awaited it."
    modified = " with a modification the body agreed"
    each = "; ".join(
        f"{a.expression_id} from {a.body_name}, accepted{modified if a.with_modification else ''} on {a.day}"
        for a in plan.answered
    )
    return (
        f"{said} This is the procurement exercise that the Community Right to Challenge ({ACT}) requires after the "
        f"council accepted {'this expression' if len(plan.answered) == 1 else 'these expressions'} of interest: "
        f"{each}. {'The challenging body competes' if len(plan.answered) == 1 else 'Each challenging body competes'} "
        "in it like any other bidder."
    )


def planning_section(plan: Planned, url: str) -> Document:
    """What `planning` says, served: the rationale, the service as the budget's project, and each challenge's
    entry in the public register (`url`: the API's public address)."""
    documents = [
        {
            "id": f"expression-of-interest-{a.expression_id}",
            "title": f"Expression of interest from {a.body_name}",
            "description": f"Accepted on {a.day} under the Community Right to Challenge"
            + (", with a modification the body agreed." if a.with_modification else "."),
            "url": f"{url}/expressions-of-interest/{a.expression_id}",
            "datePublished": a.accepted,
            "format": "application/json",
            "language": "en",
        }
        for a in plan.answered
    ]
    budget = {
        "description": f"{plan.department}: the service's budget in the council's register of services",
        "project": plan.name,
        "projectID": plan.service_id,
        "uri": f"{url}/services/{plan.service_id}",
    }
    section: Document = {"rationale": rationale(plan), "budget": budget}
    if documents:
        section["documents"] = documents
    return section


def with_planning(market: Marketplace, url: str, tender_id: str, position: int, release: Document) -> Document:
    """The release with its planning section filled in, when it has one (changed in place, as parties are)."""
    planning = release.get("planning")
    service_id = planning.get("budget", {}).get("projectID") if isinstance(planning, dict) else None
    if not service_id:
        return release
    plan = planned(market, str(service_id), tender_id, position)
    if plan is not None:
        release["planning"] = planning_section(plan, url)
    return release
