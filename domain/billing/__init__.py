"""Billing rules, each in one place: usage, the accrual, visibility and the API all ask these.

- `retail_card`: the retail card in force for a source, and the one it is charged on;
- `payers`: whose wallet pays each side of a charge (settlement × billing mode × rebilling);
- `provider_cost`: which wholesale charges count as the provider's cost (the SQL cites it);
- `period`: the billing period of an instant for a tenant.
"""

from domain.billing.payers import Payer, Side, source_pays_retail, wallet_payer
from domain.billing.period import BillingPeriods, billing_period
from domain.billing.provider_cost import PROVIDER_COST_SETTLEMENT, provider_cost_micros
from domain.billing.retail_card import charged_retail_card, is_rebilled, retail_card_in_force

__all__ = [
    "PROVIDER_COST_SETTLEMENT",
    "BillingPeriods",
    "Payer",
    "Side",
    "billing_period",
    "charged_retail_card",
    "is_rebilled",
    "provider_cost_micros",
    "retail_card_in_force",
    "source_pays_retail",
    "wallet_payer",
]
