"""When a source is suspended for its balance, and when it resumes.

Only a source that pays from its own wallet (rebilled, prepaid) has a floor: it is suspended once
its wallet is below −creditLimit, and resumed when that no longer holds (a credit, a higher limit,
rebilling switched off, a move to invoices). A suspension an operator made stays until the
operator lifts it. storage.ledger.update_suspensions applies this rule set-based in SQL, and
tests/storage/test_rules_agree_with_sql.py runs both on the same cases.
"""

from __future__ import annotations

from typing import NamedTuple

from domain.tenancy import SourceStatus, pays_from_wallet

__all__ = ["BalanceStatus", "pays_from_wallet", "status_after_balance_check"]


class BalanceStatus(NamedTuple):
    status: SourceStatus
    suspended_for_balance: bool


def status_after_balance_check(
    current: BalanceStatus, pays_from_own_wallet: bool, wallet_below_floor: bool
) -> BalanceStatus:
    """The source's status once its balance has been checked against its floor."""
    below = pays_from_own_wallet and wallet_below_floor
    if current.status is SourceStatus.ACTIVE and below:
        return BalanceStatus(SourceStatus.SUSPENDED, True)
    if current.status is SourceStatus.SUSPENDED and current.suspended_for_balance and not below:
        return BalanceStatus(SourceStatus.ACTIVE, False)
    return current
