"""The billing rules of domain.billing: the retail card, who pays, provider cost, the period."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.billing import (
    PROVIDER_COST_SETTLEMENT,
    BillingPeriods,
    Payer,
    Side,
    billing_period,
    charged_retail_card,
    is_rebilled,
    provider_cost_micros,
    retail_card_in_force,
    source_pays_retail,
    wallet_payer,
)
from domain.periods import BillingPeriod
from domain.rate_card import Settlement
from domain.tenancy import (
    BillingMode,
    Branding,
    InvoiceSettings,
    Source,
    SourceStatus,
    StripeAccount,
    StripeStatus,
    Tenant,
)

CREATED = datetime(2026, 1, 1, tzinfo=UTC)
DEFAULT_CARD, OWN_CARD = uuid4(), uuid4()


def tenant(default_card: UUID | None = DEFAULT_CARD, rebilling: bool = True) -> Tenant:
    return Tenant(
        id=uuid4(),
        name="Agency",
        slug="agency",
        currency="USD",
        rebilling_enabled=rebilling,
        stripe=StripeAccount(None, StripeStatus.NOT_CONNECTED, False),
        branding=Branding("Agency"),
        invoice_settings=InvoiceSettings(),
        wholesale_rate_card_id=uuid4(),
        default_rate_card_id=default_card,
        created_at=CREATED,
    )


def source(
    own_card: UUID | None = None,
    rebilling: bool = True,
    mode: BillingMode = BillingMode.PREPAID_WALLET,
) -> Source:
    return Source(
        id=uuid4(),
        tenant_id=uuid4(),
        name="Client",
        external_id=None,
        status=SourceStatus.ACTIVE,
        rebilling_enabled=rebilling,
        billing_mode=mode,
        rate_card_id=own_card,
        stripe_customer_id=None,
        created_at=CREATED,
    )


@pytest.mark.parametrize(
    ("own_card", "default_card", "expected"),
    [
        (OWN_CARD, DEFAULT_CARD, OWN_CARD),
        (OWN_CARD, None, OWN_CARD),
        (None, DEFAULT_CARD, DEFAULT_CARD),
        (None, None, None),
    ],
)
def test_the_card_in_force_is_the_sources_own_else_the_tenant_default(
    own_card: UUID | None, default_card: UUID | None, expected: UUID | None
) -> None:
    # given a source with or without a card of its own, of a tenant with or without a default
    # when the card in force is asked, then the source's own card wins over the default
    assert retail_card_in_force(source(own_card), tenant(default_card)) == expected


@pytest.mark.parametrize(("tenant_rebills", "source_rebills"), [(False, True), (True, False)])
def test_the_card_in_force_does_not_depend_on_rebilling_but_no_card_is_charged_without_it(
    tenant_rebills: bool, source_rebills: bool
) -> None:
    # given rebilling off on the tenant or on the source
    agency, client = tenant(rebilling=tenant_rebills), source(OWN_CARD, rebilling=source_rebills)

    # then the source still sees its card, is not rebilled, and is charged on no card
    assert retail_card_in_force(client, agency) == OWN_CARD
    assert is_rebilled(client, agency) is False
    assert charged_retail_card(client, agency) is None


def test_a_rebilled_source_is_charged_on_the_card_in_force() -> None:
    agency = tenant()
    assert charged_retail_card(source(OWN_CARD), agency) == OWN_CARD
    assert charged_retail_card(source(None), agency) == DEFAULT_CARD
    assert charged_retail_card(source(None), tenant(default_card=None)) is None


# Every combination of side × settlement (None: the side was not rated) × mode × rebilling.
PAYERS = [
    (side, settlement, mode, rebilled, expected)
    for side in Side
    for settlement in (*Settlement, None)
    for mode in BillingMode
    for rebilled in (True, False)
    for expected in [
        None
        if settlement is not Settlement.WALLET
        else Payer.TENANT
        if side is Side.WHOLESALE
        else Payer.SOURCE
        if rebilled and mode is BillingMode.PREPAID_WALLET
        else None
    ]
]


def test_the_payer_table_covers_every_combination() -> None:
    assert len(PAYERS) == len(Side) * (len(Settlement) + 1) * len(BillingMode) * 2 == 24


@pytest.mark.parametrize(("side", "settlement", "mode", "rebilled", "expected"), PAYERS)
def test_a_wallet_pays_only_wallet_lines_the_tenant_wholesale_a_rebilled_prepaid_source_retail(
    side: Side,
    settlement: Settlement | None,
    mode: BillingMode,
    rebilled: bool,
    expected: Payer | None,
) -> None:
    # when the payer of a side's charge is asked, then it is as the table above says
    assert wallet_payer(side, settlement, mode, rebilled) is expected


@pytest.mark.parametrize("mode", list(BillingMode))
@pytest.mark.parametrize("rebilled", [True, False])
def test_the_per_source_part_of_the_payer_rule_agrees_with_the_whole_rule(
    mode: BillingMode, rebilled: bool
) -> None:
    # given the part a batch resolves once per source
    # then it says the source pays exactly when the whole rule does for a WALLET retail line
    whole = wallet_payer(Side.RETAIL, Settlement.WALLET, mode, rebilled) is Payer.SOURCE
    assert source_pays_retail(mode, rebilled) is whole


def test_a_postpaid_sources_retail_is_paid_by_no_wallet() -> None:
    # given a rebilled postpaid source: its retail is invoiced, its wholesale still the tenant's
    mode = BillingMode.POSTPAID_INVOICE
    assert wallet_payer(Side.RETAIL, Settlement.WALLET, mode, True) is None
    assert wallet_payer(Side.WHOLESALE, Settlement.WALLET, mode, True) is Payer.TENANT


@pytest.mark.parametrize(
    ("settlement", "micros", "expected"),
    [
        (Settlement.EXTERNAL, 1_250_000, 1_250_000),
        (Settlement.WALLET, 1_250_000, 0),
        (None, 0, 0),
        (Settlement.EXTERNAL, 0, 0),
    ],
)
def test_only_a_wholesale_charge_on_an_external_line_counts_as_provider_cost(
    settlement: Settlement | None, micros: int, expected: int
) -> None:
    assert PROVIDER_COST_SETTLEMENT is Settlement.EXTERNAL
    assert provider_cost_micros(settlement, micros) == expected


def test_a_provider_cost_is_never_also_a_wallet_debit() -> None:
    # given every settlement: what counts as provider cost is exactly what no wallet pays
    for settlement in Settlement:
        paid = wallet_payer(Side.WHOLESALE, settlement, BillingMode.PREPAID_WALLET, True)
        assert (provider_cost_micros(settlement, 1) == 1) is (paid is None)


@pytest.mark.parametrize(
    ("at", "start", "end"),
    [
        (
            datetime(2026, 3, 15, 12, tzinfo=UTC),
            datetime(2026, 3, 1, tzinfo=UTC),
            datetime(2026, 4, 1, tzinfo=UTC),
        ),
        (
            datetime(2026, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC),
            datetime(2026, 12, 1, tzinfo=UTC),
            datetime(2027, 1, 1, tzinfo=UTC),
        ),
        (
            datetime(2026, 2, 1, tzinfo=UTC),
            datetime(2026, 2, 1, tzinfo=UTC),
            datetime(2026, 3, 1, tzinfo=UTC),
        ),
        # 00:30 on March 1st at UTC+1 is still February in UTC.
        (
            datetime(2026, 3, 1, 0, 30, tzinfo=UTC) + timedelta(hours=-1),
            datetime(2026, 2, 1, tzinfo=UTC),
            datetime(2026, 3, 1, tzinfo=UTC),
        ),
    ],
)
def test_the_billing_period_is_the_utc_calendar_month(
    at: datetime, start: datetime, end: datetime
) -> None:
    assert billing_period(at, tenant()) == BillingPeriod(start, end)


@given(
    st.datetimes(
        min_value=datetime(2000, 1, 1),  # noqa: DTZ001 - hypothesis wants naive bounds
        max_value=datetime(2100, 1, 1),  # noqa: DTZ001
        timezones=st.just(UTC),
    )
)
def test_a_batchs_period_starts_are_the_billing_periods_of_its_instants(at: datetime) -> None:
    # given a batch's memo, asked for an instant and then for another in the same month
    periods, agency = BillingPeriods(), tenant()
    later = min(at + timedelta(days=3), billing_period(at, agency).end - timedelta(microseconds=1))

    # then each answer is the start of that instant's billing period, and contains it
    for instant in (at, later, at):
        period = billing_period(instant, agency)
        assert periods.start_of(instant, agency) == period.start
        assert period.start <= instant < period.end


def test_every_tenant_has_the_calendar_month_until_tenants_get_an_anchor_day() -> None:
    at = datetime(2026, 7, 9, 8, tzinfo=UTC)
    others = [
        tenant(rebilling=False),
        replace(tenant(), created_at=datetime(2025, 5, 20, tzinfo=UTC)),
    ]
    assert {billing_period(at, t) for t in [tenant(), *others]} == {billing_period(at, tenant())}
