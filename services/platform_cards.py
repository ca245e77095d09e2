"""The platform's default wholesale card, one per currency, made on first need."""

from __future__ import annotations

from datetime import UTC, datetime

from domain.errors import DuplicateKeyError
from domain.rate_card import RateCard, RateCardKind, default_wholesale_lines
from storage import rate_cards
from storage.database import transaction

# Versions of the default card apply to any usage, however old.
BEGINNING = datetime(2000, 1, 1, tzinfo=UTC)


async def default_wholesale_card(currency: str) -> RateCard:
    existing = await rate_cards.platform_default_card(currency)
    if existing is not None:
        return existing
    try:
        async with transaction():
            card = await rate_cards.insert_rate_card(
                tenant_id=None,
                name=f"Platform wholesale ({currency})",
                kind=RateCardKind.WHOLESALE,
                currency=currency,
                default_for_currency=currency,
            )
            await rate_cards.insert_version(card.id, default_wholesale_lines(), BEGINNING)
            return card
    except DuplicateKeyError:
        # Another request created it first: use that one.
        created = await rate_cards.platform_default_card(currency)
        assert created is not None
        return created
