"""The ledger on both backends: one statement moves every wallet, balances equal their sums."""

from __future__ import annotations

from domain.access import EVERY_TENANT, Caller, Role
from domain.tenancy import SourceStatus
from domain.wallet.ledger import TransactionKind
from services import sources, tenants
from services.clock import utc_now
from storage import wallets
from storage.database import connection, transaction
from storage.ledger import WalletMove, move_wallets, update_suspensions
from storage.reloads import claim_crossings
from storage.sources import source_by_id
from tests.conftest import Database
from tests.sql_counter import SqlCounter

PLATFORM = Caller(Role.PLATFORM)


async def ledger_sums() -> dict[str, tuple[int, int]]:
    rows = await connection().execute_query_dict(
        "SELECT w.id AS id, w.balance_micros AS balance, "
        "COALESCE((SELECT SUM(t.amount_micros) FROM wallet_transactions t "
        "WHERE t.wallet_id = w.id), 0) AS ledger FROM wallets w"
    )
    return {str(r["id"]): (int(r["balance"]), int(r["ledger"])) for r in rows}


async def test_one_statement_moves_every_wallet_and_records_its_transaction(
    db: Database, sql: SqlCounter
) -> None:
    tenant = await tenants.create_tenant(PLATFORM, name="L", slug="ledger", currency="USD")
    source = await sources.create_source(PLATFORM, tenant.id, name="client")
    owned = await wallets.wallets_by_owner_ids(EVERY_TENANT, [tenant.id, source.id])
    moves = [
        WalletMove(owned[tenant.id].id, tenant.id, -1_500, TransactionKind.USAGE, "usage"),
        WalletMove(owned[source.id].id, tenant.id, 2_000_000, TransactionKind.TOP_UP, "top-up"),
    ]

    sql.reset()
    async with transaction():
        recorded = await move_wallets(moves, utc_now())
        # the auto-reload claim: a named step of services.money_movement since issue 11
        await claim_crossings([m.wallet_id for m in moves])

    # one UPDATE for both wallets, one INSERT for both transactions, one auto-reload claim
    assert sql.count == 3
    assert recorded[owned[tenant.id].id].balance_after_micros == -1_500
    assert recorded[owned[source.id].id].balance_after_micros == 2_000_000
    assert all(balance == ledger for balance, ledger in (await ledger_sums()).values())


async def test_a_wallet_below_its_floor_suspends_and_a_credit_resumes(db: Database) -> None:
    tenant = await tenants.create_tenant(PLATFORM, name="S", slug="suspend", currency="USD")
    source = await sources.create_source(PLATFORM, tenant.id, name="client")
    await sources.set_source_rebilling(PLATFORM, source.id, True)
    wallet = (await wallets.wallets_by_owner_ids(EVERY_TENANT, [source.id]))[source.id]

    async def move(delta: int) -> SourceStatus:
        async with transaction():
            await move_wallets(
                [WalletMove(wallet.id, tenant.id, delta, TransactionKind.ADJUSTMENT, "x")],
                utc_now(),
            )
            await update_suspensions([source.id])
        found = await source_by_id(EVERY_TENANT, source.id)
        assert found is not None
        return found.status

    assert await move(0) is SourceStatus.ACTIVE  # exactly at the floor (0) is allowed
    assert await move(-1) is SourceStatus.SUSPENDED
    assert await move(1) is SourceStatus.ACTIVE


async def test_a_manual_suspension_is_not_lifted_by_a_credit(db: Database) -> None:
    tenant = await tenants.create_tenant(PLATFORM, name="M", slug="manual", currency="USD")
    source = await sources.create_source(PLATFORM, tenant.id, name="client")
    await sources.update_source(PLATFORM, source.id, status=SourceStatus.SUSPENDED)
    wallet = (await wallets.wallets_by_owner_ids(EVERY_TENANT, [source.id]))[source.id]

    async with transaction():
        await move_wallets(
            [WalletMove(wallet.id, tenant.id, 5, TransactionKind.ADJUSTMENT, "credit")], utc_now()
        )
        await update_suspensions([source.id])

    found = await source_by_id(EVERY_TENANT, source.id)
    assert found is not None and found.status is SourceStatus.SUSPENDED


async def test_the_floor_binds_only_sources_that_pay_from_their_wallet(db: Database) -> None:
    tenant = await tenants.create_tenant(PLATFORM, name="F", slug="floor", currency="USD")
    source = await sources.create_source(PLATFORM, tenant.id, name="client")
    wallet = (await wallets.wallets_by_owner_ids(EVERY_TENANT, [source.id]))[source.id]
    async with transaction():
        await move_wallets(
            [WalletMove(wallet.id, tenant.id, -5, TransactionKind.ADJUSTMENT, "debit")], utc_now()
        )
        await update_suspensions([source.id])
    not_rebilled = await source_by_id(EVERY_TENANT, source.id)

    rebilled = await sources.set_source_rebilling(PLATFORM, source.id, True)
    switched_off = await sources.set_source_rebilling(PLATFORM, source.id, False)

    assert not_rebilled is not None and not_rebilled.status is SourceStatus.ACTIVE
    assert rebilled.status is SourceStatus.SUSPENDED
    assert switched_off.status is SourceStatus.ACTIVE
