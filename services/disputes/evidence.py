"""disputeEvidence: the file a partner attaches when settling (domain.disputes.evidence).

Both sides may export it. Each disputed event comes with the explanation of its charge from
services.explanations (the retail side, the one the client paid; a tenant's file also carries
the wholesale figures in JSON), explained in slices of ids that fold on from one another. The
export is recorded in the dispute's timeline (EVIDENCE_EXPORTED): who pulled the evidence, and
when, is part of the audit.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from domain.access import Caller, Role
from domain.disputes.dispute import TimelineAction
from domain.disputes.evidence import EvidenceFile, EvidenceFormat, Explained, evidence_file
from domain.explanations.explanation import UsageExplanation
from services import clock
from services.disputes.access import visible_dispute
from services.explanations import explain_in_id_slices
from services.money_movement import MoneyMovement
from storage.disputes import writes
from storage.disputes.evidence import evidence_events
from storage.disputes.reads import ID_CHUNK


async def dispute_evidence(
    caller: Caller, dispute_id: UUID | None, fmt: EvidenceFormat
) -> EvidenceFile:
    caller.require_role(Role.PLATFORM, Role.TENANT, Role.SOURCE)
    dispute = await visible_dispute(caller, dispute_id)
    events = await evidence_events(dispute.tenant_id, dispute.currency, dispute.id)
    with_figures = fmt is EvidenceFormat.JSON  # the CSV has the sentence only
    explanations: dict[int, Explained] = {}
    # In slices of ids, each folding on from where the one before left the line (no statement
    # binds more ids than a driver takes), and each slice's explanations reduced at once to
    # what the file says: only the sentences and figures are kept, not the replayed states.
    async for explained in explain_in_id_slices(caller, [event.id for event in events], ID_CHUNK):
        for event_id, explanation in explained.items():
            explanations[event_id] = _explained(caller, explanation, with_figures)
    file = evidence_file(fmt, dispute.id, events, explanations)
    async with MoneyMovement([dispute.tenant_id]):
        await writes.append_timeline(
            dispute.tenant_id,
            dispute.id,
            TimelineAction.EVIDENCE_EXPORTED,
            caller,
            clock.utc_now(),
            f"{fmt.value}, {file.event_count} events",
        )
    return file


def _explained(caller: Caller, explanation: UsageExplanation, with_figures: bool) -> Explained:
    retail = explanation.retail
    sentence = None if retail is None else retail.sentence
    if not with_figures:
        return Explained(sentence, None)
    figures: dict[str, Any] = {"retail": None if retail is None else retail.to_json()}
    if caller.sees_wholesale and explanation.wholesale is not None:
        figures["wholesale"] = explanation.wholesale.to_json()
    return Explained(sentence, figures)
