"""Which sources the hourly accrual rates: every source but the archived ones.

A suspended source still holds seats and storage, so it keeps accruing; an archived one is gone.
storage.accrual.accruing_sources selects them in SQL with ``NOT_ACCRUING``, and
tests/storage/test_rules_agree_with_sql.py checks both agree for every status.
"""

from __future__ import annotations

from domain.tenancy import SourceStatus

NOT_ACCRUING = SourceStatus.ARCHIVED


def accrues(status: SourceStatus) -> bool:
    return status is not NOT_ACCRUING
