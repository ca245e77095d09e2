"""Tortoise models: gauge levels (seats, storage), accrued hours, accruals and flat fees."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model

if TYPE_CHECKING:
    from storage.models.rate_cards import Meter, RateLine
    from storage.models.tenancy import Source, Tenant


class GaugeChange(Model):
    """A level of an hourly gauge (seats, storage MB) from ``effective_us`` until ``until_us``.

    Times are epoch microseconds so the accrual can weight levels with integer arithmetic on
    both backends; ``until_us`` is null for the level in force now.
    """

    id = fields.BigIntField(primary_key=True)
    tenant: fields.ForeignKeyRelation[Tenant] = fields.ForeignKeyField(
        "models.Tenant", related_name=False, on_delete=fields.RESTRICT
    )
    source: fields.ForeignKeyRelation[Source] = fields.ForeignKeyField(
        "models.Source", related_name=False, on_delete=fields.RESTRICT
    )
    meter: fields.ForeignKeyRelation[Meter] = fields.ForeignKeyField(
        "models.Meter", related_name=False, on_delete=fields.RESTRICT
    )
    level_micros = fields.BigIntField()
    effective_us = fields.BigIntField()
    until_us = fields.BigIntField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    created_by_key_id = fields.UUIDField(null=True)

    tenant_id: object
    source_id: object
    meter_id: str

    class Meta:
        table = "gauge_changes"
        indexes = [
            Index(fields=("tenant_id", "until_us")),
            Index(fields=("source_id", "meter_id", "effective_us")),
        ]


class AccruedHour(Model):
    """A tenant-hour whose accrual is recorded: the gate that makes a re-run a no-op."""

    id = fields.BigIntField(primary_key=True)
    tenant: fields.ForeignKeyRelation[Tenant] = fields.ForeignKeyField(
        "models.Tenant", related_name=False, on_delete=fields.RESTRICT
    )
    hour = fields.DatetimeField()
    sources = fields.IntField()
    accrued_at = fields.DatetimeField()

    tenant_id: object

    class Meta:
        table = "accrued_hours"
        unique_together = (("tenant", "hour"),)


class Accrual(Model):
    """One gauge's rated hour for one source: unique per (source, meter, hour)."""

    id = fields.BigIntField(primary_key=True)
    tenant: fields.ForeignKeyRelation[Tenant] = fields.ForeignKeyField(
        "models.Tenant", related_name=False, on_delete=fields.RESTRICT
    )
    source: fields.ForeignKeyRelation[Source] = fields.ForeignKeyField(
        "models.Source", related_name=False, on_delete=fields.RESTRICT
    )
    meter: fields.ForeignKeyRelation[Meter] = fields.ForeignKeyField(
        "models.Meter", related_name=False, on_delete=fields.RESTRICT
    )
    hour = fields.DatetimeField()
    period_start = fields.DatetimeField()
    quantity_micros = fields.BigIntField()
    wholesale_micros = fields.BigIntField()
    wholesale_rate_line_id = fields.BigIntField(null=True)
    wholesale_transaction_id = fields.BigIntField(null=True)
    retail_micros = fields.BigIntField()
    retail_rate_line_id = fields.BigIntField(null=True)
    retail_transaction_id = fields.BigIntField(null=True)

    tenant_id: object
    source_id: object
    meter_id: str

    class Meta:
        table = "accruals"
        unique_together = (("source", "meter", "hour"),)
        indexes = [Index(fields=("tenant_id", "hour"))]


class FlatFee(Model):
    """A FLAT line charged to one source for one billing period: unique, so charged once."""

    id = fields.BigIntField(primary_key=True)
    tenant: fields.ForeignKeyRelation[Tenant] = fields.ForeignKeyField(
        "models.Tenant", related_name=False, on_delete=fields.RESTRICT
    )
    source: fields.ForeignKeyRelation[Source] = fields.ForeignKeyField(
        "models.Source", related_name=False, on_delete=fields.RESTRICT
    )
    rate_line: fields.ForeignKeyRelation[RateLine] = fields.ForeignKeyField(
        "models.RateLine", related_name=False, on_delete=fields.RESTRICT
    )
    settlement_side = fields.CharField(max_length=16)  # WHOLESALE or RETAIL
    period_start = fields.DatetimeField()
    charged_hour = fields.DatetimeField()
    active_hours = fields.IntField()
    period_hours = fields.IntField()
    amount_micros = fields.BigIntField()
    transaction_id = fields.BigIntField(null=True)

    tenant_id: object
    source_id: object
    rate_line_id: int

    class Meta:
        table = "flat_fees"
        unique_together = (("source", "rate_line", "period_start"),)
