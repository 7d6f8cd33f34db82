"""Who may do what with invoices: the supplier sends and corrects its own; the paying council's officers verify
outcomes, validate or dispute, approve (never the validator: four eyes) and pay; the clock flags the late. An
invoice is read by its supplier and the council's readers, nobody else, on every path."""

from __future__ import annotations

from domain.base import Actor, Role
from marketplace.access import OFFICERS, PROVIDERS, THE_CLOCK, OwnRecord, Permit, reads_for_the_council

SEND_INVOICE = Permit("send or correct an invoice", PROVIDERS)
CLAIM_INSTALMENT = Permit("ask for a grant's instalment", PROVIDERS | OFFICERS)  # its recipient, or its funder
HANDLE_INVOICE = Permit("validate, dispute, approve or pay an invoice", OFFICERS)
FLAG_LATE = Permit("flag an invoice late", THE_CLOCK)
SUPPLIER_ONLY = OwnRecord("supplier", "Only the invoice's supplier corrects it.", rule="Supplier")
PAYER_ONLY = OwnRecord("buyer", "Only {owner} handles this invoice.", rule="Payer")
PAYEE_ONLY = {  # a provider asks to be paid under its own record only: checked before anything about the record is said
    "contract": OwnRecord("supplier", "Only the contract's supplier invoices under it.", rule="Supplier"),
    "grant": OwnRecord("supplier", "Only the grant's recipient claims its instalments.", rule="Recipient"),
}


def may_read_invoice(reader: Actor | None, supplier: str, buyer: str) -> bool:
    if reader is None:
        return False
    if reads_for_the_council(reader):
        return reader.role == Role.AUDITOR or reader.organisation == buyer
    return reader.organisation == supplier
