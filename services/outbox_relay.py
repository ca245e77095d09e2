"""The outbox relay: publishes events that were committed but never published.

The unit of work publishes its events right after its commit (services.money_movement); a
process that died in between leaves them in the outbox with no published_at. The relay takes the
ones older than a short grace, so it does not race the live path of a unit that just committed,
publishes them and marks them, in batches, oldest first. A batch's rows stay locked until it is
marked (SKIP LOCKED on PostgreSQL), so two relays never take the same row. At least once: a
process that dies after publishing a batch and before marking it publishes it again on the next
run, with the same event ids, which is what receivers deduplicate on.

An event's deliveries (services.outbox_deliveries) are written in the batch's transaction before
it is marked published. After publishing, each run delivers every pending delivery that is due:
the relay's cron (the worker's, or the API's in-process timer) is what retries a failed one.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from services import clock, events, outbox_deliveries
from storage import outbox
from storage.database import transaction

# Longer than a live publish takes after its commit, short enough that a lost event is late by
# about a minute at most (the worker runs the relay every minute).
GRACE = timedelta(seconds=30)
BATCH = 500
logger = logging.getLogger("rebill.outbox")


async def relay_outbox(grace: timedelta = GRACE, batch: int = BATCH) -> int:
    """Publishes every committed, unpublished event older than ``grace``; returns how many."""
    relayed = 0
    while True:
        async with transaction():
            pending = await outbox.pending(clock.utc_now() - grace, batch)
            if pending:
                entries = [event.entry for event in pending]
                await outbox_deliveries.record(entries)
                await events.publish(entries)
                await outbox.mark_published([event.id for event in pending], clock.utc_now())
        relayed += len(pending)
        if len(pending) < batch:
            break
    if relayed:
        logger.warning("outbox relay: published %d events their process had not", relayed)
    await deliver_due()
    return relayed


async def deliver_due() -> int:
    """The deliveries that are due; a failure to run them is logged, and the next run's."""
    try:
        return await outbox_deliveries.deliver_pending()
    except Exception:
        logger.exception("outbox deliveries failed; the next relay run retries them")
        return 0
