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
