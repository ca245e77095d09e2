"""The Stripe gateway over real HTTP: what it sends, and what it makes of the answers."""

from __future__ import annotations

import pytest

from adapters.payments import (
    GatewayRequestError,
    GatewayRetryableError,
    GatewayUnavailable,
    IntentRequest,
    PaymentDeclined,
)
from adapters.stripe_gateway import OfflineGateway, StripeGateway, gateway_for, to_minor_units
from domain.settings import DEFAULT_STRIPE_TIMEOUT_SECONDS, Settings, SettingsError
from tests.stripe_server import StripeServer


def intent(micros: int, currency: str = "USD", **overrides: object) -> IntentRequest:
    fields: dict[str, object] = {
        "amount_micros": micros,
        "currency": currency,
        "idempotency_key": "top_up:11111111-1111-1111-1111-111111111111",
        "connected_account_id": "acct_agency",
        "customer_id": "cus_client",
        "metadata": {"rebill_wallet_id": "w1", "rebill_kind": "TOP_UP"},
    }
    fields.update(overrides)
    return IntentRequest(**fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("micros", "currency", "minor"),
    [
        (12_340_000, "USD", 1234),
        (500_000_000, "JPY", 500),
        (1_234_000, "KWD", 1234),
        (10_000, "usd", 1),
        (1_234_500, "CLF", 12345),
        (500_000_000, "MGA", 500),  # zero-decimal at Stripe, two digits in ISO 4217
        (500_000_000, "ISK", 50_000),  # two-decimal at Stripe, zero digits in ISO 4217
    ],
)
def test_micros_become_stripe_minor_units(micros: int, currency: str, minor: int) -> None:
    assert to_minor_units(micros, currency) == minor


@pytest.mark.parametrize(
    ("micros", "currency"), [(12_345_000, "USD"), (1, "USD"), (500_500_000, "JPY"), (100, "KWD")]
)
def test_an_amount_finer_than_the_minor_unit_is_refused_not_rounded(
    micros: int, currency: str
) -> None:
    with pytest.raises(ValueError, match="not a whole number of minor units"):
        to_minor_units(micros, currency)


async def test_connected_account_is_created_with_our_key_and_metadata(
    gateway: StripeGateway, stripe_server: StripeServer
) -> None:
    first = await gateway.create_connected_account(
        email="ops@alpha.test", business_name="Alpha", idempotency_key="connect:t-1"
    )
    again = await gateway.create_connected_account(
        email="ops@alpha.test", business_name="Alpha", idempotency_key="connect:t-1"
    )

    assert first == again
    assert first.account_id.startswith("acct_") and not first.charges_enabled
    assert len(stripe_server.made("account")) == 1
    sent = stripe_server.posts_to("/v1/accounts")
    assert [r.idempotency_key for r in sent] == ["connect:t-1", "connect:t-1"]
    assert sent[0].stripe_account is None  # made on the platform's own account
    assert sent[0].form["type"] == "express"
    assert sent[0].form["email"] == "ops@alpha.test"
    assert sent[0].form["business_profile[name]"] == "Alpha"
    assert sent[0].form["metadata[rebill_key]"] == "connect:t-1"
    assert sent[0].form["capabilities[transfers][requested]"] == "true"


async def test_onboarding_link_is_for_the_account(
    gateway: StripeGateway, stripe_server: StripeServer
) -> None:
    account = await gateway.create_connected_account(
        email=None, business_name="Alpha", idempotency_key="connect:t-2"
    )

    url = await gateway.create_onboarding_link(
        account_id=account.account_id,
        return_url="https://agency.test/done",
        refresh_url="https://agency.test/again",
    )

    assert url.startswith(f"{stripe_server.url}/setup/e/{account.account_id}/")
    [sent] = stripe_server.posts_to("/v1/account_links")
    assert sent.form == {
        "account": account.account_id,
        "return_url": "https://agency.test/done",
        "refresh_url": "https://agency.test/again",
        "type": "account_onboarding",
    }


async def test_customer_is_made_on_the_connected_account(
    gateway: StripeGateway, stripe_server: StripeServer
) -> None:
    customer_id = await gateway.create_customer(
        connected_account_id="acct_agency",
        name="Client One",
        metadata={"rebill_source_id": "s-1"},
        idempotency_key="customer:s-1",
    )

    [sent] = stripe_server.posts_to("/v1/customers")
    assert sent.stripe_account == "acct_agency"
    assert sent.idempotency_key == "customer:s-1"
    assert sent.form == {"name": "Client One", "metadata[rebill_source_id]": "s-1"}
    [customer] = stripe_server.made("customer")
    assert customer["id"] == customer_id and customer["_stripe_account"] == "acct_agency"


