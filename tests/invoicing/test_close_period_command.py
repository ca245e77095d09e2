"""`rebill close-period` closes ended periods into invoices, and a second run creates nothing."""

from __future__ import annotations

import asyncio
import os
import sys
from datetime import UTC, datetime
from pathlib import Path

from domain.invoicing.invoice import InvoiceStatus
from services import usage
from storage.models import Invoice
from tests.conftest import Database
from tests.usage.conftest import PLATFORM, Agency, event


async def _close_period(db: Database, repo_root: Path, until: str) -> str:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "api.cli",
        "close-period",
        "--until",
        until,
        cwd=repo_root,
        env={**os.environ, "DATABASE_URL": db.url, "PYTHONPATH": str(repo_root)},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=120)
    assert process.returncode == 0, stderr.decode()
    return stdout.decode()


async def test_close_period_creates_the_invoices_once(
    db: Database, agency: Agency, repo_root: Path
) -> None:
    outcome = await usage.record_usage(
        PLATFORM, [event(agency.source_id, "5", occurred_at=datetime(2026, 11, 3, tzinfo=UTC))], 10
    )
    assert not outcome.rejected
    first = await _close_period(db, repo_root, "2026-12-01T00:00:00+00:00")
    assert "1 invoices created" in first
    second = await _close_period(db, repo_root, "2026-12-01T00:00:00+00:00")
    assert "0 invoices created" in second
    invoices = await Invoice.filter(source_id=agency.source_id)
    assert [(i.status, i.total_micros) for i in invoices] == [(InvoiceStatus.DRAFT, 100_000)]
