"""The disputes area's enums are the domain's, registered under their GraphQL names."""

from __future__ import annotations

import strawberry

from domain.disputes.dispute import DisputeOutcome, DisputeReason, DisputeStatus, TimelineAction
from domain.disputes.evidence import EvidenceFormat

strawberry.enum(DisputeStatus, name="DisputeStatus")
strawberry.enum(DisputeReason, name="DisputeReason")
strawberry.enum(DisputeOutcome, name="DisputeOutcome")
strawberry.enum(TimelineAction, name="DisputeTimelineAction")
strawberry.enum(EvidenceFormat, name="DisputeEvidenceFormat")

__all__ = ["DisputeOutcome", "DisputeReason", "DisputeStatus", "EvidenceFormat", "TimelineAction"]
