"""The Stripe adapter against tests/stripe_server.py, installed where services get it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from adapters.stripe_gateway import StripeGateway
from services import payments
from tests.api.conftest import world  # noqa: F401
from tests.stripe_server import StripeServer, stripe_server, stripe_server_session  # noqa: F401

CLIENT_TIMEOUT_SECONDS = 1.0


@pytest.fixture
async def gateway(stripe_server: StripeServer) -> AsyncIterator[StripeGateway]:  # noqa: F811
    """The real gateway at the test server, as the process's gateway; no SDK-level retries, so
    a timeout reaches the caller."""
    stripe_server.hang_seconds = 3 * CLIENT_TIMEOUT_SECONDS
    gateway = StripeGateway(
        "sk_test_rebill",
        stripe_server.url,
        timeout=CLIENT_TIMEOUT_SECONDS,
        max_network_retries=0,
    )
    previous = payments.use_gateway(gateway)
    try:
        yield gateway
    finally:
        payments.use_gateway(previous)
        await gateway.close()
