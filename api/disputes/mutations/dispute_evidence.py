from __future__ import annotations

from typing import Annotated

import strawberry

from api.context import Info
from api.disputes.enums import EvidenceFormat
from api.disputes.types import DisputeEvidence
from api.errors import run
from api.ids import decode_optional_id
from api.schema.errors import NotFound
from services.disputes.evidence import dispute_evidence as evidence


@strawberry.input
class DisputeEvidenceInput:
    dispute_id: strawberry.ID
    format: EvidenceFormat


DisputeEvidenceResult = Annotated[
    DisputeEvidence | NotFound, strawberry.union("DisputeEvidenceResult")
]


async def dispute_evidence(info: Info, input: DisputeEvidenceInput) -> DisputeEvidenceResult:
    """A mutation, as exportInvoices: the export is recorded in the dispute's timeline."""
    dispute_id = decode_optional_id(input.dispute_id, "Dispute")
    return await run(evidence(info.context.caller, dispute_id, input.format), DisputeEvidence.of)