@pytest.mark.parametrize(
    ("micros", "currency", "amount", "sent_currency"),
    [
        (12_340_000, "USD", "1234", "usd"),
        (500_000_000, "JPY", "500", "jpy"),
        (1_234_000, "KWD", "1234", "kwd"),
    ],
)
async def test_payment_intent_carries_minor_units_key_account_and_metadata(
    gateway: StripeGateway,
    stripe_server: StripeServer,
    micros: int,
    currency: str,
    amount: str,
    sent_currency: str,
) -> None:
    made = await gateway.create_payment_intent(intent(micros, currency))

    [sent] = stripe_server.posts_to("/v1/payment_intents")
    assert sent.stripe_account == "acct_agency"
    assert sent.idempotency_key == "top_up:11111111-1111-1111-1111-111111111111"
    assert sent.form == {
        "amount": amount,
        "currency": sent_currency,
        "customer": "cus_client",
        "metadata[rebill_wallet_id]": "w1",
        "metadata[rebill_kind]": "TOP_UP",
        "automatic_payment_methods[enabled]": "true",
    }
    assert made.status == "requires_payment_method"
    assert made.client_secret is not None and made.client_secret.startswith(made.id)


async def test_off_session_intent_confirms_the_saved_payment_method(
    gateway: StripeGateway, stripe_server: StripeServer
) -> None:
    made = await gateway.create_payment_intent(
        intent(25_000_000, payment_method_id="pm_card_visa", off_session=True)
    )

    [sent] = stripe_server.posts_to("/v1/payment_intents")
    assert sent.form["off_session"] == "true" and sent.form["confirm"] == "true"
    assert sent.form["payment_method"] == "pm_card_visa"
    assert "automatic_payment_methods[enabled]" not in sent.form
    assert made.status == "succeeded"


async def test_a_sub_cent_amount_is_refused_before_anything_is_sent(
    gateway: StripeGateway, stripe_server: StripeServer
) -> None:
    with pytest.raises(ValueError, match="not a whole number of minor units"):
        await gateway.create_payment_intent(intent(12_345_678, "USD"))

    assert stripe_server.requests == []


async def test_platform_intent_has_no_stripe_account_header(
    gateway: StripeGateway, stripe_server: StripeServer
) -> None:
    await gateway.create_payment_intent(intent(1_000_000, connected_account_id=None))

    [sent] = stripe_server.posts_to("/v1/payment_intents")
    assert sent.stripe_account is None


async def test_a_timeout_after_stripe_created_the_intent_is_retried_into_the_same_intent(
    gateway: StripeGateway, stripe_server: StripeServer
) -> None:
    stripe_server.timeout_after_create_once = True
    request = intent(12_340_000, payment_method_id="pm_card_visa", off_session=True)

    with pytest.raises(GatewayRetryableError):
        await gateway.create_payment_intent(request)
    retried = await gateway.create_payment_intent(request)

    [held] = stripe_server.made("payment_intent")
    assert retried.id == held["id"]
    assert retried.status == "succeeded"
    sent = stripe_server.posts_to("/v1/payment_intents")
    assert len(sent) == 2
    assert {r.idempotency_key for r in sent} == {request.idempotency_key}


async def test_sdk_retries_after_a_timeout_reuse_our_key(stripe_server: StripeServer) -> None:
    stripe_server.hang_seconds = 3.0
    stripe_server.timeout_after_create_once = True
    # Each of the three attempts gets a third of the call's 3 seconds.
    gateway = StripeGateway("sk_test_rebill", stripe_server.url, timeout=3.0, max_network_retries=2)
    try:
        made = await gateway.create_payment_intent(intent(5_000_000))
    finally:
        await gateway.close()

    [held] = stripe_server.made("payment_intent")
    assert made.id == held["id"]
    sent = stripe_server.posts_to("/v1/payment_intents")
    assert len(sent) == 2
    assert {r.idempotency_key for r in sent} == {"top_up:11111111-1111-1111-1111-111111111111"}


@pytest.mark.parametrize(
    ("payment_method", "decline_code"),
    [
        ("pm_card_chargeDeclined", "generic_decline"),
        ("pm_card_chargeDeclinedInsufficientFunds", "insufficient_funds"),
    ],
)
async def test_a_declined_card_becomes_payment_declined_with_its_code(
    gateway: StripeGateway, stripe_server: StripeServer, payment_method: str, decline_code: str
) -> None:
    with pytest.raises(PaymentDeclined) as declined:
        await gateway.create_payment_intent(
            intent(10_000_000, payment_method_id=payment_method, off_session=True)
        )

    assert declined.value.decline_code == decline_code
    assert declined.value.message == "Your card was declined."


async def test_an_unreachable_stripe_is_retryable(stripe_server: StripeServer) -> None:
    gateway = StripeGateway(
        "sk_test_rebill", "http://127.0.0.1:9", timeout=1.0, max_network_retries=0
    )
    try:
        with pytest.raises(GatewayRetryableError):
            await gateway.create_customer(
                connected_account_id="acct_x", name="n", metadata={}, idempotency_key="customer:x"
            )
    finally:
        await gateway.close()


