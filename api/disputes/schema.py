"""The disputes area's part of the root Query and Mutation."""

from __future__ import annotations

import strawberry

from api.disputes.mutations.comment_on_dispute import comment_on_dispute
from api.disputes.mutations.dispute_evidence import dispute_evidence
from api.disputes.mutations.open_dispute import open_dispute
from api.disputes.mutations.resolve_dispute import resolve_dispute
from api.disputes.mutations.start_dispute_review import start_dispute_review
from api.disputes.queries import dispute, disputes


@strawberry.type
class DisputesQuery:
    dispute = strawberry.field(resolver=dispute)
    disputes = strawberry.field(resolver=disputes)


@strawberry.type
class DisputesMutation:
    open_dispute = strawberry.mutation(resolver=open_dispute)
    start_dispute_review = strawberry.mutation(resolver=start_dispute_review)
    comment_on_dispute = strawberry.mutation(resolver=comment_on_dispute)
    resolve_dispute = strawberry.mutation(resolver=resolve_dispute)
    dispute_evidence = strawberry.mutation(resolver=dispute_evidence)
