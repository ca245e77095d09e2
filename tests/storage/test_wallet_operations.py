"""Operator wallet operations on both backends: what they record, how the ledger reads back, and
that each use case is one database transaction."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest

from domain.access import EVERY_TENANT, Caller, Role
from domain.errors import IdempotencyConflictError, NotFoundError
from domain.paging import PageRequest, Position
from domain.tenancy import SourceStatus
from domain.wallet.ledger import TransactionKind
from domain.wallet.operations import TopUpMethod, operation_hash
from domain.wallet.settings import WalletSettings, settings_of
from domain.wallet.wallet import Wallet
from services import api_keys, sources, tenants, wallets
from storage import ledger, wallet_transactions
from storage.database import connection, transaction
from storage.ledger import WalletMove, move_wallets
from storage.models import Wallet as WalletRow
from storage.sources import source_by_id
from storage.wallets import wallets_by_owner_ids
from tests.conftest import Database

PLATFORM = Caller(Role.PLATFORM)
START = datetime(2026, 3, 1, tzinfo=UTC)


async def source_wallet(slug: str = "ops") -> tuple[Caller, Wallet]:
    """A tenant's key and the wallet of one of its sources."""
    tenant = await tenants.create_tenant(PLATFORM, name="Ops", slug=slug, currency="EUR")
    source = await sources.create_source(PLATFORM, tenant.id, name="client")
    issued = await api_keys.issue_key("ops key", Role.TENANT, tenant_id=tenant.id)
    caller = Caller(Role.TENANT, key_id=issued.api_key.id, tenant_id=tenant.id)
    return caller, (await wallets_by_owner_ids(EVERY_TENANT, [source.id]))[source.id]


async def ledger_rows() -> list[dict[str, object]]:
    rows = await connection().execute_query_dict(
        "SELECT kind, amount_micros, description, reference, idempotency_key, payload_hash, "
        "created_by_key_id FROM wallet_transactions ORDER BY id"
    )
    return [dict(row) for row in rows]


async def test_a_manual_top_up_records_its_key_payload_hash_and_caller(db: Database) -> None:
    caller, wallet = await source_wallet()

    change = await wallets.top_up_wallet(
        caller, wallet.id, Decimal("12.340000"), "dep-1", TopUpMethod.MANUAL
    )

    assert change.wallet.balance_micros == 12_340_000
    assert change.transaction is not None
    assert change.transaction.balance_after_micros == 12_340_000
    assert change.payment_intent is None
    expected_hash = operation_hash(TransactionKind.TOP_UP, wallet.id, 12_340_000, "MANUAL")
    rows = await ledger_rows()
    assert [{**row, "created_by_key_id": str(row["created_by_key_id"])} for row in rows] == [
        {
            "kind": "TOP_UP",
            "amount_micros": 12_340_000,
            "description": "Manual top-up",
            "reference": "dep-1",
            "idempotency_key": "dep-1",
            "payload_hash": expected_hash,
            "created_by_key_id": str(caller.key_id),
        }
    ]
    found = await wallet_transactions.transaction_by_idempotency_key(wallet.id, "dep-1")
    assert found == (change.transaction, expected_hash)
    assert await wallet_transactions.transaction_by_idempotency_key(wallet.id, "other") is None


async def test_a_conflicting_retry_raises_and_moves_nothing(db: Database) -> None:
    caller, wallet = await source_wallet()
    await wallets.adjust_wallet(caller, wallet.id, Decimal(-3), "Refund", "fix")

    with pytest.raises(IdempotencyConflictError) as raised:
        await wallets.adjust_wallet(caller, wallet.id, Decimal(-3), "Refund twice", "fix")

    assert raised.value.idempotency_key == "fix"
    assert len(await ledger_rows()) == 1
    assert (await wallets.wallets_by_ids(Caller(Role.PLATFORM), [wallet.id]))[
        wallet.id
    ].balance_micros == -3_000_000


