"""Payments' aggregate: invoices against contracts (marketplace/capability.py)."""

from __future__ import annotations

from domain.payments.invoice import Invoice
from domain.payments.terms import InvoiceLine, InvoiceTerms, Receipt
from marketplace.capability import Deadline, Declaration
from marketplace.payments.deadlines import flag_late_invoices
from marketplace.payments.services import Invoices
from projections.payments.invoices import InvoiceViews

DECLARATIONS = (
    Declaration(
        "invoice",
        Invoice,
        values=(Receipt, InvoiceTerms, InvoiceLine),
        views=(InvoiceViews,),
        service=Invoices,
        deadlines=(Deadline("late invoices flagged", flag_late_invoices),),
    ),
)
