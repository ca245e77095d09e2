"""What explaining charges reads: the events asked about with what their rating recorded, the
rate lines that rated them (of the versions recorded on the events), and the period states and
flat fees behind invoice lines. One statement each, for any number of events or lines."""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from domain.access import TenantScope
from domain.explanations import PricedLine
from domain.explanations.invoice_line import FlatCharge
from domain.pricing import PRICING_MODELS, LineState
from storage.ids import as_uuid, as_uuid_or_none
from storage.models import FlatFee, UsageEvent
from storage.models import RateLine as LineRow
from storage.scope import within
from storage.usage_ingest import running_totals
from storage.usage_log import MAX_EVENT_ID


@dataclass(frozen=True, slots=True)
class RecordedSide:
    """One side of an event's rating as ingestion recorded it."""

    card_id: UUID | None
    card_version: int | None
    line_id: int | None
    charged_micros: int


@dataclass(frozen=True, slots=True)
class RecordedEvent:
    id: int
    tenant_id: UUID
    source_id: UUID
    period_start: datetime
    currency: str
    wholesale: RecordedSide
    retail: RecordedSide


_SIDE_COLUMNS = ("rate_card_id", "rate_card_version", "rate_line_id", "micros")
_IDS_A_STATEMENT = 10_000


async def recorded_events(
    scope: TenantScope, source_id: UUID | None, event_ids: Collection[int]
) -> dict[int, RecordedEvent]:
    """The scope's events among ``event_ids`` (only ``source_id``'s when given); ids that name
    none of them are left out, exactly like ids of no event."""
    ids = sorted({i for i in event_ids if 0 < i <= MAX_EVENT_ID})
    columns = [f"{side}_{column}" for side in ("wholesale", "retail") for column in _SIDE_COLUMNS]
    found: dict[int, RecordedEvent] = {}
    # In slices: a statement binds at most 32,767 parameters on either backend.
    for start in range(0, len(ids), _IDS_A_STATEMENT):
        query = within(UsageEvent.filter(id__in=ids[start : start + _IDS_A_STATEMENT]), scope)
        if source_id is not None:
            query = query.filter(source_id=source_id)
        rows = await query.values(
            "id", "tenant_id", "source_id", "period_start", *columns, currency="tenant__currency"
        )
        found.update((int(row["id"]), _recorded(row)) for row in rows)
    return found


def _recorded(row: dict[str, Any]) -> RecordedEvent:
    return RecordedEvent(
        id=int(row["id"]),
        tenant_id=as_uuid(row["tenant_id"]),
        source_id=as_uuid(row["source_id"]),
        period_start=instant(row["period_start"]),
        currency=str(row["currency"]),
        wholesale=_side(row, "wholesale"),
        retail=_side(row, "retail"),
    )


def _side(row: dict[str, Any], side: str) -> RecordedSide:
    line = row[f"{side}_rate_line_id"]
    return RecordedSide(
        card_id=as_uuid_or_none(row[f"{side}_rate_card_id"]),
        card_version=row[f"{side}_rate_card_version"],
        line_id=None if line is None else int(line),
        charged_micros=int(row[f"{side}_micros"]),
    )


def instant(value: object) -> datetime:
    """A timestamp as SQLite's text or PostgreSQL's datetime."""
    if isinstance(value, str):
        return datetime.fromisoformat(value)
    assert isinstance(value, datetime)
    return value


async def priced_lines(line_ids: Collection[int]) -> dict[int, PricedLine]:
    """The rate lines by id, each with its card and version (lines never change once their
    version is made). Callers reach line ids through events or invoices they may see."""
    if not line_ids:
        return {}
    rows = await LineRow.filter(id__in=sorted(set(line_ids))).values(
        "id",
        "meter_id",
        "model",
        "params",
        "settlement",
        version="version__version",
        card_id="version__rate_card_id",
        card_name="version__rate_card__name",
    )
    return {int(row["id"]): _priced(row) for row in rows}


def _priced(row: dict[str, Any]) -> PricedLine:
    params = row["params"]
    if isinstance(params, str):  # SQLite may hand JSON back as text through values()
        params = json.loads(params)
    line_id = int(row["id"])
    return PricedLine(
        card_id=as_uuid(row["card_id"]),
        card_name=str(row["card_name"]),
        card_version=int(row["version"]),
        line_id=line_id,
        meter=row["meter_id"],
        settlement=str(row["settlement"]),
        pricing=PRICING_MODELS.parse(str(row["model"]), params, f"rate_lines[{line_id}]"),
    )


PeriodKey = tuple[UUID, int, datetime]  # (source, rate line, period start)


async def period_states(keys: Collection[PeriodKey]) -> dict[PeriodKey, LineState]:
    """The lines' running states as rating left them (one read; keys without one are left out:
    no event or hour came)."""
    return await running_totals(set(keys))


async def retail_flat_fees(keys: Sequence[PeriodKey]) -> dict[PeriodKey, FlatCharge]:
    """The FLAT fees charged to the sources on those lines for those periods (retail side)."""
    if not keys:
        return {}
    wanted = set(keys)
    rows = await FlatFee.filter(
        source_id__in=list({k[0] for k in wanted}),
        rate_line_id__in=sorted({k[1] for k in wanted}),
        period_start__in=sorted({k[2] for k in wanted}),
        settlement_side="RETAIL",
    ).values(
        "source_id", "rate_line_id", "period_start", "amount_micros", "active_hours", "period_hours"
    )
    found: dict[PeriodKey, FlatCharge] = {}
    for row in rows:
        key = (as_uuid(row["source_id"]), int(row["rate_line_id"]), instant(row["period_start"]))
        if key in wanted:
            found[key] = FlatCharge(
                int(row["amount_micros"]), int(row["active_hours"]), int(row["period_hours"])
            )
    return found
