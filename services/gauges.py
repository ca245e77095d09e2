"""Setting a source's seat and storage gauges and reading their levels (DESIGN.md §1, §1.5).

Each change is kept: the hourly accrual weights every level by how long it held, and the level
in force now is read from the same history whenever it is shown. A change takes the tenant's
lock first, like accrual does, so the "not inside an accrued hour" check and the write happen
while no accrual of that tenant can run.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from uuid import UUID

from domain.access import Caller
from domain.accrual import to_epoch_us
from domain.errors import FieldProblem, InvalidInputError
from domain.gauges import (
    check_megabytes,
    check_not_accrued,
    check_schedule,
    check_seats,
    megabytes_level_micros,
    seats_level_micros,
)
from domain.meters import STORAGE, USER_SEAT
from domain.money import MICROS_PER_UNIT
from domain.tenancy import Source, SourceStatus
from services import clock, visibility
from services.money_movement import MoneyMovement
from storage import accrual, gauges


async def set_seats(
    caller: Caller, source_id: UUID | None, seats: int, effective_at: datetime | None = None
) -> Source:
    """The source has ``seats`` seats from ``effective_at`` (default: now) on."""
    source = await visibility.managed_source(caller, source_id)
    _raise_if_problems(source, check_seats(seats), effective_at)
    return await _change(caller, source, USER_SEAT, seats_level_micros(seats), effective_at)


async def set_storage(
    caller: Caller,
    source_id: UUID | None,
    megabytes: Decimal,
    effective_at: datetime | None = None,
) -> Source:
    """The source stores ``megabytes`` MB from ``effective_at`` (default: now) on."""
    source = await visibility.managed_source(caller, source_id)
    _raise_if_problems(source, check_megabytes(megabytes), effective_at)
    return await _change(caller, source, STORAGE, megabytes_level_micros(megabytes), effective_at)


def _raise_if_problems(
    source: Source, problems: list[FieldProblem], effective_at: datetime | None
) -> None:
    if source.status is SourceStatus.ARCHIVED:
        problems = [FieldProblem("sourceId", "The source is archived."), *problems]
    if effective_at is not None:
        problems += check_schedule(effective_at, clock.utc_now())
    if problems:
        raise InvalidInputError(problems)


async def _change(
    caller: Caller, source: Source, meter: str, level_micros: int, effective_at: datetime | None
) -> Source:
    # A unit of work that moves no money: it holds the tenant's money-moving lock, so a level
    # is never inserted into an hour an accrual is closing.
    async with MoneyMovement([source.tenant_id]):
        # Read under the lock: an accrual that ran while this call waited is seen here, and a
        # default "now" is never older than the hour it just closed.
        now = clock.utc_now()
        effective = effective_at or now
        last_hour = await accrual.last_accrued_hour(source.tenant_id)
        problems = check_not_accrued(effective, last_hour)
        if problems:
            raise InvalidInputError(problems)
        await gauges.insert_change(
            source.tenant_id,
            source.id,
            meter,
            level_micros,
            to_epoch_us(effective),
            caller.key_id,
        )
    # The source row is unchanged: its levels are read from the history when shown.
    return source


async def levels_by_source_ids(source_ids: list[UUID]) -> dict[UUID, tuple[int, int]]:
    """Each source's (seats, storage in micro-MB) in force now, read from the histories, so a
    change scheduled ahead shows as soon as it starts; 0 for a gauge never set."""
    levels = await gauges.levels_in_force(source_ids, to_epoch_us(clock.utc_now()))
    return {
        source_id: (
            levels.get((source_id, USER_SEAT), 0) // MICROS_PER_UNIT,
            levels.get((source_id, STORAGE), 0),
        )
        for source_id in source_ids
    }
