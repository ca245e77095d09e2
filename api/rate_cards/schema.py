"""The rate cards area's part of the root Query and Mutation."""

from __future__ import annotations

import strawberry

from api.rate_cards.mutations.create_rate_card import create_rate_card
from api.rate_cards.mutations.set_rates import set_rates
from api.rate_cards.queries import meters, rate_card


@strawberry.type
class RateCardsQuery:
    meters = strawberry.field(resolver=meters)
    rate_card = strawberry.field(resolver=rate_card)


@strawberry.type
class RateCardsMutation:
    create_rate_card = strawberry.mutation(resolver=create_rate_card)
    set_rates = strawberry.mutation(resolver=set_rates)
