"""The usage area's part of the root Query and Mutation."""

from __future__ import annotations

import strawberry

from api.usage.mutations.record_usage import record_usage
from api.usage.mutations.set_seats import set_seats
from api.usage.mutations.set_storage import set_storage
from api.usage.queries import usage_logs


@strawberry.type
class UsageQuery:
    usage_logs = strawberry.field(resolver=usage_logs)


@strawberry.type
class UsageMutation:
    record_usage = strawberry.mutation(resolver=record_usage)
    set_seats = strawberry.mutation(resolver=set_seats)
    set_storage = strawberry.mutation(resolver=set_storage)
