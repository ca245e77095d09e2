"""Meters, readable by every caller."""

from __future__ import annotations

from domain.meters import MeterDefinition
from storage import meters


async def list_meters() -> list[MeterDefinition]:
    return await meters.list_meters()


async def meters_by_codes(codes: list[str]) -> dict[str, MeterDefinition]:
    return await meters.meters_by_codes(codes)
