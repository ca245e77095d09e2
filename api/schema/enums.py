"""The contract's enums are the domain's, registered with Strawberry so names never drift."""

from __future__ import annotations

import strawberry

from domain.access import Role
from domain.meters import MeterKind
from domain.rate_card import RateCardKind, Settlement
from domain.tenancy import BillingMode, InvoiceApproval, SourceStatus
from domain.tenancy import StripeStatus as StripeAccountStatus

for enum_type, name in (
    (Role, "Role"),
    (StripeAccountStatus, "StripeAccountStatus"),
    (InvoiceApproval, "InvoiceApproval"),
    (SourceStatus, "SourceStatus"),
    (BillingMode, "BillingMode"),
    (MeterKind, "MeterKind"),
    (RateCardKind, "RateCardKind"),
    (Settlement, "Settlement"),
):
    strawberry.enum(enum_type, name=name)

__all__ = [
    "BillingMode",
    "InvoiceApproval",
    "MeterKind",
    "RateCardKind",
    "Role",
    "Settlement",
    "SourceStatus",
    "StripeAccountStatus",
]
