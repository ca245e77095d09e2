"""In production, nothing is sent to a loopback, link-local or private address: refused at
registration, and at send time for a host that resolves to one then."""

from __future__ import annotations

import pytest

from domain.errors import InvalidInputError
from domain.webhooks.addresses import AddressKind, WebhookAddressRefusedError
from services import outbox_deliveries, tenants
from services.webhooks import endpoints
from services.webhooks.config import configure_webhooks
from tests.conftest import PLATFORM
from tests.usage.conftest import Agency
from tests.webhooks_out.conftest import PRODUCTION, credit, delivery_rows, tenant_key
from tests.webhooks_out.receiver import Receiver

REFUSED = [
    ("http://10.0.0.1/hooks", "10.0.0.1", AddressKind.PRIVATE),
    ("http://127.0.0.1:8080/hooks", "127.0.0.1", AddressKind.LOOPBACK),
    ("http://169.254.169.254/latest/meta-data", "169.254.169.254", AddressKind.LINK_LOCAL),
    ("https://[::1]/hooks", "::1", AddressKind.LOOPBACK),
    ("http://[::ffff:192.168.1.1]/", "::ffff:c0a8:101", AddressKind.PRIVATE),
    ("http://[fd12::1]/", "fd12::1", AddressKind.UNIQUE_LOCAL),
    ("http://0.0.0.0/", "0.0.0.0", AddressKind.UNSPECIFIED),
]


@pytest.mark.parametrize(("url", "address", "kind"), REFUSED)
async def test_a_non_public_address_is_refused_at_registration_in_production(
    agency: Agency, url: str, address: str, kind: AddressKind
) -> None:
    configure_webhooks(PRODUCTION)

    with pytest.raises(WebhookAddressRefusedError) as refused:
        await endpoints.create_webhook_endpoint(
            tenant_key(agency), None, url, ["wallet.balance_updated"]
        )

    assert (str(refused.value.address), refused.value.kind) == (address, kind)
    tenant = await tenants.get_tenant(PLATFORM, agency.tenant_id)
    assert tenant is not None
    assert await endpoints.list_webhook_endpoints(tenant_key(agency), tenant) == []


async def test_a_host_name_that_resolves_to_loopback_is_refused_at_registration(
    agency: Agency,
) -> None:
    configure_webhooks(PRODUCTION)

    with pytest.raises(WebhookAddressRefusedError) as refused:
        await endpoints.create_webhook_endpoint(
            tenant_key(agency), None, "http://localhost:9/hooks", ["wallet.balance_updated"]
        )

    assert refused.value.host == "localhost"
    assert refused.value.kind is AddressKind.LOOPBACK


@pytest.mark.parametrize(
    "url", ["ftp://example.com/x", "file:///etc/passwd", "gopher://x", "example.com/hooks"]
)
async def test_only_http_and_https_urls_are_accepted(agency: Agency, url: str) -> None:
    with pytest.raises(InvalidInputError) as invalid:
        await endpoints.create_webhook_endpoint(
            tenant_key(agency), None, url, ["wallet.balance_updated"]
        )

    assert [p.field for p in invalid.value.problems] == ["url"]


async def test_an_address_refused_at_send_time_is_not_called_and_stays_pending(
    agency: Agency, receiver: Receiver
) -> None:
    # Registered while loopback was allowed: as a public name re-pointed at 127.0.0.1 would be.
    await endpoints.create_webhook_endpoint(
        tenant_key(agency), None, receiver.url, ["wallet.balance_updated"]
    )
    configure_webhooks(PRODUCTION)

    await credit(agency, 1_000_000)
    await outbox_deliveries.settle()

    assert receiver.requests == []
    (row,) = await delivery_rows()
    assert (row["status"], row["attempts"], row["last_response_code"]) == ("PENDING", 1, None)
    assert row["last_error"] == (
        "127.0.0.1 resolves to 127.0.0.1, a loopback address: "
        "webhooks are sent to public addresses only."
    )
