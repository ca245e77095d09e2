"""Credit note numbers: "CN-" before the tenant's invoice number style, on a sequence of their own.

"CN-INV-000007" reads as a credit note of the tenant that numbers invoices "INV-000042", and can
never equal an invoice's number. The counter is the tenant's credit_note_sequence, moved by the
issuing transaction itself, so a rollback gives the number back (gapless, like invoices').
"""

from __future__ import annotations

from domain.invoicing.numbering import invoice_number

CREDIT_NOTE_PREFIX = "CN-"


def credit_note_number(invoice_prefix: str, sequence: int) -> str:
    return CREDIT_NOTE_PREFIX + invoice_number(invoice_prefix, sequence)
