"""Money asked back from a grant's recipient, raised as a payment record in the other direction (a recovery) beside
the grant's own decision (a clawback, an underspend returned), in the decision's transaction: the payee sees it, and
why, at once. It is settled through the payment record (`Invoices.recover`), the grant's account following from it.
"""

from __future__ import annotations

from decimal import Decimal

from domain.base import Context
from domain.grants.grant import Grant
from domain.payments.invoice import Invoice, invoice_uuid
from domain.payments.terms import PaymentPolicy, RecoveryAsked
from marketplace.payments.sources import GRANTS


def next_recovery(grant: Grant, cause: str, amount: Decimal, reason: str) -> tuple[RecoveryAsked, str]:
    """The grant's next recovery, numbered in turn on it (`clawback-1`, `underspend-2`), and the id its payment
    record will have (the grant's decision names it)."""
    number = f"{cause.split(maxsplit=1)[0]}-{len(grant.recoveries) + 1}"
    asked = RecoveryAsked(number, f"Grant {grant.title}: {cause}", amount, reason)
    return asked, str(invoice_uuid(str(grant.id), grant.recipient, number))


def raise_recovery(ctx: Context, grant: Grant, asked: RecoveryAsked, policy: PaymentPolicy) -> Invoice:
    """The recovery's payment record, against the grant, from its funder to its recipient."""
    return Invoice.ask_back(ctx, GRANTS.payee(grant), asked, policy)
