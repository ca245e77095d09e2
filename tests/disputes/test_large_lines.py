"""Opening a dispute on an invoice line copies the line's events in the database (one
INSERT … SELECT of the drill-down's query), never reading them into Python; the evidence
explains its events in slices that fold on from one another, the same file as in one piece."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest

import services.disputes.evidence
import storage.disputes.reads
from api.ids import decode_id, decode_int_id
from domain.access import Caller, Role
from domain.disputes.dispute import DisputeReason
from domain.disputes.errors import EventsAlreadyDisputedError
from domain.disputes.evidence import EvidenceFormat
from services.disputes.evidence import dispute_evidence
from services.disputes.open import OpenDisputeRequest, open_dispute
from storage.database import connection
from tests.disputes.conftest import Disputed, counts
from tests.sql_counter import SqlCounter


def _tenant(disputed: Disputed) -> Caller:
    return Caller(Role.TENANT, tenant_id=decode_id(disputed.world.a.tenant_id, "Tenant"))


def _on_line(disputed: Disputed) -> OpenDisputeRequest:
    line_id = decode_int_id(disputed.line, "InvoiceLine")
    assert line_id is not None
    return OpenDisputeRequest(line_id, None, DisputeReason.WRONG_RATE, None, Decimal("0.10"))


async def test_opening_on_a_line_reads_none_of_its_events(
    disputed: Disputed, sql: SqlCounter
) -> None:
    before = await counts()
    sql.reset()
    dispute = await open_dispute(_tenant(disputed), _on_line(disputed))

    touching = [s for s in sql.statements if "usage_events" in s]
    # The taken ones looked up through a subquery, then the copy: no SELECT of the events.
    assert len(touching) == 2, touching
    assert "IN (SELECT" in touching[0] and touching[0].lstrip().startswith("SELECT")
    assert touching[1].startswith("INSERT INTO dispute_events")
    assert (await counts())["dispute_events"] == before["dispute_events"] + 2
    rows = await connection().execute_query_dict(
        "SELECT e.idempotency_key AS k FROM dispute_events d JOIN usage_events e "
        f"ON e.id = d.usage_event_id WHERE d.dispute_id = '{dispute.id}' ORDER BY e.id"
    )
    tenant = disputed.world.a.tenant_id
    assert [r["k"] for r in rows] == [f"{tenant}-n1", f"{tenant}-n2"]  # November's, not December's


async def test_a_line_already_disputed_is_refused_naming_the_dispute(disputed: Disputed) -> None:
    first = await open_dispute(_tenant(disputed), _on_line(disputed))
    before = await counts()

    with pytest.raises(EventsAlreadyDisputedError) as refused:
        await open_dispute(_tenant(disputed), _on_line(disputed))

    assert refused.value.dispute_id == first.id
    assert len(refused.value.event_ids) == 2
    assert await counts() == before


async def test_the_evidence_in_slices_of_one_is_the_same_file(
    disputed: Disputed, monkeypatch: pytest.MonkeyPatch
) -> None:
    dispute = await open_dispute(_tenant(disputed), _on_line(disputed))
    whole = await dispute_evidence(_tenant(disputed), dispute.id, EvidenceFormat.JSON)

    monkeypatch.setattr(services.disputes.evidence, "ID_CHUNK", 1)
    sliced = await dispute_evidence(_tenant(disputed), dispute.id, EvidenceFormat.JSON)

    assert sliced.content == whole.content and sliced.event_count == 2
    assert '"sentence"' in sliced.content


async def test_a_line_opened_concurrently_meets_the_index_and_names_the_winner(
    disputed: Disputed, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The look-up under the lock misses what a concurrent opening took (as if it committed just
    after): the partial unique index refuses the copy, and once rolled back the refusal names
    the opening that won and its events."""
    first = await open_dispute(_tenant(disputed), _on_line(disputed))
    before = await counts()
    looked_up = storage.disputes.reads.open_disputes_of_line
    calls: list[int] = []

    async def missing_it_once(*args: Any) -> dict[int, UUID]:
        calls.append(1)
        return {} if len(calls) == 1 else await looked_up(*args)

    monkeypatch.setattr(storage.disputes.reads, "open_disputes_of_line", missing_it_once)
    with pytest.raises(EventsAlreadyDisputedError) as refused:
        await open_dispute(_tenant(disputed), _on_line(disputed))

    assert len(calls) == 2
    assert refused.value.dispute_id == first.id and len(refused.value.event_ids) == 2
    assert await counts() == before
