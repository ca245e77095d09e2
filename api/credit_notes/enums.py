"""The credit notes area's enums are the domain's, registered with Strawberry under the names
the schema gives them."""

from __future__ import annotations

import strawberry

from domain.credit_notes.note import RefundState, Settlement

strawberry.enum(
    Settlement,
    name="CreditNoteSettlement",
    description="How the note's money moved: credited to the prepaid wallet, taken off the "
    "unpaid invoice's amount due, refunded through Stripe, or paid back outside Rebill.",
)
strawberry.enum(
    RefundState,
    name="CreditNoteRefundStatus",
    description="Where a STRIPE_REFUND note's refund stands (NONE for the other settlements).",
)

__all__ = ["RefundState", "Settlement"]
