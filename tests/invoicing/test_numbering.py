"""Finalizing numbers invoices from the tenant's gapless sequence, unique in the database, under
concurrency (PostgreSQL: SQLite serialises writers, so only PostgreSQL makes the race real)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from domain.invoicing.invoice import InvoiceStatus
from domain.invoicing.lifecycle import InvoiceNotEditableError
from services import sources, usage
from services.invoicing import finalize, generate
from storage.models import Invoice
from tests.conftest import Database
from tests.usage.conftest import PLATFORM, Agency, event

DEC = datetime(2026, 12, 1, tzinfo=UTC)
CLIENTS = 20


async def _twenty_drafts(agency: Agency) -> list[Invoice]:
    drafts = []
    for number in range(CLIENTS):
        source = await sources.create_source(PLATFORM, agency.tenant_id, name=f"client {number}")
        await sources.set_source_rebilling(PLATFORM, source.id, True)
        drafts.append(event(source.id, "1", occurred_at=datetime(2026, 11, 9, tzinfo=UTC)))
    assert not (await usage.record_usage(PLATFORM, drafts, 1000)).rejected
    await generate.generate_invoices(PLATFORM, agency.tenant_id, DEC)
    return await Invoice.filter(tenant_id=agency.tenant_id, total_micros__gt=0)


async def test_twenty_concurrent_finalizations_take_numbers_one_to_twenty(
    db: Database, agency: Agency
) -> None:
    if db.backend != "postgres":
        pytest.skip("concurrency is only real on PostgreSQL (SQLite serialises writers)")
    drafts = await _twenty_drafts(agency)
    assert len(drafts) == CLIENTS

    finalized = await asyncio.gather(
        *(finalize.finalize_invoice(PLATFORM, draft.id) for draft in drafts)
    )

    assert sorted(i.number or "" for i in finalized) == [
        f"INV-{n:06d}" for n in range(1, CLIENTS + 1)
    ]
    rows = await Invoice.filter(tenant_id=agency.tenant_id, status=InvoiceStatus.FINALIZED)
    assert sorted(r.sequence or 0 for r in rows) == list(range(1, CLIENTS + 1))


async def test_the_same_invoice_finalized_twice_at_once_is_numbered_once(
    db: Database, agency: Agency
) -> None:
    if db.backend != "postgres":
        pytest.skip("concurrency is only real on PostgreSQL (SQLite serialises writers)")
    draft = (await _twenty_drafts(agency))[0]

    results = await asyncio.gather(
        *(finalize.finalize_invoice(PLATFORM, draft.id) for _ in range(5)),
        return_exceptions=True,
    )

    numbered = [r for r in results if not isinstance(r, BaseException)]
    refused = [r for r in results if isinstance(r, InvoiceNotEditableError)]
    assert len(numbered) == 1 and len(refused) == 4
    assert all(r.status is InvoiceStatus.FINALIZED for r in refused)
    rows = await Invoice.filter(tenant_id=agency.tenant_id).exclude(sequence=None)
    assert [(r.sequence, r.number) for r in rows] == [(1, "INV-000001")]


async def test_a_rolled_back_finalization_gives_its_number_back(
    db: Database, agency: Agency, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = (await _twenty_drafts(agency))[:2]

    async def fail(*_: object) -> int:
        raise RuntimeError("the database went away mid-finalization")

    with monkeypatch.context() as patch:
        patch.setattr(finalize.invoices, "finalize", fail)
        with pytest.raises(RuntimeError):
            await finalize.finalize_invoice(PLATFORM, first.id)
    assert (await Invoice.get(id=first.id)).status is InvoiceStatus.DRAFT

    done = await finalize.finalize_invoice(PLATFORM, second.id)
    assert done.number == "INV-000001"