async def test_offline_gateway_creates_nothing() -> None:
    offline = OfflineGateway()

    with pytest.raises(GatewayUnavailable):
        await offline.create_connected_account(
            email=None, business_name="Alpha", idempotency_key="connect:x"
        )
    with pytest.raises(GatewayUnavailable):
        await offline.create_onboarding_link(
            account_id="acct_x", return_url="https://a.test", refresh_url="https://a.test"
        )
    with pytest.raises(GatewayUnavailable):
        await offline.create_customer(
            connected_account_id="acct_x", name="n", metadata={}, idempotency_key="customer:x"
        )
    with pytest.raises(GatewayUnavailable):
        await offline.create_payment_intent(intent(1_000_000))
    await offline.close()


async def test_the_gateway_is_chosen_by_the_api_key() -> None:
    assert isinstance(gateway_for(Settings()), OfflineGateway)
    real = gateway_for(Settings(stripe_api_key="sk_test_x", stripe_api_base="http://127.0.0.1:9"))
    assert isinstance(real, StripeGateway)
    await real.close()


@pytest.mark.parametrize(
    ("status", "code", "param", "expected_code"),
    [
        (400, "parameter_invalid_integer", "amount", "parameter_invalid_integer"),
        (404, "resource_missing", "customer", "resource_missing"),
        (400, None, None, "invalid_request_error"),  # no code: Stripe's error type
    ],
)
async def test_a_refusal_is_a_request_error_with_stripes_message_and_code(
    gateway: StripeGateway,
    stripe_server: StripeServer,
    status: int,
    code: str | None,
    param: str | None,
    expected_code: str,
) -> None:
    stripe_server.refuse_next(
        "/v1/payment_intents", status, "invalid_request_error", "No such customer.", code, param
    )

    with pytest.raises(GatewayRequestError) as refused:
        await gateway.create_payment_intent(intent(1_000_000))

    assert refused.value.message == "Stripe refused the request: No such customer."
    assert refused.value.code == expected_code
    assert stripe_server.made("payment_intent") == []


async def test_a_conflicting_request_in_flight_at_stripe_is_retryable(
    gateway: StripeGateway, stripe_server: StripeServer
) -> None:
    stripe_server.refuse_next(
        "/v1/payment_intents",
        409,
        "idempotency_error",
        "There is currently another in-progress request using this Idempotent Key.",
    )

    with pytest.raises(GatewayRetryableError):
        await gateway.create_payment_intent(intent(1_000_000))


async def test_the_timeout_bounds_the_whole_call_sdk_retries_included(
    stripe_server: StripeServer,
) -> None:
    # Ten SDK retries of a Stripe that holds every answer would wait ten times the timeout.
    for _ in range(11):
        stripe_server.hang_next("/v1/payment_intents", 3.0)
    gateway = StripeGateway(
        "sk_test_rebill", stripe_server.url, timeout=0.5, max_network_retries=10
    )
    try:
        with pytest.raises(GatewayRetryableError):
            await gateway.create_payment_intent(intent(1_000_000))
    finally:
        await gateway.close()

    assert len(stripe_server.posts_to("/v1/payment_intents")) < 11
    assert stripe_server.made("payment_intent") == []


def test_stripe_timeout_seconds_is_a_setting_with_a_default() -> None:
    assert Settings.from_env({}).stripe_timeout_seconds == DEFAULT_STRIPE_TIMEOUT_SECONDS == 20
    assert Settings.from_env({"STRIPE_TIMEOUT_SECONDS": "2.5"}).stripe_timeout_seconds == 2.5
    for bad in ("0", "-1", "soon", "86401"):
        with pytest.raises(SettingsError, match="STRIPE_TIMEOUT_SECONDS"):
            Settings.from_env({"STRIPE_TIMEOUT_SECONDS": bad})


async def test_the_gateway_gets_the_configured_timeout() -> None:
    real = gateway_for(
        Settings(
            stripe_api_key="sk_test_x",
            stripe_api_base="http://127.0.0.1:9",
            stripe_timeout_seconds=3,
        )
    )
    assert isinstance(real, StripeGateway)
    assert real.timeout_seconds == 3
    await real.close()


async def test_a_refused_api_key_is_not_quoted_back(stripe_server: StripeServer) -> None:
    gateway = StripeGateway("rk_wrong_key_123", stripe_server.url, max_network_retries=0)
    try:
        with pytest.raises(GatewayRequestError) as refused:
            await gateway.create_payment_intent(intent(1_000_000))
    finally:
        await gateway.close()

    assert refused.value.message == (
        "Stripe refused the platform's API key: the platform's Stripe setup needs attention."
    )
    assert refused.value.code == "invalid_request_error"
