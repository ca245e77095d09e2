"""November usage for both sources of an agency, and the GraphQL documents the invoice tests
share. The clock stands in December 2026, so November is closed and December is open."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from api.ids import decode_id, encode_id
from domain.access import Caller, Role
from domain.usage import MAX_GRAPHQL_EVENTS, UsageEventDraft
from services import sources, tenants
from services.usage import record_usage
from tests.api.conftest import Agency
from tests.graphql_client import GraphQLClient

PLATFORM = Caller(Role.PLATFORM)
NOV = datetime(2026, 11, 1, tzinfo=UTC)
DEC = datetime(2026, 12, 1, tzinfo=UTC)
UNTIL = "2026-12-01T00:00:00+00:00"


@dataclass(frozen=True)
class Billed:
    tenant_id: UUID
    source_id: UUID
    other_id: UUID

    @property
    def other_source(self) -> str:
        return encode_id("Source", self.other_id)


async def rebill(agency: Agency) -> Billed:
    tenant_id = decode_id(agency.tenant_id, "Tenant")
    source_id = decode_id(agency.source_id, "Source")
    assert tenant_id and source_id
    card_id = decode_id(agency.card_id, "RateCard")
    await tenants.set_default_rate_card(PLATFORM, tenant_id, card_id)
    await tenants.set_tenant_rebilling(PLATFORM, tenant_id, True)
    await sources.set_source_rebilling(PLATFORM, source_id, True)
    other = await sources.create_source(PLATFORM, tenant_id, name="other client")
    await sources.set_source_rebilling(PLATFORM, other.id, True)
    return Billed(tenant_id, source_id, other.id)


async def record(source_id: UUID, key: str, quantity: str, occurred_at: datetime) -> None:
    draft = UsageEventDraft(
        source_id, "message_response", Decimal(quantity), key, occurred_at=occurred_at
    )
    outcome = await record_usage(PLATFORM, [draft], MAX_GRAPHQL_EVENTS)
    assert outcome.accepted == 1, outcome


async def november_usage(agency: Agency) -> Billed:
    """3 and 2 messages in November (0.10 at 0.02) and 9 in December for the prepaid client;
    4 in November for another prepaid client."""
    billed = await rebill(agency)
    await record(billed.source_id, f"{agency.tenant_id}-n1", "3", datetime(2026, 11, 5, tzinfo=UTC))
    await record(
        billed.source_id, f"{agency.tenant_id}-n2", "2", datetime(2026, 11, 20, tzinfo=UTC)
    )
    await record(billed.source_id, f"{agency.tenant_id}-d1", "9", datetime(2026, 12, 2, tzinfo=UTC))
    await record(billed.other_id, f"{agency.tenant_id}-p1", "4", datetime(2026, 11, 9, tzinfo=UTC))
    return billed


def invoice_id(invoice: UUID) -> str:
    return encode_id("Invoice", invoice)


INVOICE_FIELDS = """
id number status currency
source { id } period { start end }
subtotal { amount currency } total { amount } paidFromWallet { amount } amountDue { amount }
rounding { amount } paymentStatus paymentFailure
branding { displayName }
finalizedAt voidedAt paidAt htmlUrl pdfUrl
lines { id kind description quantity amount { amount } meter { code } }
"""

GENERATE = "generateInvoices"
GENERATE_SELECTION = (
    "... on GenerateInvoicesSuccess { created invoices { edges { node { id status number "
    "source { id } total { amount } } } } }"
)
ACTION_SELECTION = (
    "... on InvoiceSuccess { invoice { id number status replacedBy { id status number "
    "replaces { id } } replaces { id } } } ... on InvoiceNotEditable { status }"
)


def action_document(mutation: str) -> str:
    """finalizeInvoice, voidInvoice, markInvoicePaid: all take an InvoiceActionInput."""
    return (
        f"mutation($input: InvoiceActionInput!) {{ {mutation}(input: $input) {{ __typename "
        f"... on Error {{ message }} ... on NotFound {{ id }} {ACTION_SELECTION} }} }}"
    )


async def act(gql: GraphQLClient, mutation: str, invoice: str, secret: str) -> dict[str, Any]:
    data = await gql.data(action_document(mutation), {"input": {"invoiceId": invoice}}, secret)
    result: dict[str, Any] = data[mutation]
    return result
