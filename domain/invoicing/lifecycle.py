"""The invoice lifecycle: DRAFT → FINALIZED → PAID or VOID (DESIGN.md §1.6).

A DRAFT is rebuilt from the current events whenever its period is closed again, and finalized by
an operator (approval MANUAL) or once the grace period after the period's end has passed
(AUTOMATIC). Finalizing numbers and freezes it. A FINALIZED invoice is paid (by Stripe's webhook
or by ``markInvoicePaid``) or voided; a correction is VOID plus a replacement DRAFT.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from domain.errors import DomainError
from domain.invoicing.invoice import Invoice, InvoiceStatus
from domain.tenancy import InvoiceApproval, InvoiceSettings


class InvoiceAction(StrEnum):
    FINALIZE = "finalize"
    SEND = "send"
    VOID = "void"
    MARK_PAID = "mark paid"


# Which statuses each action may start from.
_ALLOWED: dict[InvoiceAction, frozenset[InvoiceStatus]] = {
    InvoiceAction.FINALIZE: frozenset({InvoiceStatus.DRAFT}),
    InvoiceAction.SEND: frozenset({InvoiceStatus.FINALIZED, InvoiceStatus.PAID}),
    InvoiceAction.VOID: frozenset({InvoiceStatus.FINALIZED}),
    InvoiceAction.MARK_PAID: frozenset({InvoiceStatus.FINALIZED}),
}


class InvoiceNotEditableError(DomainError):
    """The action cannot be taken from the invoice's status; nothing was written."""

    def __init__(self, action: InvoiceAction, status: InvoiceStatus) -> None:
        super().__init__(_refusal(action, status))
        self.action = action
        self.status = status


def _refusal(action: InvoiceAction, status: InvoiceStatus) -> str:
    allowed = " or ".join(sorted(_ALLOWED[action]))
    return f"A {status} invoice cannot be {_past(action)}; only a {allowed} one can."


def _past(action: InvoiceAction) -> str:
    return {
        InvoiceAction.FINALIZE: "finalized",
        InvoiceAction.SEND: "sent",
        InvoiceAction.VOID: "voided",
        InvoiceAction.MARK_PAID: "marked paid",
    }[action]


def check_action(invoice: Invoice, action: InvoiceAction) -> None:
    """Raises InvoiceNotEditableError unless ``action`` may be taken on the invoice now."""
    if invoice.status not in _ALLOWED[action]:
        raise InvoiceNotEditableError(action, invoice.status)


def finalizes_automatically(settings: InvoiceSettings, period_end: datetime, now: datetime) -> bool:
    """An AUTOMATIC tenant's DRAFT is finalized once the grace period after its period passed."""
    if settings.approval is not InvoiceApproval.AUTOMATIC:
        return False
    return now >= grace_ends(settings, period_end)


def grace_ends(settings: InvoiceSettings, period_end: datetime) -> datetime:
    return period_end + timedelta(hours=settings.grace_period_hours)


def due_at(settings: InvoiceSettings, issued_at: datetime) -> datetime:
    """When a finalized invoice is due: its payment terms after it was issued."""
    return issued_at + timedelta(days=settings.payment_terms_days)
