"""The hourly accrual jobs as plain coroutines: thin wrappers over services.accrual.

arq calls them with its context dict first; nothing here imports arq (workers/settings.py is the
one module that does). Arguments and results are strings and ints, so a job reads the same in
Redis whatever serializer the queue uses.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any, Protocol
from uuid import UUID

from services import accrual, clock, reloads
from services.invoicing import generate

ACCRUE_JOB = "accrue_tenant_hour_job"
logger = logging.getLogger("rebill.workers")


class JobQueue(Protocol):
    """What the fan-out needs from arq's Redis pool (``ctx["redis"]``)."""

    async def enqueue_job(self, function: str, *args: Any, _job_id: str | None = None) -> object:
        """Queues ``function``; returns None when a job with ``_job_id`` is queued or kept."""


def accrue_job_id(tenant_id: UUID, hour: datetime) -> str:
    """One job per tenant-hour: arq refuses a second job with this ID while the first is queued,
    running or its result is kept, so enqueueing a tenant-hour twice runs it once."""
    return f"accrue:{tenant_id}:{hour.astimezone(UTC):%Y-%m-%dT%H}"


async def enqueue_due_hours(ctx: dict[str, Any]) -> dict[str, int]:
    """Cron: one accrual job per (tenant, closed hour) not accrued yet, oldest first.

    A worker that was down for N hours finds N pending hours per tenant and queues exactly those.
    """
    queue: JobQueue = ctx["redis"]
    pending = await accrual.pending_tenant_hours(clock.utc_now())
    enqueued = 0
    for tenant_id, hour in pending:
        job = await queue.enqueue_job(
            ACCRUE_JOB,
            str(tenant_id),
            hour.astimezone(UTC).isoformat(),
            _job_id=accrue_job_id(tenant_id, hour),
        )
        enqueued += job is not None
    logger.info("accrual fan-out: %d pending tenant-hours, %d queued", len(pending), enqueued)
    return {"pending": len(pending), "enqueued": enqueued}


async def accrue_tenant_hour(_ctx: dict[str, Any], tenant_id: str, hour: str) -> dict[str, object]:
    """Brings the tenant up to this hour (earlier pending hours first: hours go in order);
    a re-run finds the hour accrued and reports ``accrued: False``."""
    at = datetime.fromisoformat(hour)
    done = await accrual.accrue_tenant_through(UUID(tenant_id), at)
    this_hour = next((d for d in done if d.hour == at), None)
    if this_hour is None:
        return {"tenant_id": tenant_id, "hour": hour, "accrued": False, "hours": len(done)}
    return {
        "tenant_id": tenant_id,
        "hour": hour,
        "accrued": True,
        "hours": len(done),
        "sources": this_hour.sources,
        "wholesale_micros": this_hour.wholesale_micros,
        "retail_micros": this_hour.retail_micros,
    }


async def start_pending_reloads(_ctx: dict[str, Any]) -> dict[str, int]:
    """Cron: starts the auto-reloads that debits claimed (services.reloads); safe to run on
    several workers at once and to repeat."""
    started = await reloads.start_pending_reloads()
    if started:
        logger.info("auto-reload: %d PaymentIntents started", started)
    return {"started": started}


async def close_due_periods(_ctx: dict[str, Any]) -> dict[str, int]:
    """After the hour's accrual: every tenant's ended periods closed into invoices, and an
    AUTOMATIC tenant's DRAFTs finalized once their grace period has passed (a re-run creates
    nothing)."""
    closed = await generate.close_all_tenants(clock.utc_now())
    return {"created": closed.created, "invoices": len(closed.invoice_ids)}
