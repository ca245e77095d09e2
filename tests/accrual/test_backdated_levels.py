"""A seat level backdated before its tenant existed is billed for every hour it covers: the
tenant's accrual starts at its earliest level (issue 12, item 10)."""

from __future__ import annotations

import asyncio
import os
import sys
from datetime import timedelta
from pathlib import Path

from domain.accrual import hour_start
from domain.meters import USER_SEAT
from services import gauges
from services.clock import utc_now
from storage.database import connection
from storage.models import Tenant
from tests.conftest import Database
from tests.usage.conftest import PLATFORM, make_agency

TWO_SEATS = 2


async def seat_hours_accrued() -> int:
    rows = await connection().execute_query_dict(
        "SELECT COALESCE(SUM(quantity_micros), 0) AS q FROM accruals "
        f"WHERE meter_id = '{USER_SEAT}'"
    )
    return int(rows[0]["q"])


async def test_a_ten_hour_backdated_seat_level_on_a_new_tenant_is_charged_by_rebill_accrue(
    db: Database, repo_root: Path
) -> None:
    # given a tenant created half an hour ago, whose client has had two seats since ten hours
    # before that (set through the service, which accepts it)
    now_hour = hour_start(utc_now())
    created = now_hour - timedelta(minutes=30)
    agency = await make_agency("backdated")
    await Tenant.filter(id=agency.tenant_id).update(created_at=created)
    await gauges.set_seats(PLATFORM, agency.source_id, TWO_SEATS, created - timedelta(hours=10))

    # when the operator accrues up to the current hour, twice
    for _ in range(2):
        accrue = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "api.cli",
            "accrue",
            "--until",
            now_hour.isoformat(),
            cwd=repo_root,
            env={**os.environ, "DATABASE_URL": db.url, "PYTHONPATH": str(repo_root)},
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        stdout, stderr = await asyncio.wait_for(accrue.communicate(), timeout=120)
        assert accrue.returncode == 0, stderr.decode()

    # then every hour the level covers is charged once: half an hour of the first (1 seat-hour),
    # then ten whole hours of two seats, not just the hour the tenant was created in
    assert stdout.decode().startswith("accrued 0 tenant-hours")
    assert await seat_hours_accrued() == 21 * 1_000_000
