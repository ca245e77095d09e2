"""Tenants and their sources. Their wallets, rate cards, usage and Stripe account belong to
other areas, named here through lazy types (no import circle)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, cast
from uuid import UUID

import strawberry

from api.context import Info, require_wholesale_access
from api.cursors import page_request
from api.ids import encode_id
from api.schema.common import Node, PageInfo, connection_parts
from api.schema.enums import BillingMode, InvoiceApproval, SourceStatus
from api.schema.lazy import lazy_class
from api.tenancy.loaders import TenancyLoaders
from domain import tenancy
from domain.billing import billing_period, retail_card_in_force
from domain.billing.period import anchor_day_in_force
from domain.margins.floor import basis_points_to_percent
from domain.quantity import micros_to_quantity
from domain.wallet.wallet import below_floor
from services import clock, rate_cards, sources

if TYPE_CHECKING:
    from api.invoices.types import InvoiceConnection, InvoiceFilter
    from api.payments.types import StripeAccount
    from api.rate_cards.types import RateCardConnection, RateCardNode
    from api.usage.types import PeriodInput, UsageEventConnection, UsageFilter, UsageSummaryLine
    from api.wallets.types import WalletNode
    from api.webhooks.types import WebhookEndpointNode

StripeAccountType = Annotated["StripeAccount", strawberry.lazy("api.payments.types")]
WalletType = Annotated["WalletNode", strawberry.lazy("api.wallets.types")]
RateCardType = Annotated["RateCardNode", strawberry.lazy("api.rate_cards.types")]
RateCardsType = Annotated["RateCardConnection", strawberry.lazy("api.rate_cards.types")]
PeriodInputType = Annotated["PeriodInput", strawberry.lazy("api.usage.types")]
UsageFilterType = Annotated["UsageFilter", strawberry.lazy("api.usage.types")]
UsageEventsType = Annotated["UsageEventConnection", strawberry.lazy("api.usage.types")]
UsageSummaryLineType = Annotated["UsageSummaryLine", strawberry.lazy("api.usage.types")]
InvoiceFilterType = Annotated["InvoiceFilter", strawberry.lazy("api.invoices.types")]
InvoicesType = Annotated["InvoiceConnection", strawberry.lazy("api.invoices.types")]
WebhookEndpointType = Annotated["WebhookEndpointNode", strawberry.lazy("api.webhooks.types")]


def _wallet_type() -> type[WalletNode]:
    return cast("type[WalletNode]", lazy_class(WalletType))


def _rate_card_type() -> type[RateCardNode]:
    return cast("type[RateCardNode]", lazy_class(RateCardType))


def _invoices_type() -> type[InvoiceConnection]:
    return cast("type[InvoiceConnection]", lazy_class(InvoicesType))


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
    billing_anchor_day: int = strawberry.field(
        description="Day of the month (1-31) billing periods start on, at 00:00 UTC: 1 is the "
        "calendar month. A month shorter than the day starts its period on its last day. A new "
        "day takes effect when the period in force ends."
    )
    billing_anchor_day_from: datetime | None = strawberry.field(
        description="When billingAnchorDay took or takes effect; null while the tenant has "
        "always billed by calendar month."
    )


@strawberry.type
class BillingPeriod:
    start: datetime
    end: datetime


@strawberry.input
class SourceFilter:
    status: SourceStatus | None = None
    rebilling_enabled: bool | None = None
    search: str | None = None


async def _gauge_levels_of(info: Info, source: tenancy.Source) -> tuple[int, int]:
    levels = await TenancyLoaders.of(info).gauge_levels_by_source_id.get(source.id)
    assert levels is not None, "a source whose gauges were never set is at 0"
    return levels


async def _source_seats(root: SourceNode, info: Info) -> int:
    seats, _ = await _gauge_levels_of(info, root.model)
    return seats


async def _source_storage_megabytes(root: SourceNode, info: Info) -> Decimal:
    _, storage_micro_mb = await _gauge_levels_of(info, root.model)
    return micros_to_quantity(storage_micro_mb)


async def _tenant_of(info: Info, tenant_id: UUID) -> tenancy.Tenant:
    tenant = await TenancyLoaders.of(info).tenant_by_id.get(tenant_id)
    assert tenant is not None  # a source's tenant is never deleted
    return tenant


@strawberry.type(name="Tenant")
class TenantNode(Node):
    name: str
    slug: str
    currency: str
    rebilling_enabled: bool
    stripe: StripeAccountType
    branding: Branding
    invoice_settings: InvoiceSettings
    created_at: datetime
    model: strawberry.Private[tenancy.Tenant]

    @strawberry.field(
        description="Margins under this percent raise marginAlerts; null: no floor. Hidden "
        "from client portals."
    )
    def margin_floor_percent(self, info: Info) -> Decimal | None:
        require_wholesale_access(info)
        floor = self.model.margin_floor_basis_points
        return None if floor is None else basis_points_to_percent(floor)

    @strawberry.field(
        description="The agency's wholesale wallet: the platform debits it for usage at "
        "wholesale rates."
    )
    async def wallet(self, info: Info) -> WalletType:
        require_wholesale_access(info)
        return await _wallet_type().of_owner(info, self.model.id)

    @strawberry.field
    async def wholesale_rate_card(self, info: Info) -> RateCardType:
        require_wholesale_access(info)
        card = await _rate_card_type().by_id(info, self.model.wholesale_rate_card_id)
        assert card is not None
        return card

    @strawberry.field(description="Retail rate card for sources that have no card of their own.")
    async def default_rate_card(self, info: Info) -> RateCardType | None:
        require_wholesale_access(info)
        if self.model.default_rate_card_id is None:
            return None
        return await _rate_card_type().by_id(info, self.model.default_rate_card_id)

    @strawberry.field
    async def rate_cards(
        self, info: Info, first: int | None = 50, after: str | None = None
    ) -> RateCardsType:
        require_wholesale_access(info)
        page = await rate_cards.list_rate_cards(
            info.context.caller, self.model, page_request(first, after)
        )
        return cast("type[RateCardConnection]", lazy_class(RateCardsType)).of(page)

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

    @strawberry.field(description="A client portal's key lists its own source's only.")
    async def invoices(
        self,
        info: Info,
        first: int | None = 50,
        after: str | None = None,
        filter: InvoiceFilterType | None = None,
    ) -> InvoicesType:
        return await _invoices_type().of_tenant(info, self.model, first, after, filter)

    @strawberry.field(description="Where the tenant's events are sent. Source keys: FORBIDDEN.")
    async def webhook_endpoints(self, info: Info) -> list[WebhookEndpointType]:
        node = cast("type[WebhookEndpointNode]", lazy_class(WebhookEndpointType))
        return await node.of_tenant(info, self.model)

    @classmethod
    def of(cls, tenant: tenancy.Tenant) -> TenantNode:
        b, s = tenant.branding, tenant.invoice_settings
        stripe_type = cast("type[StripeAccount]", lazy_class(StripeAccountType))
        return cls(
            id=strawberry.ID(encode_id("Tenant", tenant.id)),
            name=tenant.name,
            slug=tenant.slug,
            currency=tenant.currency,
            rebilling_enabled=tenant.rebilling_enabled,
            stripe=stripe_type.of(tenant.stripe),
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
                billing_anchor_day=anchor_day_in_force(s.billing_anchors),
                billing_anchor_day_from=(
                    s.billing_anchors[-1].effective_from if s.billing_anchors else None
                ),
            ),
            created_at=tenant.created_at,
            model=tenant,
        )

    @classmethod
    async def by_id(cls, info: Info, tenant_id: UUID) -> TenantNode | None:
        """Through this request's loader: one statement for every tenant a document names."""
        tenant = await TenancyLoaders.of(info).tenant_by_id.get(tenant_id)
        return None if tenant is None else cls.of(tenant)


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
    billing_email: str | None = strawberry.field(
        description="Where its invoices are e-mailed (sendInvoice)."
    )
    # Resolved from the gauge histories; declared here to keep the schema's field order.
    seats: int = strawberry.field(resolver=_source_seats)
    storage_megabytes: Decimal = strawberry.field(resolver=_source_storage_megabytes)
    created_at: datetime
    model: strawberry.Private[tenancy.Source]

    @strawberry.field
    async def tenant(self, info: Info) -> TenantNode:
        return TenantNode.of(await _tenant_of(info, self.model.tenant_id))

    @strawberry.field(
        description="The retail rate card in force: the source's own, else the tenant default."
    )
    async def rate_card(self, info: Info) -> RateCardType | None:
        tenant = await _tenant_of(info, self.model.tenant_id)
        card_id = retail_card_in_force(self.model, tenant)
        return None if card_id is None else await _rate_card_type().by_id(info, card_id)

    @strawberry.field
    async def wallet(self, info: Info) -> WalletType:
        return await _wallet_type().of_owner(info, self.model.id)

    @strawberry.field(
        description="False while the source is suspended or its wallet is below its floor."
    )
    async def usage_allowed(self, info: Info) -> bool:
        wallet = await _wallet_type().of_owner(info, self.model.id)
        return tenancy.usage_allowed(self.model, below_floor(wallet.model))

    @strawberry.field
    async def current_period(self, info: Info) -> BillingPeriod:
        tenant = await _tenant_of(info, self.model.tenant_id)
        period = billing_period(clock.utc_now(), tenant)
        return BillingPeriod(start=period.start, end=period.end)

    @strawberry.field(
        description="Per meter, from the hourly rollups; the current billing period by default."
    )
    async def usage_summary(
        self, info: Info, period: PeriodInputType | None = None
    ) -> list[UsageSummaryLineType]:
        line_type = cast("type[UsageSummaryLine]", lazy_class(UsageSummaryLineType))
        return await line_type.of_source(info, self.model, period)

    @strawberry.field
    async def usage(
        self,
        info: Info,
        first: int | None = 50,
        after: str | None = None,
        filter: UsageFilterType | None = None,
    ) -> UsageEventsType:
        events_type = cast("type[UsageEventConnection]", lazy_class(UsageEventsType))
        return await events_type.of_source(info, self.model, first, after, filter)

    @strawberry.field
    async def invoices(
        self,
        info: Info,
        first: int | None = 50,
        after: str | None = None,
        filter: InvoiceFilterType | None = None,
    ) -> InvoicesType:
        return await _invoices_type().of_source(info, self.model, first, after, filter)

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
            billing_email=source.billing_email,
            created_at=source.created_at,
            model=source,
        )

    @classmethod
    async def by_id(cls, info: Info, source_id: UUID) -> SourceNode | None:
        """Through this request's loader: one statement for every source a document names."""
        source = await TenancyLoaders.of(info).source_by_id.get(source_id)
        return None if source is None else cls.of(source)


@strawberry.type
class SourceEdge:
    cursor: str
    node: SourceNode


@strawberry.type
class SourceConnection:
    edges: list[SourceEdge]
    page_info: PageInfo
    total_count: int


@strawberry.type
class TenantSuccess:
    tenant: TenantNode

    @classmethod
    def of(cls, tenant: tenancy.Tenant) -> TenantSuccess:
        return cls(tenant=TenantNode.of(tenant))


@strawberry.type
class SourceSuccess:
    source: SourceNode

    @classmethod
    def of(cls, source: tenancy.Source) -> SourceSuccess:
        return cls(source=SourceNode.of(source))
