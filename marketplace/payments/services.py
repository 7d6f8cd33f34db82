"""Commands on payment requests: a supplier sends an invoice against its contract and corrects a disputed one; a
grant's recipient claims an instalment, or its funder raises it; the council verifies the outcomes claimed,
validates or disputes, approves (someone other than whoever raised or validated it) and pays, the payment recorded
on the contract or the grant in the same transaction, by its rules (marketplace/payments/sources.py). Money asked
back (a recovery, raised beside a grant's clawback or underspend: marketplace/payments/recoveries.py) is recorded
received by someone other than whoever raised it, the grant's account following in the same transaction."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from uuid import UUID

from domain.base import Context, MarketplaceAggregate, Role
from domain.grants.grant import Grant
from domain.payments.invoice import Invoice, invoice_uuid
from domain.payments.terms import InstalmentClaim, InvoiceLine, InvoiceTerms, MoneyReceived, PaymentMade
from marketplace.capability import Wiring
from marketplace.commands import Changed, CommandRequest, refuse_duplicate
from marketplace.grants.access import GRANT_FUNDER_ONLY
from marketplace.outcome import Outcome
from marketplace.payments.access import (
    CLAIM_INSTALMENT,
    FLAG_LATE,
    HANDLE_INVOICE,
    PAYEE_ONLY,
    PAYER_ONLY,
    SEND_INVOICE,
    SUPPLIER_ONLY,
)
from marketplace.payments.sources import RECOVERIES, SOURCES, record_of
from marketplace.records import RecordCommands

TermsFor = Callable[[MarketplaceAggregate, Context], InvoiceTerms]  # a request's terms, from its record as it stands


class Invoices(RecordCommands[Invoice]):
    kind = Invoice
    permit = HANDLE_INVOICE
    own = PAYER_ONLY

    def __init__(self, wiring: Wiring) -> None:
        super().__init__(wiring)
        self.policy = wiring.settings.payments

    def submit(self, request: CommandRequest, contract_id: UUID, terms: InvoiceTerms) -> Outcome:
        """A supplier's invoice against its contract."""
        SEND_INVOICE.check(request.actor)
        return self._raise(request, "contract", contract_id, lambda contract, ctx: terms)

    def claim(self, request: CommandRequest, grant_id: UUID, claim: InstalmentClaim) -> Outcome:
        """A grant's instalment asked for by its recipient, or raised by its funder's officer when it falls due:
        once its conditions are discharged and within the award."""
        CLAIM_INSTALMENT.check(request.actor)

        def instalment(grant: MarketplaceAggregate, ctx: Context) -> InvoiceTerms:
            assert isinstance(grant, Grant)
            if ctx.actor.role != Role.PROVIDER:
                GRANT_FUNDER_ONLY.check(ctx.actor, grant)
            amount = grant.payable(claim.instalment, claim.amount)
            line = InvoiceLine(f"Grant {grant.title}: instalment {claim.instalment}", amount, Decimal(0))
            day = ctx.today
            return InvoiceTerms(claim.instalment, day, day, day, [line], amount, Decimal(0), amount)

        return self._raise(request, "grant", grant_id, instalment)

    def _raise(self, request: CommandRequest, kind: str, record_id: UUID, terms_for: TermsFor) -> Outcome:
        """A payment request against the record, on the terms it gives, once per number."""

        def raise_it(ctx: Context) -> Invoice:
            record = record_of(self.commands, kind, record_id)
            payee = SOURCES[kind].payee(record)
            if ctx.actor.role is Role.PROVIDER:
                PAYEE_ONLY[kind].check(ctx.actor, payee)
            terms = terms_for(record, ctx)
            if self.commands.exists(invoice_uuid(payee.record_id, payee.supplier, terms.number)):
                raise refuse_duplicate("A payment request numbered", f"{terms.number.strip()} (correct it if disputed)")
            return Invoice.submit(ctx, payee, terms, self.policy)

        return self.commands.create(request, raise_it)

    def correct(self, request: CommandRequest, invoice_id: UUID, terms: InvoiceTerms) -> Outcome:
        def correct(invoice: Invoice, ctx: Context) -> None:
            payee = SOURCES[invoice.record_kind].payee(record_of(self.commands, invoice.record_kind, invoice.record_id))
            invoice.correct(ctx, payee, terms, self.policy)

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
        """The payment and its record's account of it (the contract's, the grant's), saved together (409 if another
        payment moved it)."""

        def pay(invoice: Invoice, ctx: Context) -> Changed:
            record = record_of(self.commands, invoice.record_kind, invoice.record_id)
            invoice.pay(ctx, payment, self.policy)
            SOURCES[invoice.record_kind].paid(record, ctx, invoice, payment)
            return (record,)

        return self._change(request, invoice_id, pay)

    def recover(self, request: CommandRequest, invoice_id: UUID, received: MoneyReceived) -> Outcome:
        """Money asked back, received, and its record's account of it (a grant's award reduced, its money freed in
        the programme's budget), saved together (409 if another change moved them)."""

        def recover(invoice: Invoice, ctx: Context) -> Changed:
            record = record_of(self.commands, invoice.record_kind, invoice.record_id)
            invoice.recover(ctx, received)
            return RECOVERIES[invoice.record_kind].recovered(self.commands, record, ctx, invoice)

        return self._change(request, invoice_id, recover)

    def flag_late(self, request: CommandRequest, invoice_id: UUID) -> Outcome:
        return self._act(request, invoice_id, lambda i, ctx: i.flag_late(ctx), FLAG_LATE)
