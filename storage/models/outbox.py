"""Tortoise model: the outbox of outbound events, written in the transaction that caused them."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class OutboxEvent(Model):
    """One outbound event, written in the transaction that caused it (DESIGN.md invariant 10)."""

    # Written by the money unit of work (services.money_movement) with the money it describes,
    # so it commits or rolls back with it; published live after commit, or by the relay if the
    # process died first. Later deliveries (webhooks, e-mails) read from here too.

    # Ordered: the relay publishes oldest first.
    id = fields.BigIntField(primary_key=True)
    # What a receiver deduplicates on: a relayed event may be published twice.
    event_id = fields.UUIDField(unique=True)
    # No foreign key: an event outlives nothing it names, and its insert checks no other table.
    tenant_id = fields.UUIDField()
    type = fields.CharField(max_length=64)
    # JSON text; money as integer micro-units, never a float.
    payload = fields.TextField()
    created_at = fields.DatetimeField()
    # Null until the live publish (or the relay) has pushed it to the broadcaster.
    published_at = fields.DatetimeField(null=True)

    class Meta:
        table = "outbox"
        # The pending rows' index is partial (WHERE published_at IS NULL), which Tortoise's
        # index types cannot say: migration 0012 creates it.


class OutboxDelivery(Model):
    """One action that leaves the process (a Stripe call, an e-mail) for one committed event,
    by one named handler (services.outbox_deliveries): retried until it is done."""

    id = fields.BigIntField(primary_key=True)
    # The outbox event it delivers; no foreign key, like the outbox's own rows (it names
    # outbox.event_id, which is unique).
    event_id = fields.UUIDField()
    # The handler's registered name: stable across releases, it is what the row is keyed on.
    handler = fields.CharField(max_length=100)
    created_at = fields.DatetimeField()
    # Counted when a run claims it, so a run that died mid-handler counts too.
    attempts = fields.IntField(default=0)
    # When a run may take it next: its creation, then a lease while a run has it, then the
    # backoff after a failure.
    next_attempt_at = fields.DatetimeField()
    last_error = fields.TextField(null=True)
    # Null while pending.
    done_at = fields.DatetimeField(null=True)

    class Meta:
        table = "outbox_deliveries"
        unique_together = (("event_id", "handler"),)
        # The pending rows' index is partial (WHERE done_at IS NULL): migration 0014 creates it.
