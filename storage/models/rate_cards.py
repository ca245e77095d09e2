"""Tortoise models: meters, rate cards, their versions and lines."""

from __future__ import annotations

from typing import TYPE_CHECKING
from uuid import uuid4

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model

from domain.meters import MeterKind
from domain.rate_card import RateCardKind, Settlement

if TYPE_CHECKING:
    from storage.models.tenancy import Tenant


class Meter(Model):
    code = fields.CharField(max_length=64, primary_key=True)
    name = fields.CharField(max_length=200)
    unit = fields.CharField(max_length=64)
    kind = fields.CharEnumField(MeterKind, max_length=16)
    built_in = fields.BooleanField(default=False)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "meters"


class RateCard(Model):
    id = fields.UUIDField(primary_key=True, default=uuid4)
    # Null for platform-owned wholesale cards.
    tenant: fields.ForeignKeyNullableRelation[Tenant] = fields.ForeignKeyField(
        "models.Tenant", related_name="rate_cards", null=True, on_delete=fields.RESTRICT
    )
    name = fields.CharField(max_length=200)
    kind = fields.CharEnumField(RateCardKind, max_length=16)
    currency = fields.CharField(max_length=3)
    # Set on the platform's default wholesale card of a currency; unique, so it exists once.
    default_for_currency = fields.CharField(max_length=3, null=True, unique=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    tenant_id: object

    class Meta:
        table = "rate_cards"
        indexes = [Index(fields=("tenant_id", "created_at", "id"))]


class RateCardVersion(Model):
    id = fields.BigIntField(primary_key=True)
    rate_card: fields.ForeignKeyRelation[RateCard] = fields.ForeignKeyField(
        "models.RateCard", related_name="versions", on_delete=fields.RESTRICT
    )
    version = fields.IntField()
    effective_from = fields.DatetimeField()
    created_at = fields.DatetimeField(auto_now_add=True)

    rate_card_id: object

    class Meta:
        table = "rate_card_versions"
        unique_together = (("rate_card", "version"),)


class RateLine(Model):
    id = fields.BigIntField(primary_key=True)
    version: fields.ForeignKeyRelation[RateCardVersion] = fields.ForeignKeyField(
        "models.RateCardVersion", related_name="lines", on_delete=fields.RESTRICT
    )
    position = fields.IntField()
    meter: fields.ForeignKeyNullableRelation[Meter] = fields.ForeignKeyField(
        "models.Meter", related_name=False, null=True, on_delete=fields.RESTRICT
    )
    model = fields.CharField(max_length=16)
    # The model's parameters, decimals as strings (domain.pricing to_params / build_pricing).
    params: dict[str, object] = fields.JSONField()
    settlement = fields.CharEnumField(Settlement, max_length=16)
    description = fields.CharField(max_length=500, null=True)

    version_id: int
    meter_id: str | None

    class Meta:
        table = "rate_lines"
        unique_together = (("version", "position"),)
