"""Gauge histories (seats, storage MB) and the levels they put in force at an instant.

The changes of one (source, meter) form a chain of spans: each row holds its level from
``effective_us`` until the next row's ``effective_us`` (``until_us``), and the last row's
``until_us`` is null. The hourly accrual weights levels by these spans, so every write here keeps
the chain whole. Writers hold the tenant's lock (storage.locks.lock_tenants) for the whole
transaction: two changes of one source never interleave, and accrual never reads half a change.
"""

from __future__ import annotations

from collections.abc import Collection
from uuid import UUID

from tortoise.expressions import Q

from domain.meters import STORAGE, USER_SEAT
from storage.database import connection, is_postgres
from storage.ids import as_uuid
from storage.models import GaugeChange
from storage.sql import Params, any_of, id_value, row_chunks


async def insert_change(
    tenant_id: UUID,
    source_id: UUID,
    meter: str,
    level_micros: int,
    effective_us: int,
    created_by_key_id: UUID | None,
) -> None:
    """Records ``level_micros`` from ``effective_us`` on, keeping the chain of spans whole.

    A change at an instant that already has one replaces its level. Otherwise the span that
    contained the instant now ends there, and the new one lasts until the next change (or is
    open when there is none). The caller holds the tenant's lock.
    """
    changes = GaugeChange.filter(source_id=source_id, meter_id=meter)
    replaced = await changes.filter(effective_us=effective_us).update(
        level_micros=level_micros, created_by_key_id=created_by_key_id
    )
    if replaced:
        return
    following = await changes.filter(effective_us__gt=effective_us).order_by("effective_us").first()
    await (
        changes.filter(effective_us__lt=effective_us)
        .filter(Q(until_us__isnull=True) | Q(until_us__gt=effective_us))
        .update(until_us=effective_us)
    )
    await GaugeChange.create(
        tenant_id=tenant_id,
        source_id=source_id,
        meter_id=meter,
        level_micros=level_micros,
        effective_us=effective_us,
        until_us=None if following is None else following.effective_us,
        created_by_key_id=created_by_key_id,
    )


async def levels_in_force(source_ids: Collection[UUID], at_us: int) -> dict[tuple[UUID, str], int]:
    """The level of each (source, gauge) in force at ``at_us``, in micro-units: that of the one
    span of its chain containing the instant. A gauge with no such span is left out (level 0)."""
    if not source_ids:
        return {}
    postgres = is_postgres()
    ids = [(id_value(source_id, postgres),) for source_id in set(source_ids)]
    levels: dict[tuple[UUID, str], int] = {}
    for chunk in row_chunks(ids, postgres):
        params = Params(postgres)
        # Added in the order they appear: SQLite's placeholders are positional. The meters
        # complete the (source_id, meter_id, effective_us) index's prefix.
        sources = any_of(params, [source_id for (source_id,) in chunk], "uuid")
        meters = any_of(params, [USER_SEAT, STORAGE], "text")
        started = params.add(at_us, "bigint")
        not_ended = params.add(at_us, "bigint")
        rows = await connection().execute_query_dict(
            "SELECT source_id, meter_id, level_micros FROM gauge_changes "
            f"WHERE source_id {sources} AND meter_id {meters} AND effective_us <= {started} "
            f"AND (until_us IS NULL OR until_us > {not_ended})",
            params.values,
        )
        for row in rows:
            levels[(as_uuid(row["source_id"]), str(row["meter_id"]))] = int(row["level_micros"])
    return levels
