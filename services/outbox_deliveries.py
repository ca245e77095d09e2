"""Outbox deliveries: actions that leave the process (a Stripe call, an e-mail) for committed
outbox events, run after commit, retried until they succeed (DESIGN.md invariant 10).

A handler is registered for an event type under a name that is stable across releases (each
pending delivery row names it):

    from services import outbox_deliveries
    from storage.outbox import OutboxEntry

    async def collect(entry: OutboxEntry) -> None:
        ...  # entry.event_id, entry.tenant_id, entry.type, entry.data (the parsed payload)

    outbox_deliveries.register(INVOICE_FINALIZED, "invoice.collect", collect)

at the import of a module listed in HANDLER_MODULES: the list is imported before deliveries are
recorded or run, so no import order can lose a handler. A handler that returns has delivered;
one that raises (or runs past HANDLER_TIMEOUT) is retried with backoff. It runs at least once per
event, maybe more (a run that died before recording the outcome), so it is idempotent on the
event: an idempotency key from the event's subject (``invoice:<id>``) or a conditional write.

When an event is published (live after its commit in services.money_movement, or by the relay
for a process that died) its deliveries are written first, one per handler of its type, then
it is marked published: a published event always has its deliveries. Right after a live commit
they are kicked in a background task, so a request never waits on Stripe or SMTP nor fails
because of them; the relay's minutely run (services.outbox_relay) takes whatever is due after
that: failures past their backoff, and the kicks of processes that stopped. A run leases the
deliveries it claims (storage.outbox.claim_deliveries), so two runs never run the same one.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
from collections.abc import Awaitable, Callable, Iterable, Sequence
from datetime import datetime, timedelta
from uuid import UUID

from services import clock
from storage import outbox
from storage.outbox import DeliveryClaim, OutboxEntry

# Modules that register delivery handlers when imported. Add yours here.
HANDLER_MODULES: tuple[str, ...] = (
    "services.credit_notes.refund",
    "services.invoicing.collect",
    "services.invoicing.send",
    "services.webhooks.delivery",
)

# How long a claimed delivery is its run's; a handler is stopped well before it ends, so a
# running delivery's lease never runs out under it.
LEASE = timedelta(minutes=5)
HANDLER_TIMEOUT = timedelta(minutes=2)
FIRST_RETRY = timedelta(seconds=30)
LONGEST_RETRY = timedelta(hours=1)
BATCH = 100
LAST_ERROR_CHARS = 1000

Handler = Callable[[OutboxEntry], Awaitable[None]]
logger = logging.getLogger("rebill.outbox.deliveries")


class _Registry:
    def __init__(self) -> None:
        # name -> (event type, handler): a name is one handler of one event type.
        self.by_name: dict[str, tuple[str, Handler]] = {}
        self.loaded = False


_registry = _Registry()
_kicks: set[asyncio.Task[int]] = set()


def register(event_type: str, name: str, handler: Handler) -> None:
    """``handler`` delivers every committed ``event_type`` event, under ``name``."""
    known = _registry.by_name.get(name)
    if known is not None and (known[0] != event_type or _key(known[1]) != _key(handler)):
        raise ValueError(f"delivery handler {name!r} is registered already")
    _registry.by_name[name] = (event_type, handler)


def unregister(name: str) -> None:
    """Forgets a handler (tests); its pending deliveries wait until it is registered again."""
    _registry.by_name.pop(name, None)


def _key(handler: Handler) -> tuple[str, str]:
    # A module imported again (a test's reload) registers a new function object of the same name.
    return (getattr(handler, "__module__", ""), getattr(handler, "__qualname__", repr(handler)))


def _load_handler_modules() -> None:
    if _registry.loaded:
        return
    for module in HANDLER_MODULES:
        importlib.import_module(module)
    _registry.loaded = True


def handler_names(event_type: str | None = None) -> list[str]:
    """The registered handlers' names (of one event type if given)."""
    _load_handler_modules()
    return sorted(
        name
        for name, (handled, _) in _registry.by_name.items()
        if event_type is None or handled == event_type
    )