async def test_an_operation_that_fails_after_moving_the_balance_leaves_nothing(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    caller, wallet = await source_wallet()

    async def broken(source_ids: object) -> None:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(ledger, "update_suspensions", broken)
    with pytest.raises(RuntimeError):
        await wallets.adjust_wallet(caller, wallet.id, Decimal(-5), "Debit", "atomic")

    assert await ledger_rows() == []
    assert (await wallets.wallets_by_ids(Caller(Role.PLATFORM), [wallet.id]))[
        wallet.id
    ].balance_micros == 0
    assert wallet.source_id is not None
    source = await source_by_id(EVERY_TENANT, wallet.source_id)
    assert source is not None and source.status is SourceStatus.ACTIVE


async def test_the_ledger_lists_in_the_order_the_balance_moved_whatever_the_instants(
    db: Database,
) -> None:
    # Given four moves whose instants (when each request arrived) disagree with the order in
    # which they moved the wallet, as concurrent requests do, and moves of another wallet
    _, wallet = await source_wallet()
    _, other = await source_wallet("other")
    times = [START, START + timedelta(hours=1), START + timedelta(hours=1), START]
    kinds = [
        TransactionKind.TOP_UP,
        TransactionKind.USAGE,
        TransactionKind.USAGE,
        TransactionKind.ADJUSTMENT,
    ]
    ids = []
    for index, (occurred, kind) in enumerate(zip(times, kinds, strict=True)):
        async with transaction():
            moved = await move_wallets(
                [
                    WalletMove(wallet.id, wallet.tenant_id, index + 1, kind, f"m{index}"),
                    WalletMove(other.id, other.tenant_id, 100, kind, "elsewhere"),
                ],
                occurred,
            )
        ids.append(moved[wallet.id].id)

    async def page(first: int = 50, after: Position | None = None, **criteria: Any) -> list[int]:
        request = PageRequest(first, after)
        found = await wallet_transactions.list_transactions(wallet.id, request, **criteria)
        return [entry.id for entry in found.items]

    # When it is listed, paged and filtered
    newest_first = [ids[3], ids[2], ids[1], ids[0]]
    listed = await wallet_transactions.list_transactions(wallet.id, PageRequest(2))
    last = listed.items[-1]
    entries = (await wallet_transactions.list_transactions(wallet.id, PageRequest())).items

    # Then it is newest move first, each balance_after − amount is the next one's balance_after,
    # the cursor resumes after its transaction, and the filters keep that order
    assert await page() == newest_first
    assert [
        (e.sequence, e.amount_micros, e.balance_after_micros, e.description) for e in entries
    ] == [
        (4, 4, 10, "m3"),
        (3, 3, 6, "m2"),
        (2, 2, 3, "m1"),
        (1, 1, 1, "m0"),
    ]
    assert listed.has_next_page and not listed.has_previous_page
    assert await page(after=Position(last.occurred_at, last.id)) == newest_first[2:]
    assert await page(kinds=[TransactionKind.USAGE]) == [ids[2], ids[1]]
    assert await page(occurred_from=START + timedelta(minutes=1)) == [ids[2], ids[1]]
    assert await page(occurred_to=START + timedelta(hours=1)) == [ids[3], ids[0]]
    assert all(e.occurred_at.tzinfo is not None for e in entries)
    assert (await WalletRow.get(id=wallet.id)).ledger_sequence == 4


async def test_a_cursor_naming_another_wallet_s_transaction_resumes_nowhere(
    db: Database,
) -> None:
    # Given two wallets with one transaction each
    _, wallet = await source_wallet()
    _, other = await source_wallet("other")
    async with transaction():
        moved = await move_wallets(
            [
                WalletMove(wallet.id, wallet.tenant_id, 1, TransactionKind.TOP_UP, "mine"),
                WalletMove(other.id, other.tenant_id, 1, TransactionKind.TOP_UP, "theirs"),
            ],
            START,
        )
    foreign = moved[other.id]

    # When the wallet's ledger is asked to resume after the other wallet's transaction
    found = await wallet_transactions.list_transactions(
        wallet.id, PageRequest(10, Position(foreign.occurred_at, foreign.id))
    )

    # Then nothing is listed: a cursor only resumes in the ledger it came from
    assert list(found.items) == [] and not found.has_next_page


async def test_the_ledger_is_only_listed_for_callers_who_see_the_wallet(db: Database) -> None:
    caller, wallet = await source_wallet()
    assert wallet.source_id is not None
    tenant_wallet = (await wallets_by_owner_ids(EVERY_TENANT, [wallet.tenant_id]))[wallet.tenant_id]
    _, foreign = await source_wallet("foreign")
    own_portal = Caller(Role.SOURCE, tenant_id=wallet.tenant_id, source_id=wallet.source_id)

    assert (await wallets.list_transactions(own_portal, wallet, PageRequest())).items == []
    for who, target in (
        (own_portal, tenant_wallet),
        (own_portal, foreign),
        (caller, foreign),
    ):
        with pytest.raises(NotFoundError):
            await wallets.list_transactions(who, target, PageRequest())


async def test_settings_are_saved_whole_and_a_credit_limit_change_rechecks_suspension(
    db: Database,
) -> None:
    caller, wallet = await source_wallet()
    assert wallet.source_id is not None
    # Only a rebilled prepaid source pays from its wallet, so only its floor suspends it.
    await sources.set_source_rebilling(caller, wallet.source_id, True)
    await wallets.adjust_wallet(caller, wallet.id, Decimal(-2), "Debit", "d")
    assert await status_of(wallet.source_id) is SourceStatus.SUSPENDED

    change = await wallets.configure_wallet(
        caller,
        wallet.id,
        {"creditLimit": Decimal(2), "autoReloadAmount": Decimal("7.5"), "paymentMethodId": " pm "},
    )

    assert change.transaction is None
    assert await _settings(wallet.id) == WalletSettings(
        credit_limit_micros=2_000_000,
        low_balance_threshold_micros=None,
        auto_reload_enabled=False,
        auto_reload_threshold_micros=None,
        auto_reload_amount_micros=7_500_000,
        auto_reload_monthly_cap_micros=None,
        payment_method_id="pm",
    )
    assert await status_of(wallet.source_id) is SourceStatus.ACTIVE


async def status_of(source_id: UUID) -> SourceStatus:
    source = await source_by_id(EVERY_TENANT, source_id)
    assert source is not None
    return source.status


async def _settings(wallet_id: UUID) -> WalletSettings:
    return settings_of(
        (await wallets.wallets_by_ids(Caller(Role.PLATFORM), [wallet_id]))[wallet_id]
    )


async def test_a_manual_top_up_publishes_its_committed_balance(db: Database) -> None:
    from services import events

    caller, wallet = await source_wallet()
    async with events.broadcaster().subscribe(events.WALLETS) as queue:
        await wallets.top_up_wallet(
            caller, wallet.id, Decimal("12.5"), "publish-1", TopUpMethod.MANUAL, None
        )
        await wallets.top_up_wallet(
            caller, wallet.id, Decimal("12.5"), "publish-1", TopUpMethod.MANUAL, None
        )
        messages = [queue.get_nowait() for _ in range(queue.qsize())]

    assert [(m["kind"], m["balanceMicros"]) for m in messages] == [("TOP_UP", 12_500_000)]
