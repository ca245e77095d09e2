"""The pure wallet rules: who credits at once, amounts, operation hashes, settings merges."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from uuid import UUID, uuid4

import pytest

from domain.access import Caller, Role
from domain.errors import InvalidInputError
from domain.wallet.ledger import TransactionKind
from domain.wallet.operations import (
    Sign,
    check_money,
    credits_at_once,
    operation_hash,
    sees_wallet,
)
from domain.wallet.settings import configure, settings_of
from domain.wallet.wallet import Wallet

TENANT, OTHER_TENANT, SOURCE = uuid4(), uuid4(), uuid4()


def wallet(source_id: UUID | None = None) -> Wallet:
    return Wallet(
        id=uuid4(),
        tenant_id=TENANT,
        source_id=source_id,
        currency="USD",
        balance_micros=0,
        credit_limit_micros=0,
        low_balance_threshold_micros=None,
        auto_reload_enabled=False,
        auto_reload_threshold_micros=None,
        auto_reload_amount_micros=None,
        auto_reload_monthly_cap_micros=None,
        payment_method_id=None,
        created_at=datetime(2026, 1, 1, tzinfo=UTC),
    )


@pytest.mark.parametrize(
    ("caller", "on_tenant_wallet", "on_source_wallet"),
    [
        (Caller(Role.PLATFORM), True, True),
        (Caller(Role.TENANT, tenant_id=TENANT), False, True),
        (Caller(Role.TENANT, tenant_id=OTHER_TENANT), False, False),
        (Caller(Role.SOURCE, tenant_id=TENANT, source_id=SOURCE), False, False),
    ],
)
def test_credits_at_once_come_only_from_one_level_up(
    caller: Caller, on_tenant_wallet: bool, on_source_wallet: bool
) -> None:
    assert credits_at_once(caller, wallet()) is on_tenant_wallet
    assert credits_at_once(caller, wallet(SOURCE)) is on_source_wallet


def test_a_source_sees_its_own_wallet_only() -> None:
    portal = Caller(Role.SOURCE, tenant_id=TENANT, source_id=SOURCE)

    assert sees_wallet(portal, wallet(SOURCE))
    assert not sees_wallet(portal, wallet())
    assert not sees_wallet(portal, wallet(uuid4()))
    assert sees_wallet(Caller(Role.TENANT, tenant_id=TENANT), wallet())
    assert not sees_wallet(Caller(Role.TENANT, tenant_id=OTHER_TENANT), wallet(SOURCE))


@pytest.mark.parametrize(
    ("value", "sign", "problem"),
    [
        ("1E+2", Sign.POSITIVE, None),
        ("0.000001", Sign.POSITIVE, None),
        ("-0", Sign.NON_ZERO, "Must not be zero."),
        ("0E-12", Sign.POSITIVE, "Must be greater than zero."),
        ("1.5000000", Sign.POSITIVE, None),  # trailing zeros are not extra places
        ("1.0000005", Sign.ANY, "At most 6 decimal places."),
        ("-999999999999.999999", Sign.ANY, None),
        ("-1E+12", Sign.ANY, "Must be less than 1,000,000,000,000 in size."),
        ("-0.01", Sign.NOT_NEGATIVE, "Must not be negative."),
        ("NaN", Sign.ANY, "Must be a finite number."),
    ],
)
def test_money_checks(value: str, sign: Sign, problem: str | None) -> None:
    found = check_money(Decimal(value), "amount", sign)

    assert [p.message for p in found] == ([] if problem is None else [problem])


def test_operation_hashes_differ_by_kind_wallet_amount_and_detail() -> None:
    wallet_id = uuid4()
    base = operation_hash(TransactionKind.ADJUSTMENT, wallet_id, 100, "reason")

    assert base == operation_hash(TransactionKind.ADJUSTMENT, wallet_id, 100, "reason")
    assert len(base) == 64
    others = {
        operation_hash(TransactionKind.TOP_UP, wallet_id, 100, "reason"),
        operation_hash(TransactionKind.ADJUSTMENT, uuid4(), 100, "reason"),
        operation_hash(TransactionKind.ADJUSTMENT, wallet_id, 101, "reason"),
        operation_hash(TransactionKind.ADJUSTMENT, wallet_id, 100, "reason "),
    }
    assert base not in others and len(others) == 4


def test_configure_merges_clears_and_checks_the_result_as_a_whole() -> None:
    current = replace(
        settings_of(wallet()),
        credit_limit_micros=5_000_000,
        auto_reload_amount_micros=10_000_000,
        payment_method_id="pm_1",
    )

    merged = configure(
        current,
        {"creditLimit": None, "paymentMethodId": None, "lowBalanceThreshold": Decimal("-1")},
    )

    assert merged == replace(
        current, payment_method_id=None, low_balance_threshold_micros=-1_000_000
    )
    with pytest.raises(InvalidInputError) as raised:
        configure(merged, {"autoReloadEnabled": True, "autoReloadThreshold": Decimal(0)})
    assert [(p.field, p.message) for p in raised.value.problems] == [
        ("paymentMethodId", "Auto-reload needs this setting.")
    ]
