"""An invoice and its lines as stored: integer micro-units, one row per line."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from domain.periods import BillingPeriod
from domain.tenancy import BillingMode


class InvoiceStatus(StrEnum):
    DRAFT = "DRAFT"
    FINALIZED = "FINALIZED"
    PAID = "PAID"
    VOID = "VOID"


class InvoiceLineKind(StrEnum):
    USAGE = "USAGE"
    ACCRUAL = "ACCRUAL"
    FLAT_FEE = "FLAT_FEE"
    LATE_USAGE = "LATE_USAGE"
    ADJUSTMENT = "ADJUSTMENT"


class PaymentState(StrEnum):
    """Where the collection of a postpaid invoice stands (none for prepaid ones)."""

    NONE = "NONE"
    PENDING = "PENDING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"


@dataclass(frozen=True, slots=True)
class InvoiceLine:
    id: int
    invoice_id: UUID
    position: int
    kind: InvoiceLineKind
    description: str
    meter: str | None
    # The rate line (of one card version) that priced it; None for adjustments.
    rate_line_id: int | None
    quantity_micros: int
    amount_micros: int
    wholesale_micros: int


@dataclass(frozen=True, slots=True)
class Invoice:
    id: UUID
    tenant_id: UUID
    source_id: UUID
    period: BillingPeriod
    status: InvoiceStatus
    currency: str
    billing_mode: BillingMode
    number: str | None
    subtotal_micros: int
    total_micros: int
    paid_from_wallet_micros: int
    amount_due_micros: int
    # amount due minus the exact amount it rounds: what rounding to the minor unit added.
    rounding_micros: int
    wholesale_micros: int
    created_at: datetime
    issued_at: datetime | None = None
    due_at: datetime | None = None
    finalized_at: datetime | None = None
    sent_at: datetime | None = None
    paid_at: datetime | None = None
    voided_at: datetime | None = None
    replaces_id: UUID | None = None
    replaced_by_id: UUID | None = None
    payment_state: PaymentState = PaymentState.NONE
    payment_failure_code: str | None = None
    payment_failure_message: str | None = None

    @property
    def margin_micros(self) -> int:
        return self.total_micros - self.wholesale_micros

    @property
    def is_frozen(self) -> bool:
        """Finalized, paid or void: its lines and amounts never change again."""
        return self.status is not InvoiceStatus.DRAFT


@dataclass(frozen=True, slots=True)
class AccruedHourCharge:
    """One hour an ACCRUAL line sums: the gauge's accrued quantity and its retail charge."""

    id: int
    hour: datetime
    meter: str
    quantity_micros: int
    amount_micros: int
    wholesale_micros: int

    @property
    def created_at(self) -> datetime:
        """Where a page of hours resumes (hour, id), as every connection's cursor reads it."""
        return self.hour
