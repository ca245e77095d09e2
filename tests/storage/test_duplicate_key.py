"""Storage answers a duplicate of a unique key the services rely on with the domain's
DuplicateKeyError, on both backends; other integrity refusals stay Tortoise's."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

import pytest
from tortoise.exceptions import IntegrityError

from domain.errors import DuplicateKeyError
from domain.rate_card import RateCardKind
from domain.tenancy import BillingMode
from domain.wallet.ledger import TransactionKind
from storage import ledger, rate_cards, sources, tenants
from storage.database import transaction
from tests.conftest import Database
from tests.usage.conftest import make_agency

NOW = datetime(2026, 3, 1, 10, tzinfo=UTC)


async def test_a_taken_slug_is_a_duplicate_key_of_tenants_slug(db: Database) -> None:
    agency = await make_agency("taken")
    tenant = await tenants.tenant_by_id(agency.tenant_id)
    assert tenant is not None

    with pytest.raises(DuplicateKeyError) as refused:
        await tenants.insert_tenant(
            name="Other",
            slug="taken",
            currency="USD",
            wholesale_rate_card_id=tenant.wholesale_rate_card_id,
        )

    assert refused.value.key == "tenants.slug"
    assert isinstance(refused.value.__cause__, IntegrityError)


async def test_a_taken_external_id_is_a_duplicate_key_of_sources_external_id(
    db: Database,
) -> None:
    agency = await make_agency("ext")

    async def insert_crm_1() -> None:
        await sources.insert_source(
            tenant_id=agency.tenant_id,
            name="client",
            external_id="crm-1",
            billing_mode=BillingMode.PREPAID_WALLET,
            rate_card_id=None,
        )

    await insert_crm_1()

    with pytest.raises(DuplicateKeyError) as refused:
        await insert_crm_1()

    assert refused.value.key == "sources.external_id"


async def test_a_second_default_card_of_a_currency_is_a_duplicate_key(db: Database) -> None:
    await make_agency("cards")  # creates the platform's default USD wholesale card

    with pytest.raises(DuplicateKeyError) as refused:
        await rate_cards.insert_rate_card(
            tenant_id=None,
            name="Another default",
            kind=RateCardKind.WHOLESALE,
            currency="USD",
            default_for_currency="USD",
        )

    assert refused.value.key == "rate_cards.default_for_currency"


async def test_a_wallet_move_under_a_recorded_idempotency_key_is_a_duplicate_key(
    db: Database,
) -> None:
    agency = await make_agency("moves")
    move = ledger.WalletMove(
        wallet_id=agency.source_wallet,
        tenant_id=agency.tenant_id,
        delta_micros=1_000_000,
        kind=TransactionKind.ADJUSTMENT,
        description="credit",
        idempotency_key="op-1",
        payload_hash="h",
    )
    async with transaction():
        await ledger.move_wallets([move], NOW)

    with pytest.raises(DuplicateKeyError) as refused:
        async with transaction():
            await ledger.move_wallets([move], NOW)

    assert refused.value.key == "wallet_transactions.idempotency_key"


async def test_an_integrity_refusal_that_is_no_duplicate_stays_an_integrity_error(
    db: Database,
) -> None:
    with pytest.raises(IntegrityError):
        await sources.insert_source(
            tenant_id=uuid4(),  # no such tenant: a foreign key refusal
            name="orphan",
            external_id=None,
            billing_mode=BillingMode.PREPAID_WALLET,
            rate_card_id=None,
        )
