"""Payments' aggregate: invoices against contracts (marketplace/capability.py)."""

from __future__ import annotations

from domain.payments.invoice import Invoice
from domain.payments.terms import InvoiceLine, InvoiceTerms, Receipt
from marketplace.capability import Deadline, Declaration, Letter
from marketplace.payments.deadlines import flag_late_invoices
from marketplace.payments.services import Invoices
from projections.payments.invoices import InvoiceViews, invoices

DECLARATIONS = (
    Declaration(
        "invoice",
        Invoice,
        values=(Receipt, InvoiceTerms, InvoiceLine),
        views=(InvoiceViews,),
        service=Invoices,
        deadlines=(Deadline("late invoices flagged", flag_late_invoices),),
        letters=(
            Letter(
                "invoice.disputed",
                invoices.c.supplier,
                invoices.c.id,
                "/invoices/{id}",
                "the Procurement Act 2023 (s.68) wants a supplier told without undue delay that its invoice is "
                "disputed, and why: correct it and submit it again",
            ),
        ),
    ),
)
