"""The routes that command a registration: apply to be listed, then evidence, checks, corrections, availability
and decisions on the registration a path names.

Each of the latter takes its body, has the service run the command it carries, and answers with the registration
as the command left it: they differ only in path, body, permit and command, so one table makes them
(`RegistrationCommand`). Each route's guard is its command's permit, which the service checks again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar
from uuid import UUID

import msgspec
from litestar import Controller, Request, Response, post, put
from litestar.handlers import HTTPRouteHandler

from api.care.bodies import Application, AvailabilityBody, CheckBody, Corrections, EvidenceBody, RegistrationView
from api.care.fields import registration_id
from api.care.presenters import respond
from api.commanding import command_from, command_request, writes
from api.fields import DecisionBody
from domain.care import micro_enterprise as care
from marketplace.access import Permit
from marketplace.care import access
from marketplace.care.services import Registrations
from marketplace.commands import CommandRequest
from marketplace.outcome import Outcome
from marketplace.service import Marketplace

B = TypeVar("B", bound=msgspec.Struct)
V = TypeVar("V")


@dataclass(frozen=True)
class RegistrationCommand(Generic[B]):
    """One route commanding the registration its path names: `<method> /registrations/{registration}/<path>`."""

    name: str  # the handler's name, which the OpenAPI operation id is made from
    path: str
    summary: str
    permit: Permit
    body: type[B]
    run: Callable[[Registrations, CommandRequest, UUID, B], Outcome]
    created: bool = False  # adds to the registration (evidence): answered 201 with its Location
    method: Callable[..., Any] = post

    def route(self) -> HTTPRouteHandler:
        return _route(self)


def _route(command: RegistrationCommand[B]) -> HTTPRouteHandler:
    """The command's route handler, named and typed as if written out (Litestar reads both)."""

    def handler(
        self: Controller, market: Marketplace, request: Request[Any, Any, Any], registration: str, data: Any
    ) -> Response[RegistrationView]:
        outcome = command.run(
            market.service(Registrations), command_request(request, data), registration_id(registration), data
        )
        return respond(market, outcome, created=command.created)

    handler.__name__ = handler.__qualname__ = command.name
    handler.__annotations__["data"] = command.body  # what Litestar decodes, validates and documents
    path = f"/{{registration:str}}/{command.path}"
    route: HTTPRouteHandler = command.method(
        path, summary=command.summary, **writes(command.permit, created=command.created)
    )(handler)
    return route


def _converted(
    act: Callable[[Registrations, CommandRequest, UUID, V], Outcome], value: type[V]
) -> Callable[[Registrations, CommandRequest, UUID, Any], Outcome]:
    """The service's command, given the body converted whole into the domain's command value."""

    def run(registrations: Registrations, command: CommandRequest, registration: UUID, data: Any) -> Outcome:
        return act(registrations, command, registration, command_from(data, value))

    return run


def _decision(
    name: str, summary: str, permit: Permit, decide: Callable[[Registrations, CommandRequest, UUID, str], Outcome]
) -> HTTPRouteHandler:
    """A decision on the registration, taken with the body's reason."""

    def run(registrations: Registrations, command: CommandRequest, registration: UUID, data: DecisionBody) -> Outcome:
        return decide(registrations, command, registration, data.reason)

    return RegistrationCommand(name, name, summary, permit, DecisionBody, run).route()


class RegistrationCommands(Controller):
    path = "/registrations"
    tags = ["care micro-enterprises"]

    @post(
        summary="Apply to be listed as a care micro-enterprise",
        operation_id="RegistrationsApply",
        **writes(access.APPLY_FOR_LISTING, created=True),
    )
    def apply_for_listing(
        self, market: Marketplace, request: Request[Any, Any, Any], data: Application
    ) -> Response[RegistrationView]:
        """A provider applies for its own (micro) organisation; council officers may apply for any."""
        application = command_from(data, care.ListingApplication)
        outcome = market.service(Registrations).apply_for_listing(command_request(request, data), application)
        return respond(market, outcome, created=True)

    add_evidence = RegistrationCommand(
        "add_evidence",
        "evidence",
        "Add evidence, or renew it (it replaces the old once checked)",
        access.ADD_EVIDENCE,
        EvidenceBody,
        _converted(Registrations.add_evidence, care.EvidenceItem),
        created=True,
    ).route()
    record_check = RegistrationCommand(
        "record_check",
        "checks",
        "Record a check of one piece of evidence (passed or failed, with a note)",
        access.RECORD_CHECK,
        CheckBody,
        _converted(Registrations.record_check, care.EvidenceCheck),
    ).route()
    resubmit = RegistrationCommand(
        "resubmit",
        "resubmit",
        "Resubmit after a rejection, with any corrections",
        access.RESUBMIT,
        Corrections,
        _converted(Registrations.resubmit, care.Corrections),
    ).route()
    availability = RegistrationCommand(
        "availability",
        "availability",
        "The hours a week it can take on now",
        access.UPDATE_AVAILABILITY,
        AvailabilityBody,
        lambda registrations, command, registration, data: registrations.update_availability(
            command, registration, data.available_hours
        ),
        method=put,
    ).route()
    approve = _decision("approve", "Approve and list it, with reasons", access.APPROVE, Registrations.approve)
    reject = _decision("reject", "Reject it, with reasons", access.REJECT, Registrations.reject)
    suspend = _decision(
        "suspend", "Suspend it (a safeguarding concern, say), with reasons", access.SUSPEND, Registrations.suspend
    )
    reinstate = _decision("reinstate", "Reinstate it, with reasons", access.REINSTATE, Registrations.reinstate)
    withdraw = _decision("withdraw", "Withdraw it (the provider itself)", access.WITHDRAW, Registrations.withdraw)
