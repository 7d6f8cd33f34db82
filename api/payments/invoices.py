"""Invoices: a supplier sends one against its contract (payment in arrears) and corrects a disputed one; the
council verifies the outcomes claimed, validates or disputes, approves (never the validator) and pays; the payables
queue late first, a supplier's own invoices, a contract's, each invoice now or as it stood; a grant's claims and its
recoveries (money asked back), a recovery recorded received (never by whoever raised it); payment performance for a
reporting period; the outcomes a contract pays by results."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated, Any, NamedTuple

from litestar import Controller, Request, Response, get, post
from litestar.params import Parameter
from sqlalchemy.orm import Session

from api.as_it_stood import Asked, AsOf, Version, read_record, reads_as_it_stood
from api.auth import SIGNED_IN_READS, signed_in_reader
from api.commanding import BLOCKING, answer, command_from, command_request, record_id, writes
from api.fields import DecisionBody
from api.moments import day_within_calendar
from api.paging import Cursor, Limit
from api.payments.bodies import (
    ClaimBody,
    DisputeBody,
    InvoiceBody,
    InvoicePage,
    InvoiceView,
    OutcomeBody,
    OutcomeView,
    PaymentBody,
    PerformanceView,
    RecoveryBody,
)
from api.payments.presenters import invoice_from_aggregate, invoice_from_row, performance_view
from api.problems import problem_responses
from api.tendering.bodies import ContractView
from api.tendering.presenters import contract_from_aggregate
from domain.base import Actor
from domain.payments.invoice import Direction, Invoice
from domain.payments.terms import InstalmentClaim, InvoiceLine, InvoiceTerms, MoneyReceived, OutcomePrice, PaymentMade
from domain.rules import NotFound
from domain.tendering.contract import Contract
from domain.working_days import uk_date
from marketplace.access import COUNCIL_READERS
from marketplace.outcome import Outcome
from marketplace.payments.access import CLAIM_INSTALMENT, HANDLE_INVOICE, SEND_INVOICE, may_read_invoice
from marketplace.payments.performance import payment_performance
from marketplace.payments.services import Invoices
from marketplace.service import Marketplace
from marketplace.tendering.access import MANAGE_CONTRACT
from marketplace.tendering.services import Contracts
from projections.grants.register import find_grant
from projections.payments.invoices import find_invoice, invoices_of, payables
from projections.payments.outcomes import outcomes_of
from projections.tendering.queries import find_contract

invoice_id = record_id("invoice")
contract_id = record_id("contract")
grant_id = record_id("grant")
READ = SIGNED_IN_READS
Buyer = Annotated[
    str | None, Parameter(max_length=80, description="The council, by its org-id (default: the publisher).")
]
Day = Annotated[date | None, Parameter(description="A day in the reporting period (default: today).")]


def _terms(data: InvoiceBody) -> InvoiceTerms:
    return command_from(data, InvoiceTerms, lines=[command_from(line, InvoiceLine) for line in data.lines])


def _respond(market: Marketplace, outcome: Outcome, created: bool = False) -> Response[InvoiceView]:
    location = (lambda invoice: f"/invoices/{invoice.id}") if created else None
    return answer(market, outcome, Invoice, invoice_from_aggregate, location)


class Parties(NamedTuple):
    """A kind of record paid against: how its view row is found, which columns name payee and payer, and which of
    its payment requests are listed (either direction, when none is named)."""

    what: str
    find: Callable[[Session, str], dict[str, Any] | None]
    payee: str
    payer: str
    direction: Direction | None = None


CONTRACT_INVOICES = Parties("contract", find_contract, "supplier_identifier", "buyer")
GRANT_CLAIMS = Parties("grant", find_grant, "recipient", "funder", Direction.PAYMENT)
GRANT_RECOVERIES = Parties("grant", find_grant, "recipient", "funder", Direction.RECOVERY)


def _requests_of(
    market: Marketplace, reader: Actor, parties: Parties, record: str, page: tuple[str | None, int]
) -> InvoicePage:
    """A record's payment requests, for its payee and the paying council alone (others: no such record)."""
    key = str(record_id(parties.what)(record))
    with market.views() as session:
        found = parties.find(session, key)
        if found is None or not may_read_invoice(reader, found[parties.payee], found[parties.payer]):
            raise NotFound(parties.what, record)
        where = {"record_id": key, **({"direction": parties.direction.value} if parties.direction else {})}
        rows, next_cursor = invoices_of(session, where, *page)
    return InvoicePage([invoice_from_row(row) for row in rows], next_cursor)


