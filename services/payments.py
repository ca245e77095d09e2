"""The process's payment gateway: services get it here and only here.

``runtime.database`` installs the gateway the settings ask for and closes it on exit; until then
(and in tests that do not swap it) the offline gateway answers.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from adapters.payments import PaymentGateway
from adapters.stripe_gateway import OfflineGateway, gateway_for
from domain.settings import Settings

_gateway: PaymentGateway = OfflineGateway()


def gateway() -> PaymentGateway:
    return _gateway


def use_gateway(new: PaymentGateway) -> PaymentGateway:
    """Installs ``new`` for this process; returns the one it replaces."""
    global _gateway
    previous, _gateway = _gateway, new
    return previous


@asynccontextmanager
async def configured_gateway(settings: Settings) -> AsyncIterator[PaymentGateway]:
    """The gateway ``settings`` ask for, installed while the block runs, then closed."""
    new = gateway_for(settings)
    previous = use_gateway(new)
    try:
        yield new
    finally:
        use_gateway(previous)
        await new.close()
