"""What the evidence file says of each disputed event: the event as rated (retail side), its
source's name, its card's name and the wallet transaction that charged it. Four statements
(events, sources, cards, transactions), and one more per 10,000 charging transactions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from tortoise.expressions import Subquery

from domain.disputes.evidence import ChargingTransaction, EvidenceEvent
from storage.disputes.reads import id_chunks
from storage.ids import as_uuid, as_uuid_or_none
from storage.models import DisputeEvent, RateCard, Source, UsageEvent, WalletTransaction


@dataclass(frozen=True, slots=True)
class ChargedEvent:
    """An event's tenant, source and retail charge: what an opening checks."""

    id: int
    tenant_id: UUID
    source_id: UUID
    retail_micros: int
    period_start: datetime


async def charged_events(tenant_id: UUID | None, event_ids: Sequence[int]) -> list[ChargedEvent]:
    """The events among ``event_ids`` (of ``tenant_id`` when given), by id."""
    query = UsageEvent.filter(id__in=list(event_ids))
    if tenant_id is not None:
        query = query.filter(tenant_id=tenant_id)
    rows = await query.order_by("id").values(
        "id", "tenant_id", "source_id", "retail_micros", "period_start"
    )
    return [
        ChargedEvent(
            row["id"],
            as_uuid(row["tenant_id"]),
            as_uuid(row["source_id"]),
            row["retail_micros"],
            row["period_start"],
        )
        for row in rows
    ]


_EVENT_COLUMNS = (
    "id",
    "source_id",
    "meter_id",
    "quantity_micros",
    "occurred_at",
    "recorded_at",
    "idempotency_key",
    "properties",
    "retail_micros",
    "retail_rate_card_id",
    "retail_rate_card_version",
    "retail_rate_line_id",
    "retail_transaction_id",
    "late",
)


async def evidence_events(tenant_id: UUID, currency: str, dispute_id: UUID) -> list[EvidenceEvent]:
    """The dispute's events in the usage log's order (occurred_at, id)."""
    disputed = DisputeEvent.filter(dispute_id=dispute_id).values("usage_event_id")
    rows: list[dict[str, Any]] = (
        await UsageEvent.filter(tenant_id=tenant_id, id__in=Subquery(disputed))
        .order_by("occurred_at", "id")
        .values(*_EVENT_COLUMNS)
    )
    if not rows:
        return []
    source_ids = {as_uuid(r["source_id"]) for r in rows}
    card_ids = {as_uuid(r["retail_rate_card_id"]) for r in rows if r["retail_rate_card_id"]}
    transaction_ids = sorted(
        {r["retail_transaction_id"] for r in rows if r["retail_transaction_id"]}
    )
    names = {
        as_uuid(r["id"]): r["name"]
        for r in await Source.filter(id__in=list(source_ids)).values("id", "name")
    }
    cards = {
        as_uuid(r["id"]): r["name"]
        for r in await RateCard.filter(id__in=list(card_ids)).values("id", "name")
    }
    transactions: dict[int, ChargingTransaction] = {}
    for chunk in id_chunks(transaction_ids):
        for r in await WalletTransaction.filter(id__in=list(chunk)).values(
            "id", "kind", "amount_micros", "occurred_at"
        ):
            transactions[r["id"]] = ChargingTransaction(
                r["id"], str(r["kind"]), r["amount_micros"], r["occurred_at"]
            )
    found = []
    for row in rows:
        card_id = as_uuid_or_none(row["retail_rate_card_id"])
        found.append(
            EvidenceEvent(
                id=row["id"],
                occurred_at=row["occurred_at"],
                recorded_at=row["recorded_at"],
                source_id=as_uuid(row["source_id"]),
                source_name=names.get(as_uuid(row["source_id"]), ""),
                meter=row["meter_id"],
                quantity_micros=row["quantity_micros"],
                properties_json=row["properties"],
                idempotency_key=row["idempotency_key"],
                charged_micros=row["retail_micros"],
                currency=currency,
                rate_card_id=card_id,
                rate_card_name=None if card_id is None else cards.get(card_id),
                rate_card_version=row["retail_rate_card_version"],
                rate_line_id=row["retail_rate_line_id"],
                late=bool(row["late"]),
                transaction=transactions.get(row["retail_transaction_id"]),
            )
        )
    return found
