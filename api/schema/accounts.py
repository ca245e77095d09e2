"""Tenants, their sources and the wallets of both: they refer to each other, so they live
together."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated
from uuid import UUID

import strawberry

from api.context import Info, require_wholesale_access
from api.cursors import page_request
from api.ids import encode_id
from api.schema.common import Money, Node, PageInfo, connection_parts, money_or_none
from api.schema.enums import BillingMode, InvoiceApproval, SourceStatus, StripeAccountStatus
from api.schema.ledger import (
    WalletTransactionConnection,
    WalletTransactionEdge,
    WalletTransactionFilter,
    WalletTransactionNode,
)
from api.schema.rate_cards import RateCardConnection, RateCardEdge, RateCardNode
from api.schema.usage import (
    PeriodInput,
    UsageEventConnection,
    UsageFilter,
    UsageSummaryLine,
    source_usage,
    source_usage_summary,
)
from domain import tenancy
from domain.billing import billing_period, retail_card_in_force
from domain.quantity import micros_to_quantity
from domain.wallet.wallet import Wallet, below_floor
from services import rate_cards, sources, wallets
from services.clock import utc_now


@strawberry.type
class StripeAccount:
    account_id: str | None
    status: StripeAccountStatus
    charges_enabled: bool


@strawberry.type
class Branding:
    display_name: str
    logo_url: str | None
    primary_color: str | None
    support_email: str | None
    invoice_footer: str | None


@strawberry.type
class InvoiceSettings:
    approval: InvoiceApproval
    grace_period_hours: int
    payment_terms_days: int
    number_prefix: str


@strawberry.type
class BillingPeriod:
    start: datetime
    end: datetime


@strawberry.input
class SourceFilter:
    status: SourceStatus | None = None
    rebilling_enabled: bool | None = None
    search: str | None = None


@strawberry.type
class AutoReload:
    enabled: bool
    threshold: Money | None
    amount: Money | None
    monthly_cap: Money | None
    payment_method_id: str | None
    wallet_id: strawberry.Private[UUID]

    @strawberry.field(
        description="Why the latest auto-reload failed or was skipped; null when it did not."
    )
    async def last_failure(self, info: Info) -> str | None:
        latest = await info.context.loaders.latest_reload_by_wallet_id.get(self.wallet_id)
        return None if latest is None else latest.failure_message

    @strawberry.field(description="When the latest auto-reload was claimed or last changed.")
    async def last_attempt_at(self, info: Info) -> datetime | None:
        latest = await info.context.loaders.latest_reload_by_wallet_id.get(self.wallet_id)
        return None if latest is None else latest.updated_at


@strawberry.type(name="Wallet")
class WalletNode(Node):
    balance: Money
    credit_limit: Money = strawberry.field(
        description="How far below zero the balance may go before usage is suspended."
    )
    low_balance_threshold: Money | None
    auto_reload: AutoReload
    model: strawberry.Private[Wallet]

    @strawberry.field
    async def owner(self, info: Info) -> WalletOwner:
        loaders = info.context.loaders
        if self.model.source_id is not None:
            source = await loaders.source_by_id.get(self.model.source_id)
            assert source is not None
            return SourceNode.of(source)
        tenant = await loaders.tenant_by_id.get(self.model.tenant_id)
        assert tenant is not None
        return TenantNode.of(tenant)

    @strawberry.field(description="The ledger, newest first; `to` is exclusive.")
    async def transactions(
        self,
        info: Info,
        first: int | None = 50,
        after: str | None = None,
        filter: WalletTransactionFilter | None = None,
    ) -> WalletTransactionConnection:
        page = await wallets.list_transactions(
            info.context.caller,
            self.model,
            page_request(first, after, key=int),
            kinds=filter.kinds if filter else None,
            occurred_from=filter.from_ if filter else None,
            occurred_to=filter.to if filter else None,
        )
        currency = self.model.currency
        edges, page_info = connection_parts(
            page, lambda entry: WalletTransactionNode.of(entry, currency)
        )
        return WalletTransactionConnection(
            edges=[WalletTransactionEdge(cursor=c, node=n) for c, n in edges],
            page_info=page_info,
        )

    @classmethod
    def of(cls, wallet: Wallet) -> WalletNode:
        currency = wallet.currency
        return cls(
            id=strawberry.ID(encode_id("Wallet", wallet.id)),
            balance=Money.of_micros(wallet.balance_micros, currency),
            credit_limit=Money.of_micros(wallet.credit_limit_micros, currency),
            low_balance_threshold=money_or_none(wallet.low_balance_threshold_micros, currency),
            auto_reload=AutoReload(
                enabled=wallet.auto_reload_enabled,
                threshold=money_or_none(wallet.auto_reload_threshold_micros, currency),
                amount=money_or_none(wallet.auto_reload_amount_micros, currency),
                monthly_cap=money_or_none(wallet.auto_reload_monthly_cap_micros, currency),
                payment_method_id=wallet.payment_method_id,
                wallet_id=wallet.id,
            ),
            model=wallet,
        )


async def _wallet_of(info: Info, owner_id: object) -> Wallet:
    wallet = await info.context.loaders.wallet_by_owner_id.get(owner_id)  # type: ignore[arg-type]
    assert wallet is not None, "every tenant and source has a wallet"
    return wallet


async def _gauge_levels_of(info: Info, source: tenancy.Source) -> tuple[int, int]:
    levels = await info.context.loaders.gauge_levels_by_source_id.get(source.id)
    assert levels is not None, "a source whose gauges were never set is at 0"
    return levels


async def _source_seats(root: SourceNode, info: Info) -> int:
    seats, _ = await _gauge_levels_of(info, root.model)
    return seats


async def _source_storage_megabytes(root: SourceNode, info: Info) -> Decimal:
    _, storage_micro_mb = await _gauge_levels_of(info, root.model)
    return micros_to_quantity(storage_micro_mb)


@strawberry.type(name="Tenant")
class TenantNode(Node):
    name: str
    slug: str
    currency: str
    rebilling_enabled: bool
    stripe: StripeAccount
    branding: Branding
    invoice_settings: InvoiceSettings
    created_at: datetime
    model: strawberry.Private[tenancy.Tenant]

    @strawberry.field(
        description="The agency's wholesale wallet: the platform debits it for usage at "
        "wholesale rates."
    )
    async def wallet(self, info: Info) -> WalletNode:
        require_wholesale_access(info)
        return WalletNode.of(await _wallet_of(info, self.model.id))

    @strawberry.field
    async def wholesale_rate_card(self, info: Info) -> RateCardNode:
        require_wholesale_access(info)
        card = await info.context.loaders.rate_card_by_id.get(self.model.wholesale_rate_card_id)
        assert card is not None
        return RateCardNode.of(card)

    @strawberry.field(description="Retail rate card for sources that have no card of their own.")
    async def default_rate_card(self, info: Info) -> RateCardNode | None:
        require_wholesale_access(info)
        if self.model.default_rate_card_id is None:
            return None
        card = await info.context.loaders.rate_card_by_id.get(self.model.default_rate_card_id)
        return None if card is None else RateCardNode.of(card)

    @strawberry.field
    async def rate_cards(
        self, info: Info, first: int | None = 50, after: str | None = None
    ) -> RateCardConnection:
        require_wholesale_access(info)
        page = await rate_cards.list_rate_cards(
            info.context.caller, self.model, page_request(first, after)
        )
        edges, page_info = connection_parts(page, RateCardNode.of)
        return RateCardConnection(
            edges=[RateCardEdge(cursor=c, node=n) for c, n in edges], page_info=page_info
        )

    @strawberry.field
    async def sources(
        self,
        info: Info,
        first: int | None = 50,
        after: str | None = None,
        filter: SourceFilter | None = None,
    ) -> SourceConnection:
        require_wholesale_access(info)
        query = tenancy.SourceCriteria(
            status=filter.status if filter else None,
            rebilling_enabled=filter.rebilling_enabled if filter else None,
            search=filter.search if filter else None,
        )
        page = await sources.list_sources(
            info.context.caller, self.model, page_request(first, after), query
        )
        edges, page_info = connection_parts(page, SourceNode.of)
        return SourceConnection(
            edges=[SourceEdge(cursor=c, node=n) for c, n in edges],
            page_info=page_info,
            total_count=page.total_count or 0,
        )

    @classmethod
    def of(cls, tenant: tenancy.Tenant) -> TenantNode:
        b, s, stripe = tenant.branding, tenant.invoice_settings, tenant.stripe
        return cls(
            id=strawberry.ID(encode_id("Tenant", tenant.id)),
            name=tenant.name,
            slug=tenant.slug,
            currency=tenant.currency,
            rebilling_enabled=tenant.rebilling_enabled,
            stripe=StripeAccount(
                account_id=stripe.account_id,
                status=stripe.status,
                charges_enabled=stripe.charges_enabled,
            ),
            branding=Branding(
                display_name=b.display_name,
                logo_url=b.logo_url,
                primary_color=b.primary_color,
                support_email=b.support_email,
                invoice_footer=b.invoice_footer,
            ),
            invoice_settings=InvoiceSettings(
                approval=s.approval,
                grace_period_hours=s.grace_period_hours,
                payment_terms_days=s.payment_terms_days,
                number_prefix=s.number_prefix,
            ),
            created_at=tenant.created_at,
            model=tenant,
        )


@strawberry.type
class TenantEdge:
    cursor: str
    node: TenantNode


@strawberry.type
class TenantConnection:
    edges: list[TenantEdge]
    page_info: PageInfo


@strawberry.type(name="Source")
class SourceNode(Node):
    name: str
    external_id: str | None
    status: SourceStatus
    rebilling_enabled: bool
    billing_mode: BillingMode
    stripe_customer_id: str | None
    # Resolved from the gauge histories; declared here to keep the schema's field order.
    seats: int = strawberry.field(resolver=_source_seats)
    storage_megabytes: Decimal = strawberry.field(resolver=_source_storage_megabytes)
    created_at: datetime
    model: strawberry.Private[tenancy.Source]

    @strawberry.field
    async def tenant(self, info: Info) -> TenantNode:
        tenant = await info.context.loaders.tenant_by_id.get(self.model.tenant_id)
        assert tenant is not None
        return TenantNode.of(tenant)

    @strawberry.field(
        description="The retail rate card in force: the source's own, else the tenant default."
    )
    async def rate_card(self, info: Info) -> RateCardNode | None:
        loaders = info.context.loaders
        tenant = await loaders.tenant_by_id.get(self.model.tenant_id)
        assert tenant is not None  # a source's tenant is never deleted
        card_id = retail_card_in_force(self.model, tenant)
        card = None if card_id is None else await loaders.rate_card_by_id.get(card_id)
        return None if card is None else RateCardNode.of(card)

    @strawberry.field
    async def wallet(self, info: Info) -> WalletNode:
        return WalletNode.of(await _wallet_of(info, self.model.id))

    @strawberry.field(
        description="False while the source is suspended or its wallet is below its floor."
    )
    async def usage_allowed(self, info: Info) -> bool:
        wallet = await _wallet_of(info, self.model.id)
        return tenancy.usage_allowed(self.model, below_floor(wallet))

    @strawberry.field
    async def current_period(self, info: Info) -> BillingPeriod:
        tenant = await info.context.loaders.tenant_by_id.get(self.model.tenant_id)
        assert tenant is not None
        period = billing_period(utc_now(), tenant)
        return BillingPeriod(start=period.start, end=period.end)

    @strawberry.field(
        description="Per meter, from the hourly rollups; the current calendar month by default."
    )
    async def usage_summary(
        self, info: Info, period: PeriodInput | None = None
    ) -> list[UsageSummaryLine]:
        return await source_usage_summary(info, self.model, period)

    @strawberry.field
    async def usage(
        self,
        info: Info,
        first: int | None = 50,
        after: str | None = None,
        filter: UsageFilter | None = None,
    ) -> UsageEventConnection:
        return await source_usage(info, self.model, first, after, filter)

    @classmethod
    def of(cls, source: tenancy.Source) -> SourceNode:
        return cls(
            id=strawberry.ID(encode_id("Source", source.id)),
            name=source.name,
            external_id=source.external_id,
            status=source.status,
            rebilling_enabled=source.rebilling_enabled,
            billing_mode=source.billing_mode,
            stripe_customer_id=source.stripe_customer_id,
            created_at=source.created_at,
            model=source,
        )


@strawberry.type
class SourceEdge:
    cursor: str
    node: SourceNode


@strawberry.type
class SourceConnection:
    edges: list[SourceEdge]
    page_info: PageInfo
    total_count: int


WalletOwner = Annotated[TenantNode | SourceNode, strawberry.union("WalletOwner")]
