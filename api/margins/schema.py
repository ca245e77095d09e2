"""The margins area's part of the root Query."""

from __future__ import annotations

import strawberry

from api.margins.queries import leakage_report, margin_alerts, margins


@strawberry.type
class MarginsQuery:
    margins = strawberry.field(resolver=margins)
    margin_alerts = strawberry.field(
        resolver=margin_alerts,
        description="The (source, meter) pairs of the current billing period whose margin is "
        "under the tenant's marginFloorPercent.",
    )
    leakage = strawberry.field(
        resolver=leakage_report,
        description="Sources whose usage cost wholesale and earned nothing at retail in the "
        "period: rebilling off, no retail line for the meter, or a line priced at zero.",
    )
