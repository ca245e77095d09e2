"""Usage events as the usage log shows them, and what a source used per meter.

Leaf fields are plain attributes set once per event; only relations (through the request's
loaders) and the wholesale-side amounts, which client portals may not read, are resolvers.
"""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, cast
from uuid import UUID

import strawberry
from strawberry.scalars import JSON

from api.context import Info, require_wholesale_access
from api.cursors import bad_user_input, page_request
from api.ids import decode_optional_id, decode_source_id, encode_id
from api.schema.common import Money, Node, PageInfo, connection_parts, money_or_none
from api.schema.lazy import lazy_class
from api.usage.loaders import UsageLoaders
from domain import tenancy
from domain.errors import InvalidInputError
from domain.paging import Page, PageRequest
from domain.periods import BillingPeriod
from domain.quantity import micros_to_quantity
from domain.usage import UsageCriteria, UsageEventRecord
from domain.usage_summary import MeterUsageTotal
from domain.wallet.ledger import WalletTransaction
from domain.wallet.wallet import Wallet
from services import usage_log

if TYPE_CHECKING:
    from api.disputes.types import DisputeNode
    from api.explanations.types import UsageExplanation
    from api.rate_cards.types import Meter, RateCardNode
    from api.tenancy.types import SourceNode

SourceType = Annotated["SourceNode", strawberry.lazy("api.tenancy.types")]
MeterType = Annotated["Meter", strawberry.lazy("api.rate_cards.types")]
RateCardType = Annotated["RateCardNode", strawberry.lazy("api.rate_cards.types")]
DisputeType = Annotated["DisputeNode", strawberry.lazy("api.disputes.types")]
UsageExplanationType = Annotated["UsageExplanation", strawberry.lazy("api.explanations.types")]

# Event ids are a BIGINT sequence: a cursor beyond it was not made by this API.
_LARGEST_EVENT_ID = 2**63 - 1
# A source's ID is 58 characters. decode_source_id keeps what it decodes in a cache, so text
# far longer (a 10 MB sourceId) is no ID, answered without decoding and without being kept.
_LONGEST_SOURCE_ID = 100


def reported_source_id(global_id: str) -> UUID | None:
    """The source a usage event names; None (UNKNOWN_SOURCE) when it names none."""
    return decode_source_id(global_id) if len(global_id) <= _LONGEST_SOURCE_ID else None


@strawberry.input
class PeriodInput:
    start: datetime
    end: datetime


@strawberry.input
class UsageFilter:
    source_id: strawberry.ID | None = None
    meter: str | None = None
    from_: datetime | None = strawberry.field(
        default=None, name="from", description="Events that occurred at or after this instant."
    )
    to: datetime | None = strawberry.field(
        default=None, description="Events that occurred before this instant."
    )
    idempotency_key: str | None = None
    invoice_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="Only the events that invoice's lines sum (its USAGE and LATE_USAGE lines).",
    )


def usage_criteria(usage_filter: UsageFilter | None) -> tuple[UsageCriteria, UUID | None]:
    """The criteria, and the invoice asked for (None when no invoiceId was sent)."""
    if usage_filter is None:
        return UsageCriteria(), None
    criteria = UsageCriteria(
        source_id=decode_optional_id(usage_filter.source_id, "Source"),
        meter=usage_filter.meter,
        occurred_from=usage_filter.from_,
        occurred_to=usage_filter.to,
        idempotency_key=usage_filter.idempotency_key,
    )
    return criteria, decode_optional_id(usage_filter.invoice_id, "Invoice")


async def _meter(info: Info, code: str) -> Meter:
    meter_type = cast("type[Meter]", lazy_class(MeterType))
    meter = await meter_type.by_code(info, code)
    assert meter is not None, "events and rollups refer to existing meters"
    return meter


async def _open_dispute(info: Info, event_id: int) -> DisputeNode | None:
    dispute_type = cast("type[DisputeNode]", lazy_class(DisputeType))
    return await dispute_type.open_of_event(info, event_id)


