"""The invoices area's enums are the domain's, registered with Strawberry under the contract's
names (PaymentStatus is beyond the contract: where a postpaid invoice's collection stands)."""

from __future__ import annotations

import strawberry

from domain.invoicing.invoice import InvoiceLineKind, InvoiceStatus, PaymentState

strawberry.enum(InvoiceStatus, name="InvoiceStatus")
strawberry.enum(InvoiceLineKind, name="InvoiceLineKind")
strawberry.enum(PaymentState, name="PaymentStatus")

__all__ = ["InvoiceLineKind", "InvoiceStatus", "PaymentState"]
