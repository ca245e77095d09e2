"""Meters: built-in ones are inserted by migration 0002."""

from __future__ import annotations

from collections.abc import Iterable

from domain.meters import MeterDefinition, MeterKind
from storage.models import Meter


def to_meter(row: Meter) -> MeterDefinition:
    return MeterDefinition(row.code, row.name, row.unit, MeterKind(row.kind))


async def list_meters() -> list[MeterDefinition]:
    return [to_meter(row) for row in await Meter.all().order_by("code")]


async def meters_by_codes(codes: Iterable[str]) -> dict[str, MeterDefinition]:
    rows = await Meter.filter(code__in=list(set(codes)))
    return {row.code: to_meter(row) for row in rows}


async def meter_kinds() -> dict[str, MeterKind]:
    rows = await Meter.all().values_list("code", "kind")
    return {code: MeterKind(kind) for code, kind in rows}
