"""Connecting a tenant (agency) to Stripe: one connected account each, onboarded by link."""

from __future__ import annotations

from urllib.parse import urlsplit
from uuid import UUID

from adapters.payments import GatewayRequestError, GatewayRetryableError, GatewayUnavailable
from domain.access import Caller
from domain.errors import (
    FieldProblem,
    InvalidInputError,
    PaymentFailedError,
    PaymentProviderUnavailableError,
)
from domain.rate_card import raise_if_problems
from domain.tenancy import MAX_URL_LENGTH, StripeStatus, Tenant
from services import payments, visibility
from storage import tenants

LOCAL_HOSTS = {"localhost", "127.0.0.1", "[::1]"}
PROVIDER_UNAVAILABLE = (
    "Stripe could not be reached or did not answer in time: connect again, the same account "
    "is reused."
)


def check_redirect_url(url: str, field: str) -> list[FieldProblem]:
    """https, or plain http to this machine for development."""
    parts = urlsplit(url.strip())
    local = parts.scheme == "http" and parts.netloc.rsplit(":", 1)[0] in LOCAL_HOSTS
    if len(url) > MAX_URL_LENGTH or not parts.netloc or not (parts.scheme == "https" or local):
        return [FieldProblem(field, "Use an https URL (or http://localhost for development).")]
    return []


async def connect_stripe_account(
    caller: Caller, tenant_id: UUID | None, *, return_url: str, refresh_url: str
) -> tuple[Tenant, str]:
    """The tenant's connected account, created once, and a fresh onboarding link for it.

    The account id is stored as soon as Stripe answers with it, before the link is asked for:
    if the link then fails, the account exists at Stripe and the next call only asks for a
    link. Before that answer nothing is stored, and Stripe's idempotency key (connect:<tenant>)
    gives a retry the account a lost answer made."""
    tenant = await visibility.managed_tenant(caller, tenant_id)
    raise_if_problems(
        check_redirect_url(return_url, "returnUrl") + check_redirect_url(refresh_url, "refreshUrl")
    )
    gateway = payments.gateway()
    try:
        if tenant.stripe.account_id is None:
            # Keyed by the tenant: a retry, or two racing requests, get the same account.
            account = await gateway.create_connected_account(
                email=tenant.branding.support_email,
                business_name=tenant.branding.display_name or tenant.name,
                idempotency_key=f"connect:{tenant.id}",
            )
            tenant = await tenants.update_tenant(
                tenant.id,
                {
                    "stripe_account_id": account.account_id,
                    "stripe_status": StripeStatus.PENDING,
                    "stripe_charges_enabled": account.charges_enabled,
                },
            )
        assert tenant.stripe.account_id is not None
        url = await gateway.create_onboarding_link(
            account_id=tenant.stripe.account_id,
            return_url=return_url.strip(),
            refresh_url=refresh_url.strip(),
        )
    except GatewayUnavailable:
        raise InvalidInputError.single(
            "tenantId", "Stripe is not configured for this Rebill"
        ) from None
    except GatewayRetryableError:
        raise PaymentProviderUnavailableError(PROVIDER_UNAVAILABLE) from None
    except GatewayRequestError as refused:
        raise PaymentFailedError(refused.message, refused.code) from None
    return tenant, url
