"""The typed write set a batch of charges gathers (domain.billing.write_set)."""

from __future__ import annotations

from uuid import uuid4

from domain.billing.write_set import WalletDebit, WriteSet

TENANT, SOURCE, OTHER = uuid4(), uuid4(), uuid4()


def test_debits_add_up_per_wallet_owner_in_the_order_first_seen() -> None:
    writes = WriteSet()

    writes.debit(TENANT, SOURCE, 30)
    writes.debit(TENANT, TENANT, 10)
    writes.debit(TENANT, SOURCE, 12, events=2)

    assert list(writes.debits) == [(TENANT, SOURCE), (TENANT, TENANT)]
    source, tenant = writes.debits[(TENANT, SOURCE)], writes.debits[(TENANT, TENANT)]
    assert (source.micros, source.events) == (42, 3)
    assert (tenant.micros, tenant.events) == (10, 1)


def test_a_debit_gathered_elsewhere_counts_only_when_it_has_events() -> None:
    writes, gathered, empty = WriteSet(), WalletDebit(), WalletDebit()
    gathered.micros, gathered.events = 7, 2

    writes.add_debit(TENANT, SOURCE, gathered)
    writes.add_debit(TENANT, OTHER, empty)

    assert list(writes.debits) == [(TENANT, SOURCE)]
    assert repr(writes.debits[(TENANT, SOURCE)]) == "WalletDebit(micros=7, events=2)"


def test_the_debited_sources_are_the_owners_that_are_not_the_tenant() -> None:
    writes = WriteSet()
    writes.debit(TENANT, TENANT, 5)
    writes.debit(TENANT, SOURCE, 0)  # a zero charge still debits the wallet: its floor is checked
    writes.debit(TENANT, OTHER, 1)

    assert writes.debited_sources == {SOURCE, OTHER}
