"""Tortoise models, one module per area. Every table is keyed by tenant first (DESIGN.md §6).

Money and quantities are integer micro-units (``*_micros``): sums stay exact on SQLite and
PostgreSQL alike, and no float is ever involved. Tortoise's "models" app is this package: it
finds the models re-exported here, and relations name them as ``models.<Name>`` across modules.
"""

from storage.models.accrual import Accrual, AccruedHour, FlatFee, GaugeChange
from storage.models.credit_notes import CreditNote, CreditNoteLine
from storage.models.disputes import Dispute, DisputeEvent, DisputeTimelineEntry
from storage.models.invoicing import DocumentSecret, Invoice, InvoiceLine
from storage.models.outbox import OutboxDelivery, OutboxEvent
from storage.models.payments import StripeEvent, StripeTopUp, WalletReload
from storage.models.rate_cards import Meter, RateCard, RateCardVersion, RateLine
from storage.models.tenancy import ApiKey, Source, Tenant
from storage.models.usage import RunningTotal, UsageEvent, UsageRollup
from storage.models.wallets import Wallet, WalletTransaction
from storage.models.webhooks import WebhookDelivery, WebhookEndpoint

__all__ = [
    "Accrual",
    "AccruedHour",
    "ApiKey",
    "CreditNote",
    "CreditNoteLine",
    "Dispute",
    "DisputeEvent",
    "DisputeTimelineEntry",
    "DocumentSecret",
    "FlatFee",
    "GaugeChange",
    "Invoice",
    "InvoiceLine",
    "Meter",
    "OutboxDelivery",
    "OutboxEvent",
    "RateCard",
    "RateCardVersion",
    "RateLine",
    "RunningTotal",
    "Source",
    "StripeEvent",
    "StripeTopUp",
    "Tenant",
    "UsageEvent",
    "UsageRollup",
    "Wallet",
    "WalletReload",
    "WalletTransaction",
    "WebhookDelivery",
    "WebhookEndpoint",
]
