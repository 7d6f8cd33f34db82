"""Where tendering meets the service register: a tender may name the service it procures; publishing it starts the
procurement exercise every accepted challenge of the service waits for; decommissioning the contract that
delivers a named service ends the service. Each change is saved with the tender's (or contract's) own, in one
transaction, so the register and the challenges never disagree with the tenders."""

from __future__ import annotations

from uuid import UUID

from domain.base import Context, MarketplaceAggregate
from domain.challenge.council_service import ACTIVE, CouncilService
from domain.challenge.expression import ExpressionOfInterest
from domain.rules import DomainError
from domain.tendering.contract import Contract
from domain.tendering.tender import Tender
from marketplace.commands import CommandRunner


def named_service(commands: CommandRunner, service_id: UUID | None, buyer: str) -> str:
    """The id a tender names its service by, once the service is the buyer's own and still delivered."""
    if service_id is None:
        return ""
    service = commands.find(CouncilService, service_id)
    if service is None or service.owner != buyer:
        raise DomainError(f"No service {service_id} in your register.", field="service_id", rule="ServiceInRegister")
    if service.status != ACTIVE:
        raise DomainError("The service has been decommissioned.", field="service_id", rule="ServiceActive")
    return str(service.id)


def procurement_started(commands: CommandRunner, tender: Tender, ctx: Context) -> tuple[MarketplaceAggregate, ...]:
    """The service, and each challenge this tender answers, record that its procurement has started."""
    if not tender.service:
        return ()
    service = commands.load(CouncilService, UUID(tender.service))
    answered = service.procurement_started(ctx, str(tender.id))
    expressions = [commands.load(ExpressionOfInterest, UUID(found)) for found in answered]
    for expression in expressions:
        expression.procurement_started(ctx, str(tender.id))
    return (service, *expressions)


def service_decommissioned(
    commands: CommandRunner, contract: Contract, reason: str, ctx: Context
) -> tuple[MarketplaceAggregate, ...]:
    """The service a decommissioned contract delivered, recorded as decommissioned with it."""
    tender = commands.find(Tender, UUID(contract.tender_id))
    if tender is None or not tender.service:
        return ()
    service = commands.load(CouncilService, UUID(tender.service))
    if service.status != ACTIVE:
        return ()
    assert contract.ended_on is not None  # just decommissioned
    service.decommission(ctx, reason, str(contract.id), contract.ended_on)
    return (service,)
