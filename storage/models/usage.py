"""Tortoise models: usage events, running totals per line and period, hourly rollups."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model

from domain.rate_card import Settlement

if TYPE_CHECKING:
    from storage.models.rate_cards import Meter, RateLine
    from storage.models.tenancy import Source, Tenant


class UsageEvent(Model):
    """One reported event, rated twice. Unique per (tenant, idempotency key)."""

    id = fields.BigIntField(primary_key=True)
    # On PostgreSQL one trigger per statement holds these references, and that the source is of
    # the tenant, where per-row keys cost half the insert (migration 0009; SQLite keeps keys).
    tenant: fields.ForeignKeyRelation[Tenant] = fields.ForeignKeyField(
        "models.Tenant", related_name=False, on_delete=fields.RESTRICT, db_constraint=False
    )
    source: fields.ForeignKeyRelation[Source] = fields.ForeignKeyField(
        "models.Source", related_name=False, on_delete=fields.RESTRICT, db_constraint=False
    )
    meter: fields.ForeignKeyRelation[Meter] = fields.ForeignKeyField(
        "models.Meter", related_name=False, on_delete=fields.RESTRICT, db_constraint=False
    )
    idempotency_key = fields.CharField(max_length=255)
    # SHA-256 of the canonical payload: the same key with another payload is a conflict.
    payload_hash = fields.CharField(max_length=64)
    quantity_micros = fields.BigIntField()
    occurred_at = fields.DatetimeField()
    recorded_at = fields.DatetimeField()
    provider_cost_micros = fields.BigIntField(null=True)
    amount_micros = fields.BigIntField(null=True)
    properties = fields.TextField(null=True)
    # The billing period the event was rated into (its own, or the open one when late).
    period_start = fields.DatetimeField()
    late = fields.BooleanField(default=False)
    wholesale_micros = fields.BigIntField()
    wholesale_settlement = fields.CharEnumField(Settlement, max_length=16, null=True)
    wholesale_rate_card_id = fields.UUIDField(null=True)
    wholesale_rate_card_version = fields.IntField(null=True)
    wholesale_rate_line_id = fields.BigIntField(null=True)
    wholesale_transaction_id = fields.BigIntField(null=True)
    retail_micros = fields.BigIntField()
    retail_settlement = fields.CharEnumField(Settlement, max_length=16, null=True)
    retail_rate_card_id = fields.UUIDField(null=True)
    retail_rate_card_version = fields.IntField(null=True)
    retail_rate_line_id = fields.BigIntField(null=True)
    retail_transaction_id = fields.BigIntField(null=True)

    tenant_id: object
    source_id: object
    meter_id: str

    class Meta:
        table = "usage_events"
        unique_together = (("tenant", "idempotency_key"),)
        indexes = [
            Index(fields=("tenant_id", "occurred_at", "id")),
            Index(fields=("tenant_id", "source_id", "occurred_at", "id")),
            # A source's events of one billing period in rating order: the running totals an
            # explanation replays (migration 0021).
            Index(fields=("tenant_id", "source_id", "period_start", "id")),
            Index(fields=("wholesale_transaction_id",)),
            Index(fields=("retail_transaction_id",)),
        ]


class RunningTotal(Model):
    """The running state of one rate line for one source in one billing period (DESIGN §1.2).

    Derived data: the states follow from the period's events and accruals, whose own foreign
    keys hold the references. It carries no foreign-key constraints because each is a per-row
    trigger on the hottest write of ingestion and accrual (it doubles the cost of writing an
    hour's states; docs/decisions.md)."""

    id = fields.BigIntField(primary_key=True)
    tenant: fields.ForeignKeyRelation[Tenant] = fields.ForeignKeyField(
        "models.Tenant", related_name=False, on_delete=fields.RESTRICT, db_constraint=False
    )
    source: fields.ForeignKeyRelation[Source] = fields.ForeignKeyField(
        "models.Source", related_name=False, on_delete=fields.RESTRICT, db_constraint=False
    )
    rate_line: fields.ForeignKeyRelation[RateLine] = fields.ForeignKeyField(
        "models.RateLine", related_name=False, on_delete=fields.RESTRICT, db_constraint=False
    )
    period_start = fields.DatetimeField()
    # domain.pricing.LineState.to_json(), exact decimals as text.
    state = fields.TextField()
    total_micros = fields.BigIntField()

    tenant_id: object
    source_id: object
    rate_line_id: int

    class Meta:
        table = "running_totals"
        unique_together = (("source", "rate_line", "period_start"),)


class UsageRollup(Model):
    """Hourly totals per (tenant, source, meter, hour), kept in the same transaction as usage.

    Derived data like RunningTotal (the sums of usage_events and accruals, whose own foreign
    keys hold the references), and without foreign-key constraints for the same reason."""

    id = fields.BigIntField(primary_key=True)
    tenant: fields.ForeignKeyRelation[Tenant] = fields.ForeignKeyField(
        "models.Tenant", related_name=False, on_delete=fields.RESTRICT, db_constraint=False
    )
    source: fields.ForeignKeyRelation[Source] = fields.ForeignKeyField(
        "models.Source", related_name=False, on_delete=fields.RESTRICT, db_constraint=False
    )
    meter: fields.ForeignKeyRelation[Meter] = fields.ForeignKeyField(
        "models.Meter", related_name=False, on_delete=fields.RESTRICT, db_constraint=False
    )
    hour = fields.DatetimeField()
    quantity_micros = fields.BigIntField(default=0)
    events = fields.IntField(default=0)
    wholesale_micros = fields.BigIntField(default=0)
    retail_micros = fields.BigIntField(default=0)
    # Wholesale paid outside the platform (EXTERNAL lines): part of the agency's cost.
    provider_cost_micros = fields.BigIntField(default=0)

    tenant_id: object
    source_id: object
    meter_id: str

    class Meta:
        table = "usage_rollups"
        unique_together = (("tenant", "source", "meter", "hour"),)
        # Margin reports read a tenant's window of hours (migration 0018). No INCLUDE of the
        # sums: an index holding them would make every rollup upsert a non-HOT update.
        indexes = [Index(fields=("tenant_id", "hour"))]
