"""What a credit note changes of an unpaid postpaid invoice: its amount due."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from tortoise.expressions import F

from domain.invoicing.invoice import InvoiceStatus, PaymentState
from storage.models import Invoice as InvoiceRow


async def reduce_amount_due(invoice_id: UUID, micros: int, at: datetime) -> bool:
    """The FINALIZED invoice's amount due less ``micros`` (never below zero; the rules checked
    it). Once nothing is due, there is nothing to collect: a collection not started yet finds
    its payment no longer PENDING and asks Stripe nothing."""
    reduced = await InvoiceRow.filter(
        id=invoice_id, status=InvoiceStatus.FINALIZED, amount_due_micros__gte=micros
    ).update(amount_due_micros=F("amount_due_micros") - micros, updated_at=at)
    if not reduced:
        return False
    await InvoiceRow.filter(
        id=invoice_id, amount_due_micros=0, payment_state=PaymentState.PENDING
    ).update(payment_state=PaymentState.NONE)
    return True
