"""An agency rebilling a prepaid and a postpaid client (tests.usage's), for invoices."""

from __future__ import annotations

import pytest

from tests.conftest import Database
from tests.usage.conftest import Agency, make_agency


@pytest.fixture
async def agency(db: Database) -> Agency:
    return await make_agency("agency")
