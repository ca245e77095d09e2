"""Credit note numbers: the tenant's own gapless sequence, under concurrency (PostgreSQL: SQLite
serialises writers, so only PostgreSQL makes the race real) and through a rollback."""

from __future__ import annotations

import asyncio

import pytest

from domain.credit_notes.rules import CreditExceedsRemainingError
from services.credit_notes.issue import issue_credit_note
from storage.credit_notes import notes
from storage.models import CreditNote as NoteRow
from storage.models import WalletTransaction as TransactionRow
from tests.conftest import Database
from tests.credit_notes.conftest import credit, lines_of, november_invoice
from tests.usage.conftest import PLATFORM, Agency

NOTES = 12


async def test_concurrent_notes_take_numbers_one_to_n_and_never_credit_too_much(
    db: Database, agency: Agency
) -> None:
    if db.backend != "postgres":
        pytest.skip("concurrency is only real on PostgreSQL (SQLite serialises writers)")
    # 10 messages at 0.02: 0.20 to credit, asked for 12 times 0.02 at once.
    invoice = await november_invoice(agency.source_id, agency.tenant_id, "10")
    (line,) = await lines_of(invoice)

    results = await asyncio.gather(
        *(
            issue_credit_note(PLATFORM, invoice.id, [credit(line, "0.02")], f"note {n}")
            for n in range(NOTES)
        ),
        return_exceptions=True,
    )

    issued = [r for r in results if not isinstance(r, BaseException)]
    refused = [r for r in results if isinstance(r, CreditExceedsRemainingError)]
    assert (len(issued), len(refused)) == (10, 2)
    assert sorted(n.number for n in issued) == [f"CN-INV-{n:06d}" for n in range(1, 11)]
    rows = await NoteRow.filter(tenant_id=agency.tenant_id)
    assert sorted(r.sequence for r in rows) == list(range(1, 11))
    assert sum(r.total_micros for r in rows) == 200_000


async def test_a_rolled_back_note_gives_its_number_back(
    db: Database, agency: Agency, monkeypatch: pytest.MonkeyPatch
) -> None:
    invoice = await november_invoice(agency.source_id, agency.tenant_id, "10")
    (line,) = await lines_of(invoice)

    async def fail(*_: object) -> None:
        raise RuntimeError("the database went away mid-issue")

    with monkeypatch.context() as patch:
        patch.setattr(notes, "insert_note", fail)
        with pytest.raises(RuntimeError):
            await issue_credit_note(PLATFORM, invoice.id, [credit(line, "0.02")], "lost")
    assert await NoteRow.all().count() == 0
    assert await TransactionRow.filter(kind="CREDIT_NOTE").count() == 0

    done = await issue_credit_note(PLATFORM, invoice.id, [credit(line, "0.02")], "kept")
    assert (done.number, done.sequence) == ("CN-INV-000001", 1)


async def test_numbers_are_per_tenant_and_distinct_from_invoice_numbers(
    db: Database, agency: Agency
) -> None:
    invoice = await november_invoice(agency.source_id, agency.tenant_id, "10")
    (line,) = await lines_of(invoice)

    first = await issue_credit_note(PLATFORM, invoice.id, [credit(line, "0.02")], "one")
    second = await issue_credit_note(PLATFORM, invoice.id, [credit(line, "0.02")], "two")

    assert invoice.number == "INV-000001"
    assert [first.number, second.number] == ["CN-INV-000001", "CN-INV-000002"]