async def record(entries: Iterable[OutboxEntry]) -> list[UUID]:
    """Writes the pending deliveries of each event, one per handler of its type; returns the
    ids of the events that have any. Call before marking the events published."""
    _load_handler_modules()
    by_type: dict[str, list[str]] = {}
    for name, (event_type, _) in sorted(_registry.by_name.items()):
        by_type.setdefault(event_type, []).append(name)
    pairs = [(entry.event_id, name) for entry in entries for name in by_type.get(entry.type, ())]
    if not pairs:
        return []
    await outbox.append_deliveries(pairs, clock.utc_now())
    return list(dict.fromkeys(event_id for event_id, _ in pairs))


def kick(event_ids: Sequence[UUID]) -> None:
    """Delivers these events' pending deliveries in a background task; the caller goes on. A
    delivery the task does not finish (the process stops) is the relay's later."""
    if not event_ids:
        return
    task = asyncio.create_task(
        _kicked(list(event_ids)),
        name="rebill-outbox-deliveries",
        # Not the caller's transaction, which ends without waiting for the task.
        context=outbox.context_outside_transactions(),
    )
    _kicks.add(task)
    task.add_done_callback(_kicks.discard)


async def _kicked(event_ids: list[UUID]) -> int:
    try:
        return await deliver_pending(event_ids=event_ids)
    except Exception:
        logger.exception("delivering %d events after commit failed", len(event_ids))
        return 0


async def settle() -> None:
    """Waits until the deliveries kicked so far have run (tests; a process that stops)."""
    while _kicks:
        await asyncio.gather(*list(_kicks), return_exceptions=True)


async def deliver_pending(limit: int = BATCH, event_ids: Sequence[UUID] | None = None) -> int:
    """Runs every pending delivery that is due (of these events if given), ``limit`` at a
    time; returns how many succeeded. A failure is recorded and retried later: it never stops
    the others."""
    names = handler_names()
    delivered = 0
    while True:
        now = clock.utc_now()
        claims = await outbox.claim_deliveries(now, now + LEASE, names, limit, event_ids)
        for claim in claims:
            delivered += await _run(claim)
        if len(claims) < limit:
            return delivered


async def _run(claim: DeliveryClaim) -> int:
    event_type, handler = _registry.by_name[claim.handler]
    try:
        if claim.entry.type != event_type:
            raise TypeError(f"{claim.handler} handles {event_type}, not {claim.entry.type}")
        async with asyncio.timeout(HANDLER_TIMEOUT.total_seconds()):
            await handler(claim.entry)
    except Exception as error:
        retry_at = retry_time(clock.utc_now(), claim.attempt)
        logger.warning(
            "delivery %s of event %s (attempt %d) failed: %r; retried at %s",
            claim.handler,
            claim.entry.event_id,
            claim.attempt,
            error,
            retry_at.isoformat(),
        )
        await _recorded(outbox.mark_delivery_failed(claim.id, _described(error), retry_at))
        return 0
    await _recorded(outbox.mark_delivered(claim.id, clock.utc_now()))
    return 1


async def _recorded(write: Awaitable[None]) -> None:
    # An outcome that cannot be written leaves the lease to run out: the delivery runs again.
    try:
        await write
    except Exception:
        logger.exception("recording a delivery's outcome failed; it runs again after its lease")


def retry_time(now: datetime, attempt: int) -> datetime:
    """Doubling from FIRST_RETRY after each failed attempt, at most LONGEST_RETRY."""
    doublings = min(max(attempt - 1, 0), 20)
    return now + min(FIRST_RETRY * (1 << doublings), LONGEST_RETRY)


def _described(error: Exception) -> str:
    text = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
    return text[:LAST_ERROR_CHARS]
