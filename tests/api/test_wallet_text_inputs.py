"""Text a wallet mutation stores (idempotency keys, reasons, payment method ids) with a NUL or a
lone surrogate: InvalidInput naming the field, nothing written, on both databases."""

from __future__ import annotations

import json
from typing import Any

import pytest

from domain.text import UNSTORABLE_TEXT
from tests.api.conftest import World
from tests.api.observations import row_counts
from tests.graphql_client import GraphQLClient

NUL = "\x00"
SURROGATE = "\ud800"
BAD_TEXT = [pytest.param(NUL, id="NUL"), pytest.param(SURROGATE, id="lone surrogate")]


async def mutate(
    gql: GraphQLClient, mutation: str, input_: dict[str, Any], secret: str
) -> dict[str, Any]:
    """The mutation's result, its input sent as ASCII JSON (\\u0000, \\ud800) as a browser
    would: the test client's own encoder cannot write a lone surrogate as UTF-8."""
    name = mutation[0].upper() + mutation[1:]
    document = (
        f"mutation($input: {name}Input!) {{ {mutation}(input: $input) {{ __typename "
        "... on InvalidInput { fields { field message } } } }"
    )
    response = await gql.http.post(
        "/graphql",
        content=json.dumps({"query": document, "variables": {"input": input_}}),
        headers={"Authorization": f"Bearer {secret}", "Content-Type": "application/json"},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    result: dict[str, Any] = body["data"][mutation]
    return result


def refused(field: str, what: str) -> dict[str, Any]:
    return {
        "__typename": "InvalidInput",
        "fields": [{"field": field, "message": f"{what} {UNSTORABLE_TEXT}"}],
    }


@pytest.mark.parametrize("bad", BAD_TEXT)
async def test_top_up_keys_and_payment_method_ids_must_be_storable_text(
    gql: GraphQLClient, world: World, bad: str
) -> None:
    wallet = world.a.source_wallet_id
    cases = [
        (
            {"walletId": wallet, "amount": "5", "idempotencyKey": f"k{bad}", "method": "MANUAL"},
            world.a.tenant_secret,
            refused("idempotencyKey", "The key"),
        ),
        (
            {"walletId": wallet, "amount": "5", "idempotencyKey": f"{bad}k"},
            world.a.source_secret,
            refused("idempotencyKey", "The key"),
        ),
        (
            {"walletId": wallet, "amount": "5", "idempotencyKey": "k", "paymentMethodId": bad},
            world.a.source_secret,
            refused("paymentMethodId", "The id"),
        ),
    ]
    before = await row_counts()

    for input_, secret, expected in cases:
        assert await mutate(gql, "topUpWallet", input_, secret) == expected, input_
    assert await row_counts() == before


@pytest.mark.parametrize("bad", BAD_TEXT)
async def test_adjustment_reasons_and_keys_must_be_storable_text(
    gql: GraphQLClient, world: World, bad: str
) -> None:
    adjust = {"walletId": world.a.source_wallet_id, "amount": "-2"}
    cases = [
        ({**adjust, "reason": f"goodwill {bad}", "idempotencyKey": "k"}, "reason", "The reason"),
        ({**adjust, "reason": "goodwill", "idempotencyKey": bad}, "idempotencyKey", "The key"),
    ]
    before = await row_counts()

    for input_, field, what in cases:
        result = await mutate(gql, "adjustWallet", input_, world.a.tenant_secret)

        assert result == refused(field, what), input_
    assert await row_counts() == before


@pytest.mark.parametrize("bad", BAD_TEXT)
async def test_a_saved_payment_method_id_must_be_storable_text(
    gql: GraphQLClient, world: World, bad: str
) -> None:
    before = await row_counts()

    result = await mutate(
        gql,
        "configureWallet",
        {"walletId": world.a.source_wallet_id, "paymentMethodId": f"pm_{bad}"},
        world.a.tenant_secret,
    )

    assert result == refused("paymentMethodId", "The id")
    assert await row_counts() == before
