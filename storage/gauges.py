"""Gauge histories (seats, storage MB) and the cached current levels on ``sources``.

The changes of one (source, meter) form a chain of spans: each row holds its level from
``effective_us`` until the next row's ``effective_us`` (``until_us``), and the last row's
``until_us`` is null. The hourly accrual weights levels by these spans, so every write here keeps
the chain whole. Writers hold the tenant's lock (storage.locks.lock_tenants) for the whole
transaction: two changes of one source never interleave, and accrual never reads half a change.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from tortoise.expressions import Q

from domain.accrual import GaugeSpan
from domain.meters import STORAGE, USER_SEAT
from domain.money import MICROS_PER_UNIT
from storage.database import connection, is_postgres
from storage.models import AccruedHour, GaugeChange
from storage.sql import Params, id_value


async def last_accrued_hour(tenant_id: UUID) -> datetime | None:
    """The start of the latest hour the tenant's accrual has recorded; None before the first."""
    row = await AccruedHour.filter(tenant_id=tenant_id).order_by("-hour").first()
    return None if row is None else row.hour


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


async def current_level(source_id: UUID, meter: str, now_us: int) -> int:
    """The level in force at ``now_us``, in micro-units; 0 before the first change."""
    row = (
        await GaugeChange.filter(source_id=source_id, meter_id=meter, effective_us__lte=now_us)
        .order_by("-effective_us")
        .first()
    )
    return 0 if row is None else row.level_micros


async def gauge_history(source_id: UUID, meter: str) -> list[GaugeSpan]:
    """The source's changes of one gauge, oldest first."""
    rows = await GaugeChange.filter(source_id=source_id, meter_id=meter).order_by("effective_us")
    return [GaugeSpan(r.level_micros, r.effective_us, r.until_us) for r in rows]


async def refresh_cached_levels(
    tenant_id: UUID, now_us: int, source_id: UUID | None = None, since_us: int | None = None
) -> int:
    """Brings ``sources.seats`` / ``storage_micro_mb`` to the levels in force at ``now_us``.

    For one source after a change, or for every source of the tenant whose scheduled change has
    come into force since (one statement). Only rows whose cache differs are written. Returns
    how many sources changed.
    """
    postgres = is_postgres()
    params = Params(postgres)

    def level_now(meter: str) -> str:
        return (
            "COALESCE((SELECT g.level_micros FROM gauge_changes g "
            f"WHERE g.source_id = sources.id AND g.meter_id = {params.add(meter)} "
            f"AND g.effective_us <= {params.add(now_us, 'bigint')} "
            "ORDER BY g.effective_us DESC LIMIT 1), 0)"
        )

    # Placeholders are added in the order they appear: SQLite's are positional.
    sql = (
        f"UPDATE sources SET seats = {level_now(USER_SEAT)} / {MICROS_PER_UNIT}, "
        f"storage_micro_mb = {level_now(STORAGE)} "
        f"WHERE tenant_id = {params.add(id_value(tenant_id, postgres), 'uuid')}"
    )
    if source_id is not None:
        sql += f" AND id = {params.add(id_value(source_id, postgres), 'uuid')}"
    if since_us is not None:
        # The hourly run: only sources with a change that came into force since ``since_us``.
        sql += (
            " AND id IN (SELECT c.source_id FROM gauge_changes c WHERE c.tenant_id = "
            f"{params.add(id_value(tenant_id, postgres), 'uuid')} "
            f"AND c.effective_us > {params.add(since_us, 'bigint')} "
            f"AND c.effective_us <= {params.add(now_us, 'bigint')})"
        )
    # Only sources whose level in force now differs from their cache.
    sql += (
        " AND EXISTS (SELECT 1 FROM gauge_changes g WHERE g.source_id = sources.id "
        f"AND g.effective_us <= {params.add(now_us, 'bigint')} "
        f"AND (g.until_us IS NULL OR g.until_us > {params.add(now_us, 'bigint')}) "
        "AND g.level_micros <> CASE g.meter_id "
        f"WHEN {params.add(USER_SEAT)} THEN CAST(sources.seats AS BIGINT) * {MICROS_PER_UNIT} "
        f"WHEN {params.add(STORAGE)} THEN sources.storage_micro_mb END)"
    )
    count, _ = await connection().execute_query(sql, params.values)
    return int(count)
