"""Rules that also live in SQL for speed give the same answers as their one home in domain/.

Each test builds every case of a rule as rows, runs the set-based statement once over all of
them, and compares each row with what the pure rule says of the same inputs, on both backends.
"""

from __future__ import annotations

import itertools
from uuid import UUID

from domain.access import EVERY_TENANT
from domain.billing.accrual_scope import accrues
from domain.billing.suspension import BalanceStatus, pays_from_wallet, status_after_balance_check
from domain.tenancy import BillingMode, SourceStatus
from domain.wallet.reloads import armed_after_balance_moved
from domain.wallet.wallet import below_floor
from services import sources
from storage import accrual, ledger, reloads, wallets
from storage.models import Source as SourceRow
from storage.models import Wallet as WalletRow
from tests.conftest import Database
from tests.usage.conftest import PLATFORM, make_agency

CREDIT_LIMIT = 5_000_000
# Balances against the floor of −CREDIT_LIMIT: below it, exactly at it, above it.
BALANCES = (-CREDIT_LIMIT - 1, -CREDIT_LIMIT, 0)
STARTING = (
    BalanceStatus(SourceStatus.ACTIVE, False),
    BalanceStatus(SourceStatus.SUSPENDED, True),  # by the floor
    BalanceStatus(SourceStatus.SUSPENDED, False),  # by an operator
)


async def _source_with_wallet(tenant_id: UUID, name: str) -> tuple[UUID, UUID]:
    source = await sources.create_source(PLATFORM, tenant_id, name=name)
    wallet = await WalletRow.get(owner_id=source.id)
    return source.id, wallet.id


async def test_the_suspension_statement_agrees_with_the_rule_on_every_case(db: Database) -> None:
    # given one source for each starting status, rebilling, billing mode and balance
    agency = await make_agency("suspension-cases")
    cases = list(itertools.product(STARTING, (True, False), BillingMode, BALANCES))
    ids: list[UUID] = []
    for number, (start, rebilled, mode, balance) in enumerate(cases):
        source_id, wallet_id = await _source_with_wallet(agency.tenant_id, f"case {number}")
        await SourceRow.filter(id=source_id).update(
            status=start.status,
            suspended_for_balance=start.suspended_for_balance,
            rebilling_enabled=rebilled,
            billing_mode=mode,
        )
        await WalletRow.filter(id=wallet_id).update(
            balance_micros=balance, credit_limit_micros=CREDIT_LIMIT
        )
        ids.append(source_id)

    # when the set-based statement checks them all at once
    await ledger.update_suspensions(ids)

    # then each source has the status the pure rule gives it
    rows = {row.id: row for row in await SourceRow.filter(id__in=ids)}
    owned = await wallets.wallets_by_owner_ids(EVERY_TENANT, ids)
    for source_id, (start, rebilled, mode, _) in zip(ids, cases, strict=True):
        expected = status_after_balance_check(
            start, pays_from_wallet(rebilled, mode), below_floor(owned[source_id])
        )
        row = rows[source_id]
        found = BalanceStatus(SourceStatus(row.status), row.suspended_for_balance)
        assert found == expected, (start, rebilled, mode, owned[source_id].balance_micros)
    # and the cases cover both ways the rule can change a status
    changed = {
        status_after_balance_check(s, pays_from_wallet(r, m), b < -CREDIT_LIMIT) != s
        for s, r, m, b in cases
    }
    assert changed == {True, False}


THRESHOLD = 10_000_000
RELOAD_CASES = list(
    itertools.product(
        (True, False),  # armed
        (True, False),  # auto-reload enabled
        (50_000_000, None),  # amount
        (THRESHOLD, None),  # threshold
        (THRESHOLD - 1, THRESHOLD, THRESHOLD + 1),  # balance
    )
)


async def test_the_reload_claim_agrees_with_the_arming_rule_on_every_case(db: Database) -> None:
    # given one wallet for each arming state, setting and balance around the threshold
    agency = await make_agency("reload-cases")
    wallet_ids: list[UUID] = []
    for number, (armed, enabled, amount, threshold, balance) in enumerate(RELOAD_CASES):
        _, wallet_id = await _source_with_wallet(agency.tenant_id, f"wallet {number}")
        await WalletRow.filter(id=wallet_id).update(
            auto_reload_armed=armed,
            auto_reload_enabled=enabled,
            auto_reload_amount_micros=amount,
            auto_reload_threshold_micros=threshold,
            balance_micros=balance,
        )
        wallet_ids.append(wallet_id)

    # when the claim runs over all of them, as it does after a batch moved them
    claimed = await reloads.claim_crossings(wallet_ids)

    # then each wallet is armed as the rule says, and exactly the crossings got a reload
    rows = {row.id: row for row in await WalletRow.filter(id__in=wallet_ids)}
    crossings = set()
    for wallet_id, (armed, enabled, amount, threshold, balance) in zip(
        wallet_ids, RELOAD_CASES, strict=True
    ):
        expected = armed_after_balance_moved(armed, enabled, amount, threshold, balance)
        assert rows[wallet_id].auto_reload_armed is expected, (armed, enabled, amount, threshold)
        if armed and not expected:
            crossings.add(wallet_id)
    reloaded = [await reloads.reload_by_id(reload_id) for reload_id in claimed]
    assert len(claimed) == len(crossings) > 0
    assert {r.wallet_id for r in reloaded if r is not None} == crossings


async def test_the_accruing_sources_are_those_the_rule_says_accrue(db: Database) -> None:
    # given a source in each status
    agency = await make_agency("accrual-scope")
    by_status: dict[SourceStatus, UUID] = {}
    for status in SourceStatus:
        source_id, _ = await _source_with_wallet(agency.tenant_id, f"{status.value} source")
        await SourceRow.filter(id=source_id).update(status=status)
        by_status[status] = source_id

    # when the accrual selects its sources
    selected = {s.id for s in await accrual.accruing_sources(agency.tenant_id)}

    # then each status's source is selected exactly when the rule says it accrues
    for status, source_id in by_status.items():
        assert (source_id in selected) is accrues(status), status
    assert any(accrues(s) for s in SourceStatus) and not all(accrues(s) for s in SourceStatus)