class ContractInvoicesController(Controller):
    path = "/contracts/{contract:str}"
    tags = ["payments"]

    @post(
        "/invoices",
        summary="Send an invoice for work done (the contract's supplier)",
        **writes(SEND_INVOICE, created=True),
    )
    def submit(
        self, market: Marketplace, request: Request[Any, Any, Any], contract: str, data: InvoiceBody
    ) -> Response[InvoiceView]:
        outcome = market.service(Invoices).submit(command_request(request, data), contract_id(contract), _terms(data))
        return _respond(market, outcome, created=True)

    @get("/invoices", summary="A contract's invoices (its supplier and the council)", **READ, **BLOCKING)
    def of_contract(
        self,
        market: Marketplace,
        request: Request[Any, Any, Any],
        contract: str,
        cursor: Cursor = None,
        limit: Limit = 100,
    ) -> InvoicePage:
        return _requests_of(market, signed_in_reader(request), CONTRACT_INVOICES, contract, (cursor, limit))

    @get(
        "/outcomes",
        summary="The outcomes the contract pays by results (its supplier and the council)",
        **READ,
        **BLOCKING,
    )
    def outcomes(self, market: Marketplace, request: Request[Any, Any, Any], contract: str) -> list[OutcomeView]:
        reader, key = signed_in_reader(request), str(contract_id(contract))
        with market.views() as session:
            found = find_contract(session, key)
            if found is None or not may_read_invoice(reader, found["supplier_identifier"], found["buyer"]):
                raise NotFound("contract", contract)
            return [OutcomeView(**row) for row in outcomes_of(session, key)]

    @post("/outcomes", summary="Price an outcome the contract pays by results", **writes(MANAGE_CONTRACT))
    def price_outcome(
        self, market: Marketplace, request: Request[Any, Any, Any], contract: str, data: OutcomeBody
    ) -> Response[ContractView]:
        priced = OutcomePrice(data.code, data.description, data.price, data.evidence)
        outcome = market.service(Contracts).price_outcome(
            command_request(request, data), contract_id(contract), data.reason, priced
        )
        return answer(market, outcome, Contract, contract_from_aggregate)


class GrantClaimsController(Controller):
    path = "/grants/{grant:str}/claims"
    tags = ["payments"]

    @post(
        summary="Ask for a grant's instalment (its recipient), or raise it as it falls due (its funder)",
        **writes(CLAIM_INSTALMENT, created=True),
    )
    def claim(
        self, market: Marketplace, request: Request[Any, Any, Any], grant: str, data: ClaimBody
    ) -> Response[InvoiceView]:
        claim = InstalmentClaim(data.instalment, data.amount)
        outcome = market.service(Invoices).claim(command_request(request, data), grant_id(grant), claim)
        return _respond(market, outcome, created=True)

    @get("/", summary="A grant's payment requests (its recipient and the council)", **READ, **BLOCKING)
    def of_grant(
        self,
        market: Marketplace,
        request: Request[Any, Any, Any],
        grant: str,
        cursor: Cursor = None,
        limit: Limit = 100,
    ) -> InvoicePage:
        return _requests_of(market, signed_in_reader(request), GRANT_CLAIMS, grant, (cursor, limit))


class GrantRecoveriesController(Controller):
    path = "/grants/{grant:str}/recoveries"
    tags = ["payments"]

    @get(
        "/",
        summary="Money asked back under a grant (clawbacks, underspend repaid): its recoveries (recipient, council)",
        **READ,
        **BLOCKING,
    )
    def of_grant(
        self,
        market: Marketplace,
        request: Request[Any, Any, Any],
        grant: str,
        cursor: Cursor = None,
        limit: Limit = 100,
    ) -> InvoicePage:
        return _requests_of(market, signed_in_reader(request), GRANT_RECOVERIES, grant, (cursor, limit))


