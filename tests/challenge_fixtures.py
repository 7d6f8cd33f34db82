"""The Community Right to Challenge as the services take it: a service's entry, a window, an expression of interest
and the bodies that make them, for the tests of the domain and the services (the API's tests send the same as
JSON)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from domain.base import Actor
from domain.challenge.council_service import CouncilService
from domain.challenge.terms import Interest, Member, Partner, Periods, Rejection, ServiceTerms, Window
from domain.grants.terms import Location
from domain.working_days import uk_date
from marketplace.challenge.services import Expressions, Services
from marketplace.clock import FixedClock
from marketplace.service import Marketplace
from tests.grants_fixtures import OFFICER, provider, register, request

BODIES = {  # identifier: name, legal form, size, VCSE, postcode
    "360G-SHR-parish-0007": ("Clun Town Council", "parish-council", "micro", False, "SY7 8JA"),
    "GB-CHC-1234567": ("Ludlow Befrienders", "charitable-trust", "small", True, "SY8 1BB"),
    "GB-COH-12345678": ("Severn Community Interest", "community-interest-company", "small", True, "SY3 8HQ"),
    "GB-COH-87654321": ("Big Care Holdings", "company", "large", False, "TF1 1AA"),  # not a relevant body
}
PARISH, CHARITY, CIC, COMPANY = BODIES
STAFF = "360G-SHR-staff-libraries"  # the identifier a staff group's members sign in under
PERIODS = Periods(decide_within=30, procure_after=0, procure_within=90)


def service_terms(**changes: Any) -> ServiceTerms:
    value = ServiceTerms(
        name="Library outreach",
        description="Mobile library visits to rural villages and housebound readers.",
        department="Culture and leisure",
        priority="embrace-our-rurality",
        delivery="in-house",
        annual_budget=Decimal("240000"),
        periods=PERIODS,
        area=[Location("postcode-district", "SY7", "Clun")],
    )
    return replace(value, **changes)


def interest(service_id: UUID, **changes: Any) -> Interest:
    value = Interest(
        service_id=str(service_id),
        body_kind="organisation",
        financial_resources="Reserves of £120,000 and a bank facility of £50,000.",
        capability_evidence="We run the community library at Clun and employ two qualified librarians.",
        outcomes=["Weekly visits to every village", "Home delivery for 300 readers"],
        well_being="Volunteers from each village drive and host the visits, keeping the spend local.",
        users_needs="Readers choose their stops through a village panel.",
        partners=[Partner("sub-contractor", "Marches Mobile Vehicles Ltd", "GB-COH-11111111")],
    )
    return replace(value, **changes)


def staff_interest(service_id: UUID, **changes: Any) -> Interest:
    return interest(
        service_id,
        body_kind="staff-group",
        group_name="Library outreach staff mutual",
        members=[Member("Jo Reader", "Outreach librarian"), Member("Sam Shelf", "Driver and library assistant")],
        staff_engagement="Monthly open meetings and a ballot of every outreach employee before we go further.",
        partners=[],
        **changes,
    )


def register_body(market: Marketplace, identifier: str) -> None:
    register(market, identifier, BODIES)


def body(identifier: str) -> Actor:
    return provider(identifier)


@dataclass
class Register:
    """A service in the register and the ids of what the tests made of it."""

    market: Marketplace
    clock: FixedClock
    service_id: UUID

    @property
    def expressions(self) -> Expressions:
        return self.market.service(Expressions)

    @property
    def services(self) -> Services:
        return self.market.service(Services)

    @property
    def today(self) -> date:
        return uk_date(self.clock.now())

    def submit(self, identifier: str = PARISH, **changes: Any) -> UUID:
        made = interest(self.service_id, **changes) if identifier != STAFF else staff_interest(self.service_id)
        return UUID(self.expressions.submit(request(body(identifier)), made).aggregate_id)

    def acknowledged(self, identifier: str = PARISH) -> UUID:
        expression_id = self.submit(identifier)
        self.expressions.acknowledge(request(OFFICER), expression_id)
        return expression_id

    def accepted(self, identifier: str = PARISH) -> UUID:
        expression_id = self.acknowledged(identifier)
        self.expressions.accept(request(OFFICER), expression_id, "The body can run the service well.")
        return expression_id

    def rejected(self, identifier: str = PARISH, *grounds: str) -> UUID:
        expression_id = self.acknowledged(identifier)
        rejection = Rejection(list(grounds or ("inadequate-information",)), "The finances are not evidenced.")
        self.expressions.reject(request(OFFICER), expression_id, rejection)
        return expression_id

    def window(self, opens_in: int = 0, lasts: int = 30, periods: Periods | None = None) -> str:
        opens = self.today + timedelta(days=opens_in)
        window = Window(opens, opens + timedelta(days=lasts), periods)
        self.services.publish_window(request(OFFICER), self.service_id, "Cabinet agreed the window.", window)
        return f"W{len(self.market.commands.load(CouncilService, self.service_id).windows)}"


def registered(market: Marketplace, clock: FixedClock, **changes: Any) -> Register:
    """A service in the council's register, with every body registered."""
    for identifier in BODIES:
        register_body(market, identifier)
    outcome = market.service(Services).register(request(OFFICER), service_terms(**changes))
    return Register(market, clock, UUID(outcome.aggregate_id))
