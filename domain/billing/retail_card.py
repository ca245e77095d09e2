"""Which retail card applies to a source.

Two questions with two answers: the card *in force* (what the source is shown and may read) is
its own, else its tenant's default, whether or not it is rebilled; the card it is *charged on*
is that card only while both the tenant and the source have rebilling on.
"""

from __future__ import annotations

from typing import Protocol
from uuid import UUID

from domain.tenancy import Tenant


class RetailCardHolder(Protocol):
    """What the rules read of a source: a domain Source, or the accrual's slimmer row."""

    @property
    def rate_card_id(self) -> UUID | None: ...

    @property
    def rebilling_enabled(self) -> bool: ...


def retail_card_in_force(source: RetailCardHolder, tenant: Tenant) -> UUID | None:
    """The source's own card, else the tenant's default; None when neither is set."""
    return source.rate_card_id or tenant.default_rate_card_id


def is_rebilled(source: RetailCardHolder, tenant: Tenant) -> bool:
    """Retail charges exist only while the tenant and the source both have rebilling on."""
    return tenant.rebilling_enabled and source.rebilling_enabled


def charged_retail_card(source: RetailCardHolder, tenant: Tenant) -> UUID | None:
    """The card the source's usage is rated on at retail; None (no retail charge) while it is
    not rebilled."""
    if not is_rebilled(source, tenant):
        return None
    return retail_card_in_force(source, tenant)
