"""Whose wallet pays each side of a charge: settlement × billing mode × rebilling.

A wallet pays only a line settled in WALLET. The wholesale side is the tenant's debt to the
platform, so the tenant's wallet pays it. The retail side is the source's debt to the tenant: a
prepaid source's own wallet pays it; a postpaid source's is invoiced, so no wallet does; and a
source that is not rebilled has no retail charge at all.
"""

from __future__ import annotations

from enum import StrEnum

from domain.rate_card import Settlement
from domain.tenancy import BillingMode


class Side(StrEnum):
    """Which side of a charge: stored as such (flat_fees.settlement_side)."""

    WHOLESALE = "WHOLESALE"
    RETAIL = "RETAIL"


class Payer(StrEnum):
    TENANT = "TENANT"
    SOURCE = "SOURCE"


def source_pays_retail(billing_mode: BillingMode, rebilled: bool) -> bool:
    """Whether the source's wallet pays its retail charges on WALLET lines: the part of
    `wallet_payer` fixed per source, which a batch resolves once per source."""
    return rebilled and billing_mode is BillingMode.PREPAID_WALLET


def wallet_payer(
    side: Side, settlement: Settlement | None, billing_mode: BillingMode, rebilled: bool
) -> Payer | None:
    """Whose wallet a charge comes out of; None when no wallet pays it (settled outside Rebill,
    invoiced, unrated: ``settlement`` is None for a side no line rated)."""
    if settlement is not Settlement.WALLET:
        return None
    if side is Side.WHOLESALE:
        return Payer.TENANT
    return Payer.SOURCE if source_pays_retail(billing_mode, rebilled) else None
