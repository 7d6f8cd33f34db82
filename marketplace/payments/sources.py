"""What payment requests are against: a contract (a supplier's invoice) or a grant (an instalment, or a recovery of
money paid under it). Each source says who is paid under its record, as the record stands, and records on it what is
paid, in the payment's own transaction, by the record's own rules (a contract never paid past its value; a grant's
instalment once, after its conditions, within its award). A grant also records what is recovered: the money back
comes off its award and is freed in its programme's budget, in the recovery's own transaction."""

from __future__ import annotations

from datetime import date
from typing import Protocol
from uuid import UUID

from domain.base import Context, MarketplaceAggregate
from domain.grants.grant import Grant
from domain.grants.programme import GrantProgramme
from domain.grants.terms import Payment
from domain.payments.invoice import Invoice
from domain.payments.terms import MoneyReceived, Payee, PaymentMade
from domain.tendering.contract import Contract
from marketplace.commands import CommandRunner

SME_SIZES = frozenset({"micro", "small", "medium"})


class Source(Protocol):
    @property
    def kind(self) -> type[MarketplaceAggregate]: ...

    def payee(self, record: MarketplaceAggregate) -> Payee: ...

    def paid(self, record: MarketplaceAggregate, ctx: Context, invoice: Invoice, payment: PaymentMade) -> None: ...


class ContractSource:
    kind = Contract

    def payee(self, record: MarketplaceAggregate) -> Payee:
        assert isinstance(record, Contract)
        supplier = record.supplier
        return Payee(
            "contract",
            str(record.id),
            record.buyer,
            supplier.identifier,
            supplier.name,
            supplier.size in SME_SIZES or supplier.vcse,
            record.start,
            record.ended_on or record.end,
            dict(record.outcomes or {}),
        )

    def paid(self, record: MarketplaceAggregate, ctx: Context, invoice: Invoice, payment: PaymentMade) -> None:
        assert isinstance(record, Contract)
        record.record_payment(ctx, str(invoice.id), payment.amount, payment.paid_on)


class GrantSource:
    kind = Grant

    def payee(self, record: MarketplaceAggregate) -> Payee:
        """A grant's recipient (VCSE: the sooner target applies), paid at any time of the grant, no interest."""
        assert isinstance(record, Grant)
        return Payee(
            "grant",
            str(record.id),
            record.funder,
            record.recipient,
            record.recipient_name,
            True,
            record.award_date,
            date.max,
            commercial=False,
            raisers=frozenset({record.funder}),
        )

    def paid(self, record: MarketplaceAggregate, ctx: Context, invoice: Invoice, payment: PaymentMade) -> None:
        assert isinstance(record, Grant)
        record.pay(ctx, Payment(invoice.number, payment.amount, payment.paid_on, payment.reference))

    def recovered(
        self, commands: CommandRunner, record: MarketplaceAggregate, ctx: Context, invoice: Invoice
    ) -> tuple[MarketplaceAggregate, ...]:
        """A recovery received: reclaimed on the grant, off its award, and freed in its programme's budget."""
        assert isinstance(record, Grant) and invoice.recovery is not None
        back, recovery = invoice.recovery, str(invoice.id)
        released = record.recover(ctx, recovery, MoneyReceived(back.amount, back.received_on, back.reference))
        programme = commands.load(GrantProgramme, UUID(record.programme_id))
        programme.release(ctx, record.application_id, released, record.recoveries[recovery]["cause"])
        return (record, programme)


class Recovers(Protocol):
    """A source whose record money may be recovered under: it records what comes back."""

    def recovered(
        self, commands: CommandRunner, record: MarketplaceAggregate, ctx: Context, invoice: Invoice
    ) -> tuple[MarketplaceAggregate, ...]: ...


GRANTS = GrantSource()
SOURCES: dict[str, Source] = {"contract": ContractSource(), "grant": GRANTS}
RECOVERIES: dict[str, Recovers] = {"grant": GRANTS}  # recoveries are raised against grants (marketplace/grants)


def record_of(commands: CommandRunner, kind: str, record_id: str | UUID) -> MarketplaceAggregate:
    """The record a payment request is against, as it stands."""
    return commands.load(SOURCES[kind].kind, UUID(str(record_id)), label=str(record_id))
