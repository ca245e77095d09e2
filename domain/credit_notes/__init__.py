"""Credit notes: the correction of a finalized invoice, with the money it gives back (issue 14)."""

from domain.credit_notes.note import (
    CreditNote,
    CreditNoteLine,
    CreditRequest,
    RefundState,
    Settlement,
)
from domain.credit_notes.rules import (
    CreditExceedsRemainingError,
    CreditPlan,
    InvoiceNotCreditableError,
    InvoicePaymentInProgressError,
    plan_credit,
)

__all__ = [
    "CreditExceedsRemainingError",
    "CreditNote",
    "CreditNoteLine",
    "CreditPlan",
    "CreditRequest",
    "InvoiceNotCreditableError",
    "InvoicePaymentInProgressError",
    "RefundState",
    "Settlement",
    "plan_credit",
]
