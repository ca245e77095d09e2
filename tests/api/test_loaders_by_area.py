"""A request creates the loaders of the areas it touches, and no others."""

from __future__ import annotations

from typing import Any

from api.context import Context
from api.loader_sets import RequestLoaders
from api.rate_cards.loaders import RateCardLoaders
from api.schema.root import schema
from api.tenancy.loaders import TenancyLoaders
from api.wallets.loaders import WalletLoaders
from domain.access import Caller, Role
from domain.settings import Settings
from tests.api.conftest import World

PLATFORM = Caller(Role.PLATFORM)

WALLET_ONLY = """
query($id: ID!) { node(id: $id) { ... on Wallet {
    balance { amount } autoReload { enabled lastFailure }
} } }
"""

SOURCE_WITH_WALLET_AND_CARD = """
query($id: ID!) { source(id: $id) {
    name wallet { balance { amount } } tenant { wholesaleRateCard { name } }
} }
"""


async def loaders_created(settings: Settings, query: str, variables: dict[str, Any]) -> set[type]:
    context = Context(settings=settings, authenticated=PLATFORM)
    result = await schema.execute(query, variable_values=variables, context_value=context)
    assert result.errors is None, result.errors
    return set(context.loaders.created())


async def test_a_request_reading_only_a_wallet_creates_only_the_wallets_loaders(
    world: World, settings: Settings
) -> None:
    created = await loaders_created(settings, WALLET_ONLY, {"id": world.a.wallet_id})

    assert created == {WalletLoaders}


async def test_a_source_with_its_wallet_and_card_creates_those_three_areas_loaders(
    world: World, settings: Settings
) -> None:
    created = await loaders_created(
        settings, SOURCE_WITH_WALLET_AND_CARD, {"id": world.a.source_id}
    )

    assert created == {TenancyLoaders, WalletLoaders, RateCardLoaders}


def test_an_area_s_loader_set_is_created_once_per_request_and_afresh_for_the_next() -> None:
    first_request, second_request = RequestLoaders(PLATFORM), RequestLoaders(PLATFORM)

    same = first_request.of(WalletLoaders)

    assert first_request.of(WalletLoaders) is same
    assert second_request.of(WalletLoaders) is not same
