"""The payments area's part of the root Mutation."""

from __future__ import annotations

import strawberry

from api.payments.mutations.connect_stripe_account import connect_stripe_account


@strawberry.type
class PaymentsMutation:
    connect_stripe_account = strawberry.mutation(resolver=connect_stripe_account)
