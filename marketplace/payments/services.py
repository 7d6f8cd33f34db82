"""Commands on invoices: a supplier sends one against its contract and corrects a disputed one; the council
verifies the outcomes it claims, validates or disputes it, approves it (someone other than its validator) and pays
it, the payment recorded against the contract in the same transaction so payments never pass its value."""

from __future__ import annotations

from uuid import UUID

from domain.base import Context
from domain.payments.invoice import Invoice, invoice_uuid
from domain.payments.terms import InvoiceTerms, Payee, PaymentMade
from domain.tendering.contract import Contract
from marketplace.capability import Wiring
from marketplace.commands import Changed, CommandRequest, refuse_duplicate
from marketplace.outcome import Outcome
from marketplace.payments.access import FLAG_LATE, HANDLE_INVOICE, PAYER_ONLY, SEND_INVOICE, SUPPLIER_ONLY
from marketplace.records import RecordCommands

SME_SIZES = frozenset({"micro", "small", "medium"})


def payee_of(contract: Contract) -> Payee:
    """What an invoice against the contract is paid under, as the contract stands."""
    supplier = contract.supplier
    return Payee(
        str(contract.id),
        contract.buyer,
        supplier.identifier,
        supplier.name,
        supplier.size in SME_SIZES or supplier.vcse,
        contract.start,
        contract.ended_on or contract.end,
        dict(contract.outcomes or {}),
    )


class Invoices(RecordCommands[Invoice]):
    kind = Invoice
    permit = HANDLE_INVOICE
    own = PAYER_ONLY

    def __init__(self, wiring: Wiring) -> None:
        super().__init__(wiring)
        self.policy = wiring.settings.payments

    def _contract(self, contract_id: str | UUID) -> Contract:
        return self.commands.load(Contract, UUID(str(contract_id)), label=str(contract_id))

    def submit(self, request: CommandRequest, contract_id: UUID, terms: InvoiceTerms) -> Outcome:
        SEND_INVOICE.check(request.actor)

        def submit(ctx: Context) -> Invoice:
            payee = payee_of(self._contract(contract_id))
            if self.commands.exists(invoice_uuid(payee.contract_id, ctx.actor.organisation, terms.number)):
                raise refuse_duplicate("Invoice", f"{terms.number.strip()} (correct it instead, if disputed)")
            return Invoice.submit(ctx, payee, terms, self.policy)

        return self.commands.create(request, submit)

    def correct(self, request: CommandRequest, invoice_id: UUID, terms: InvoiceTerms) -> Outcome:
        def correct(invoice: Invoice, ctx: Context) -> None:
            invoice.correct(ctx, payee_of(self._contract(invoice.contract_id)), terms, self.policy)

        return self._change(request, invoice_id, correct, SEND_INVOICE, SUPPLIER_ONLY)

    def verify_outcome(self, request: CommandRequest, invoice_id: UUID, line: int, reason: str) -> Outcome:
        return self._change(request, invoice_id, lambda i, ctx: i.verify_outcome(ctx, line, reason))

    def dispute(self, request: CommandRequest, invoice_id: UUID, reason: str, line: int | None = None) -> Outcome:
        return self._change(request, invoice_id, lambda i, ctx: i.dispute(ctx, reason, line))

    def validate(self, request: CommandRequest, invoice_id: UUID, reason: str) -> Outcome:
        return self._change(request, invoice_id, lambda i, ctx: i.validate(ctx, reason))

    def approve(self, request: CommandRequest, invoice_id: UUID, reason: str) -> Outcome:
        return self._change(request, invoice_id, lambda i, ctx: i.approve(ctx, reason))

    def pay(self, request: CommandRequest, invoice_id: UUID, payment: PaymentMade) -> Outcome:
        """The payment and the contract's record of it, saved together (409 if another payment moved it)."""

        def pay(invoice: Invoice, ctx: Context) -> Changed:
            contract = self._contract(invoice.contract_id)
            invoice.pay(ctx, payment, self.policy)
            contract.record_payment(ctx, str(invoice.id), payment.amount, payment.paid_on)
            return (contract,)

        return self._change(request, invoice_id, pay)

    def flag_late(self, request: CommandRequest, invoice_id: UUID) -> Outcome:
        return self._act(request, invoice_id, lambda i, ctx: i.flag_late(ctx), FLAG_LATE)