@strawberry.type(name="UsageEvent")
class UsageEventNode(Node):
    quantity: Decimal
    occurred_at: datetime
    recorded_at: datetime
    idempotency_key: str
    properties: JSON | None
    retail: Money = strawberry.field(
        description="What the tenant charged the source for this event."
    )
    retail_rate_card_version: int | None
    late: bool = strawberry.field(
        description="Rated into a later period because its own period was already invoiced."
    )
    record: strawberry.Private[UsageEventRecord]

    @strawberry.field
    async def source(self, info: Info) -> SourceType:
        source_type = cast("type[SourceNode]", lazy_class(SourceType))
        source = await source_type.by_id(info, self.record.source_id)
        assert source is not None, "an event's source exists"
        return source

    @strawberry.field
    async def meter(self, info: Info) -> MeterType:
        return await _meter(info, self.record.meter)

    @strawberry.field
    def provider_cost(self, info: Info) -> Money | None:
        require_wholesale_access(info)
        return money_or_none(self.record.provider_cost_micros, self.record.currency)

    @strawberry.field(description="What the platform charged the tenant for this event.")
    def wholesale(self, info: Info) -> Money:
        require_wholesale_access(info)
        return Money.of_micros(self.record.wholesale_micros, self.record.currency)

    @strawberry.field
    def margin(self, info: Info) -> Money:
        require_wholesale_access(info)
        return Money.of_micros(self.record.margin_micros, self.record.currency)

    @strawberry.field
    async def retail_rate_card(self, info: Info) -> RateCardType | None:
        card_id = self.record.retail_rate_card_id
        if card_id is None:
            return None
        card_type = cast("type[RateCardNode]", lazy_class(RateCardType))
        return await card_type.by_id(info, card_id)

    @strawberry.field(
        description="Why the event was charged what it was: the card, version and line recorded "
        "on it, the line's period quantity and rounded total before and after it, the tiers it "
        "fell in, and a sentence. The wholesale side is for tenant and platform keys."
    )
    async def explanation(self, info: Info) -> UsageExplanationType:
        explanation_type = cast("type[UsageExplanation]", lazy_class(UsageExplanationType))
        return await explanation_type.of_event(info, self.record.id, self.record.currency)

    @strawberry.field(description="The unresolved dispute this event is under, if any.")
    async def dispute(self, info: Info) -> DisputeType | None:
        return await _open_dispute(info, self.record.id)

    @strawberry.field(description="Whether the event is under a dispute not resolved yet.")
    async def under_dispute(self, info: Info) -> bool:
        return await _open_dispute(info, self.record.id) is not None

    @classmethod
    def of(cls, record: UsageEventRecord) -> UsageEventNode:
        # Stored as canonical JSON text; numbers come back exactly, never through a float.
        text = record.properties_json
        properties = None if text is None else JSON(json.loads(text, parse_float=Decimal))
        return cls(
            id=strawberry.ID(encode_id("UsageEvent", record.id)),
            quantity=micros_to_quantity(record.quantity_micros),
            occurred_at=record.occurred_at,
            recorded_at=record.recorded_at,
            idempotency_key=record.idempotency_key,
            properties=properties,
            retail=Money.of_micros(record.retail_micros, record.currency),
            retail_rate_card_version=record.retail_rate_card_version,
            late=record.late,
            record=record,
        )


@strawberry.type
class UsageEventEdge:
    cursor: str
    node: UsageEventNode


@strawberry.type
class UsageEventConnection:
    edges: list[UsageEventEdge]
    page_info: PageInfo

    @classmethod
    def of(cls, page: Page[UsageEventRecord]) -> UsageEventConnection:
        edges, page_info = connection_parts(page, UsageEventNode.of)
        return cls(edges=[UsageEventEdge(cursor=c, node=n) for c, n in edges], page_info=page_info)

    @staticmethod
    def page_request(first: int | None, after: str | None) -> PageRequest:
        """Like every list's, but the usage log's cursors carry an event id and an aware
        instant."""
        request = page_request(first, after, key=int)
        position = request.after
        if position is not None and not (
            isinstance(position.id, int)
            and position.id <= _LARGEST_EVENT_ID
            and position.created_at.tzinfo is not None
        ):
            raise bad_user_input("The `after` cursor is not one this API returned.")
        return request

    @classmethod
    async def of_source(
        cls,
        info: Info,
        source: tenancy.Source,
        first: int | None,
        after: str | None,
        usage_filter: UsageFilter | None,
    ) -> UsageEventConnection:
        caller = info.context.caller
        request = cls.page_request(first, after)
        criteria, invoice_id = usage_criteria(usage_filter)
        page = await usage_log.source_usage(
            caller, source, criteria, request, invoice_id=invoice_id
        )
        return cls.of(page)

    @classmethod
    async def of_transaction(
        cls, info: Info, transaction: WalletTransaction, wallet: Wallet, request: PageRequest
    ) -> UsageEventConnection:
        if request.after is None:
            # A list of transactions asks for their first pages together: one statement for all.
            loader = UsageLoaders.of(info).first_usage_of_transaction
            page = await loader.load((transaction, wallet, request.first))
        else:
            page = await usage_log.transaction_usage(
                info.context.caller, transaction, wallet, request
            )
        return cls.of(page)


@strawberry.type
class UsageSummaryLine:
    quantity: Decimal
    events: int
    retail: Money
    total: strawberry.Private[MeterUsageTotal]

    @strawberry.field
    async def meter(self, info: Info) -> MeterType:
        return await _meter(info, self.total.meter)

    @strawberry.field
    def wholesale(self, info: Info) -> Money:
        require_wholesale_access(info)
        return Money.of_micros(self.total.wholesale_micros, self.total.currency)

    @classmethod
    def of(cls, total: MeterUsageTotal) -> UsageSummaryLine:
        return cls(
            quantity=micros_to_quantity(total.quantity_micros),
            events=total.events,
            retail=Money.of_micros(total.retail_micros, total.currency),
            total=total,
        )

    @classmethod
    async def of_source(
        cls, info: Info, source: tenancy.Source, period: PeriodInput | None
    ) -> list[UsageSummaryLine]:
        caller = info.context.caller
        asked = None if period is None else BillingPeriod(period.start, period.end)
        try:
            totals = await usage_log.usage_summary(caller, source, asked)
        except InvalidInputError as error:
            raise bad_user_input(error.message) from None
        return [cls.of(total) for total in totals]
