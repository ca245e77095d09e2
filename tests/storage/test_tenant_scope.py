"""Storage lookups that could cross tenants take the tenant first: another tenant's row is not
found, whatever the service above would do next (DESIGN.md §1.8, invariant 8)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from uuid import UUID

import pytest

from domain.access import EVERY_TENANT, Caller, ForbiddenError, Role, TenantScope
from domain.paging import PageRequest
from domain.usage import MAX_GRAPHQL_EVENTS, UsageCriteria
from services import api_keys, wallets
from services.usage import record_usage
from storage import api_keys as key_rows
from storage import rate_cards, sources, usage_log, wallet_transactions
from storage import wallets as wallet_rows
from tests.conftest import Database
from tests.usage.conftest import PLATFORM, Agency, event, make_agency


@dataclass(frozen=True)
class Rows:
    """Tenant B's rows of every kind a lookup by id can reach."""

    agency: Agency
    key_id: UUID
    transaction_id: int


@pytest.fixture
async def b_rows(db: Database) -> Rows:
    agency = await make_agency("tenant-b")
    key = await api_keys.issue_key("b portal", Role.TENANT, tenant_id=agency.tenant_id)
    change = await wallets.adjust_wallet(
        PLATFORM, agency.source_wallet, Decimal(5), "opening credit", "open-1"
    )
    assert change.transaction is not None
    outcome = await record_usage(PLATFORM, [event(agency.source_id)], MAX_GRAPHQL_EVENTS)
    assert outcome.accepted == 1
    return Rows(agency, key.api_key.id, change.transaction.id)


async def found(scope: TenantScope, rows: Rows) -> dict[str, bool]:
    """Whether each lookup finds B's row under ``scope``."""
    b = rows.agency
    usage = await usage_log.list_usage(scope, UsageCriteria(), PageRequest(10))
    return {
        "source": await sources.source_by_id(scope, b.source_id) is not None,
        "sources": bool(await sources.sources_by_ids(scope, [b.source_id, b.postpaid_id])),
        "wallet": bool(await wallet_rows.wallets_by_ids(scope, [b.source_wallet])),
        "owner's wallet": bool(await wallet_rows.wallets_by_owner_ids(scope, [b.tenant_id])),
        "transaction": await wallet_transactions.transaction_by_id(scope, rows.transaction_id)
        is not None,
        "api key": await key_rows.api_key_by_id(scope, rows.key_id) is not None,
        "card": await rate_cards.rate_card_by_id(scope, b.card_id) is not None,
        "cards": bool(await rate_cards.rate_cards_by_ids(scope, [b.card_id])),
        "usage": bool(usage.items),
    }


async def test_another_tenants_rows_are_not_found_by_id(b_rows: Rows) -> None:
    a = await make_agency("tenant-a")

    # B's own scope and the platform's find every row; A's finds none of them
    assert set((await found(b_rows.agency.tenant_id, b_rows)).values()) == {True}
    assert set((await found(EVERY_TENANT, b_rows)).values()) == {True}
    assert await found(a.tenant_id, b_rows) == dict.fromkeys(
        await found(EVERY_TENANT, b_rows), False
    )


async def test_a_tenant_scope_finds_the_platforms_cards_as_well_as_its_own(b_rows: Rows) -> None:
    a = await make_agency("tenant-a")
    wholesale = await rate_cards.platform_default_card("USD")
    assert wholesale is not None and wholesale.tenant_id is None

    cards = await rate_cards.rate_cards_by_ids(
        a.tenant_id, [wholesale.id, a.card_id, b_rows.agency.card_id]
    )

    assert set(cards) == {wholesale.id, a.card_id}


def test_the_platform_scope_is_every_tenant_and_a_key_without_a_tenant_has_none() -> None:
    tenant = UUID(int=7)
    assert Caller(Role.PLATFORM).tenant_scope is EVERY_TENANT
    assert Caller(Role.TENANT, tenant_id=tenant).tenant_scope == tenant
    assert Caller(Role.SOURCE, tenant_id=tenant, source_id=UUID(int=8)).tenant_scope == tenant
    with pytest.raises(ForbiddenError):
        _ = Caller(Role.TENANT).tenant_scope
