from __future__ import annotations

from api.context import Info
from api.schema.rate_cards import Meter
from services import meters as meter_service


async def meters(info: Info) -> list[Meter]:
    info.context.caller  # noqa: B018 - meters are public to every authenticated caller
    return [Meter.of(meter) for meter in await meter_service.list_meters()]
