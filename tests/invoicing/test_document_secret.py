"""Without REBILL_DOCUMENT_SECRET, every process on a database signs document links with the
database's own key: a link the worker e-mailed opens on the API."""

from __future__ import annotations

from collections.abc import Iterator
from uuid import uuid4

import pytest

from domain.invoicing.links import LinkRefused
from services.invoicing import links
from storage.models import DocumentSecret
from tests.conftest import Database


@pytest.fixture(autouse=True)
def fresh_links() -> Iterator[None]:
    links.configure_document_links(None)
    yield
    links.configure_document_links(None)


async def test_processes_without_a_configured_secret_share_the_databases(db: Database) -> None:
    invoice = uuid4()
    await links.configure_from({})  # the worker starts
    url = links.document_url(invoice, "pdf")
    token = url.split("token=", 1)[1]

    links.configure_document_links(None)
    await links.configure_from({"REBILL_PUBLIC_URL": "https://billing.example/"})  # the API
    links.verify_document_token(invoice, "pdf", token)
    assert links.document_url(invoice, "html").startswith(
        f"https://billing.example/invoices/{invoice}.html?token="
    )
    assert await DocumentSecret.all().count() == 1


async def test_a_configured_secret_wins_and_the_database_key_does_not_open_its_links(
    db: Database,
) -> None:
    invoice = uuid4()
    await links.configure_from({})
    token = links.document_url(invoice, "html").split("token=", 1)[1]

    links.configure_document_links(None)
    await links.configure_from({"REBILL_DOCUMENT_SECRET": "s" * 40})
    with pytest.raises(LinkRefused):
        links.verify_document_token(invoice, "html", token)