class InvoiceController(Controller):
    path = "/invoices"
    tags = ["payments"]

    @get(
        summary="Invoices: the council's payables (late first, then by due date); a supplier's own invoices",
        **READ,
        responses=problem_responses(400, 401),
        **BLOCKING,
    )
    def list(
        self, market: Marketplace, request: Request[Any, Any, Any], cursor: Cursor = None, limit: Limit = 100
    ) -> InvoicePage:
        reader = signed_in_reader(request)
        with market.views() as session:
            if reader.role in COUNCIL_READERS:
                rows, next_cursor = payables(session, reader.organisation, cursor, limit)
            else:
                rows, next_cursor = invoices_of(session, {"supplier": reader.organisation}, cursor, limit)
        return InvoicePage([invoice_from_row(row) for row in rows], next_cursor)

    @get("/{invoice:str}", summary="One invoice, now or as it stood", **READ, **reads_as_it_stood(400, 401, 404))
    def read(
        self,
        market: Marketplace,
        request: Request[Any, Any, Any],
        invoice: str,
        version: Version = None,
        as_of: AsOf = None,
    ) -> Response[InvoiceView]:
        reader = signed_in_reader(request)

        def now(session: Session) -> tuple[InvoiceView, int] | None:
            row = find_invoice(session, str(invoice_id(invoice)))
            if row is None or not may_read_invoice(reader, row["supplier"], row["buyer"]):
                return None
            return invoice_from_row(row), row["version"]

        def visible(found: Invoice) -> bool:
            return may_read_invoice(reader, found.supplier, found.buyer)

        asked = Asked(Invoice, invoice_id(invoice), "invoice", invoice, visible)
        return read_record(market, asked, version, as_of, then=lambda s: invoice_from_aggregate(s.aggregate), now=now)

    @post(
        "/{invoice:str}/correct",
        summary="Correct a disputed invoice and send it again (supplier)",
        **writes(SEND_INVOICE),
    )
    def correct(
        self, market: Marketplace, request: Request[Any, Any, Any], invoice: str, data: InvoiceBody
    ) -> Response[InvoiceView]:
        outcome = market.service(Invoices).correct(command_request(request, data), invoice_id(invoice), _terms(data))
        return _respond(market, outcome)

    @post("/{invoice:str}/outcomes/{line:int}/verify", summary="Verify a claimed outcome", **writes(HANDLE_INVOICE))
    def verify(
        self, market: Marketplace, request: Request[Any, Any, Any], invoice: str, line: int, data: DecisionBody
    ) -> Response[InvoiceView]:
        outcome = market.service(Invoices).verify_outcome(
            command_request(request, data), invoice_id(invoice), line, data.reason
        )
        return _respond(market, outcome)

    @post(
        "/{invoice:str}/outcomes/{line:int}/reject",
        summary="Reject a claimed outcome, with a reason: the invoice is disputed",
        **writes(HANDLE_INVOICE),
    )
    def reject(
        self, market: Marketplace, request: Request[Any, Any, Any], invoice: str, line: int, data: DisputeBody
    ) -> Response[InvoiceView]:
        outcome = market.service(Invoices).dispute(
            command_request(request, data), invoice_id(invoice), data.reason, line
        )
        return _respond(market, outcome)

    @post("/{invoice:str}/validate", summary="Validate an invoice", **writes(HANDLE_INVOICE))
    def validate(
        self, market: Marketplace, request: Request[Any, Any, Any], invoice: str, data: DecisionBody
    ) -> Response[InvoiceView]:
        outcome = market.service(Invoices).validate(command_request(request, data), invoice_id(invoice), data.reason)
        return _respond(market, outcome)

    @post(
        "/{invoice:str}/dispute",
        summary="Dispute an invoice, with a reason the supplier sees",
        **writes(HANDLE_INVOICE),
    )
    def dispute(
        self, market: Marketplace, request: Request[Any, Any, Any], invoice: str, data: DisputeBody
    ) -> Response[InvoiceView]:
        outcome = market.service(Invoices).dispute(command_request(request, data), invoice_id(invoice), data.reason)
        return _respond(market, outcome)

    @post(
        "/{invoice:str}/approve", summary="Approve for payment (not the validator: four eyes)", **writes(HANDLE_INVOICE)
    )
    def approve(
        self, market: Marketplace, request: Request[Any, Any, Any], invoice: str, data: DecisionBody
    ) -> Response[InvoiceView]:
        outcome = market.service(Invoices).approve(command_request(request, data), invoice_id(invoice), data.reason)
        return _respond(market, outcome)

    @post("/{invoice:str}/pay", summary="Record the payment of an approved invoice", **writes(HANDLE_INVOICE))
    def pay(
        self, market: Marketplace, request: Request[Any, Any, Any], invoice: str, data: PaymentBody
    ) -> Response[InvoiceView]:
        payment = PaymentMade(data.amount, data.paid_on, data.reference)
        outcome = market.service(Invoices).pay(command_request(request, data), invoice_id(invoice), payment)
        return _respond(market, outcome)

    @post(
        "/{invoice:str}/recover",
        summary="Record a recovery's money received from the payee (not whoever raised it: four eyes)",
        **writes(HANDLE_INVOICE),
    )
    def recover(
        self, market: Marketplace, request: Request[Any, Any, Any], invoice: str, data: RecoveryBody
    ) -> Response[InvoiceView]:
        received = MoneyReceived(data.amount, data.received_on, data.reference)
        outcome = market.service(Invoices).recover(command_request(request, data), invoice_id(invoice), received)
        return _respond(market, outcome)


class PaymentPerformanceController(Controller):
    path = "/payment-performance"
    tags = ["payments"]

    @get(
        summary="Payment performance for a six-month reporting period (PA2023 s.69), published",
        responses=problem_responses(400),
        **BLOCKING,
    )
    def performance(self, market: Marketplace, buyer: Buyer = None, day: Day = None) -> PerformanceView:
        council = buyer or market.settings.publisher_identifier
        with market.views() as session:
            asked = day_within_calendar(day, "day") or uk_date(market.clock.now())
            figures = payment_performance(session, council, asked)
        return performance_view(council, figures, market.settings.payments.sooner_days)
