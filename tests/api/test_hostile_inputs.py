"""What a hostile or careless client sends gets a typed answer, never a 500 or "Unexpected
error." (production mode masks unexpected errors so): text no database can store, forged
cursors and IDs, digits of other scripts, and instants at the calendar's edges."""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx2
import pytest

from api.cursors import NOT_OURS, encode_cursor
from api.ids import decode_int_id
from domain.text import UNSTORABLE_TEXT
from tests.api.conftest import World

UNSTORABLE = ["\ud800", "a\x00b"]
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


async def post(
    http: httpx2.AsyncClient, query: str, variables: dict[str, Any], secret: str
) -> dict[str, Any]:
    """json.dumps escapes a lone surrogate as "\\ud800", as a JavaScript client would send it."""
    response = await http.post(
        "/graphql",
        content=json.dumps({"query": query, "variables": variables}),
        headers={"Authorization": f"Bearer {secret}", "Content-Type": "application/json"},
    )
    assert response.status_code == 200, response.text
    assert "Unexpected error." not in response.text
    body: dict[str, Any] = response.json()
    return body


async def mutate(
    http: httpx2.AsyncClient, name: str, input_: dict[str, Any], secret: str
) -> dict[str, Any]:
    type_name = name[0].upper() + name[1:] + "Input"
    document = (
        f"mutation($input: {type_name}!) {{ {name}(input: $input) {{ __typename "
        "... on InvalidInput { fields { field message } } } }"
    )
    body = await post(http, document, {"input": input_}, secret)
    assert "errors" not in body, body
    result: dict[str, Any] = body["data"][name]
    return result


def b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def line(description: str | None = None) -> dict[str, Any]:
    return {
        "meter": "message_response",
        "pricing": {"perUnit": {"unitPrice": "0.01"}},
        "description": description,
    }


# (mutation, its input with the text in one field, the field the error names, who sends it)
TextCase = tuple[str, Callable[[World, str], dict[str, Any]], str, str]
TEXT_FIELDS: list[TextCase] = [
    ("createTenant", lambda w, t: {"name": t, "slug": "charlie"}, "name", "platform"),
    ("updateTenant", lambda w, t: {"tenantId": w.a.tenant_id, "name": t}, "name", "tenant"),
    *[
        (
            "updateTenant",
            lambda w, t, f=field, p=prefix: {"tenantId": w.a.tenant_id, "branding": {f: p + t}},
            f"branding.{field}",
            "tenant",
        )
        for field, prefix in [
            ("displayName", ""),
            ("logoUrl", "https://example.com/"),
            ("supportEmail", "help@"),
            ("invoiceFooter", ""),
        ]
    ],
    (
        "createSource",
        lambda w, t: {"tenantId": w.a.tenant_id, "name": t},
        "name",
        "tenant",
    ),
    (
        "createSource",
        lambda w, t: {"tenantId": w.a.tenant_id, "name": "Client", "externalId": t},
        "externalId",
        "tenant",
    ),
    ("updateSource", lambda w, t: {"sourceId": w.a.source_id, "name": t}, "name", "tenant"),
    (
        "createApiKey",
        lambda w, t: {"name": t, "role": "TENANT", "tenantId": w.a.tenant_id},
        "name",
        "tenant",
    ),
    (
        "createRateCard",
        lambda w, t: {"tenantId": w.a.tenant_id, "name": t, "kind": "RETAIL", "lines": [line()]},
        "name",
        "tenant",
    ),
    (
        "createRateCard",
        lambda w, t: {
            "tenantId": w.a.tenant_id,
            "name": "Card",
            "kind": "RETAIL",
            "lines": [line(t)],
        },
        "lines[0].description",
        "tenant",
    ),
    (
        "setRates",
        lambda w, t: {"rateCardId": w.a.card_id, "lines": [line(t)]},
        "lines[0].description",
        "tenant",
    ),
]

STATE = """query($id: ID!) { tenant(id: $id) {
  name branding { displayName logoUrl supportEmail invoiceFooter }
  sources { totalCount edges { node { name externalId } } }
  rateCards { edges { node { name versions { version } } } }
} }"""


async def test_nul_or_a_lone_surrogate_in_stored_text_is_invalid_input_and_writes_nothing(
    http: httpx2.AsyncClient, world: World
) -> None:
    secrets = {"platform": world.platform_secret, "tenant": world.a.tenant_secret}
    before = await post(http, STATE, {"id": world.a.tenant_id}, world.platform_secret)

    answers = []
    for text in UNSTORABLE:
        for mutation, input_of, _field, sender in TEXT_FIELDS:
            result = await mutate(http, mutation, input_of(world, text), secrets[sender])
            answers.append((mutation, result["__typename"], result.get("fields")))
    after = await post(http, STATE, {"id": world.a.tenant_id}, world.platform_secret)
    tenants = await post(http, "{ tenants { edges { node { slug } } } }", {}, world.platform_secret)

    assert answers == [
        (mutation, "InvalidInput", [{"field": field, "message": "The text " + UNSTORABLE_TEXT}])
        for _ in UNSTORABLE
        for mutation, _, field, _ in TEXT_FIELDS
    ]
    assert after == before
    assert [e["node"]["slug"] for e in tenants["data"]["tenants"]["edges"]] == ["alpha", "bravo"]


@pytest.mark.parametrize(
    ("branding", "field"),
    [
        ({"primaryColor": "#1a2b3c\n"}, "branding.primaryColor"),
        ({"supportEmail": "help@example.com\n"}, "branding.supportEmail"),
    ],
)
async def test_a_trailing_newline_does_not_pass_a_pattern(
    http: httpx2.AsyncClient, world: World, branding: dict[str, str], field: str
) -> None:
    result = await mutate(
        http,
        "updateTenant",
        {"tenantId": world.a.tenant_id, "branding": branding},
        world.a.tenant_secret,
    )
    assert result["__typename"] == "InvalidInput"
    assert [f["field"] for f in result["fields"]] == [field]


async def test_a_slug_with_a_trailing_newline_cannot_sit_beside_the_slug(
    http: httpx2.AsyncClient, world: World
) -> None:
    result = await mutate(
        http, "createTenant", {"name": "Alpha again", "slug": "alpha\n"}, world.platform_secret
    )
    prefix = await mutate(
        http,
        "updateTenant",
        {"tenantId": world.a.tenant_id, "invoiceSettings": {"numberPrefix": "INV-\n"}},
        world.a.tenant_secret,
    )

    assert result["__typename"] == "InvalidInput"
    assert [f["field"] for f in result["fields"]] == ["slug"]
    assert [f["field"] for f in prefix["fields"]] == ["invoiceSettings.numberPrefix"]


async def test_query_text_that_no_row_can_hold_matches_nothing(
    http: httpx2.AsyncClient, world: World
) -> None:
    await record_event(http, world, "evt-1")
    queries = [
        ("query($f: UsageFilter) { usageLogs(filter: $f) { edges { cursor } } }", "idempotencyKey"),
        ("query($f: UsageFilter) { usageLogs(filter: $f) { edges { cursor } } }", "meter"),
    ]
    source_usage = (
        "query($id: ID!, $f: UsageFilter) { source(id: $id) { "
        "usage(filter: $f) { edges { cursor } } } }"
    )
    search = (
        "query($id: ID!, $s: String) { tenant(id: $id) { "
        "sources(filter: {search: $s}) { totalCount edges { cursor } } } }"
    )

    for text in UNSTORABLE:
        for query, field in queries:
            body = await post(http, query, {"f": {field: text}}, world.a.tenant_secret)
            assert body == {"data": {"usageLogs": {"edges": []}}}
            body = await post(
                http,
                source_usage,
                {"id": world.a.source_id, "f": {field: text}},
                world.a.tenant_secret,
            )
            assert body == {"data": {"source": {"usage": {"edges": []}}}}
        body = await post(http, search, {"id": world.a.tenant_id, "s": text}, world.a.tenant_secret)
        assert body == {"data": {"tenant": {"sources": {"totalCount": 0, "edges": []}}}}


async def record_event(http: httpx2.AsyncClient, world: World, key: str) -> int:
    """Records one event of source a and answers its id."""
    result = await post(
        http,
        "mutation($input: RecordUsageInput!) { recordUsage(input: $input) { "
        "... on RecordUsageSuccess { accepted } } }",
        {
            "input": {
                "events": [
                    {
                        "sourceId": world.a.source_id,
                        "meter": "message_response",
                        "quantity": "1",
                        "idempotencyKey": key,
                    }
                ]
            }
        },
        world.a.tenant_secret,
    )
    assert result["data"]["recordUsage"] == {"accepted": 1}
    log = await post(
        http,
        "query($f: UsageFilter) { usageLogs(filter: $f) { edges { node { id } } } }",
        {"f": {"idempotencyKey": key}},
        world.a.tenant_secret,
    )
    event_id = decode_int_id(log["data"]["usageLogs"]["edges"][0]["node"]["id"], "UsageEvent")
    assert event_id is not None
    return event_id


def cursor_of(parts: list[str]) -> str:
    return b64(json.dumps(parts))


AT = "2026-01-01T00:00:00+00:00"
ENTITY = "c94b5a07-700e-43c4-a265-cc230bddb83e"
FORGED_ANY = [
    "not base64 !",
    "\ud800",
    b64("[1, 2]"),
    b64('"text"'),
    b64("{}"),
    b64("[" * 150 + "]" * 150),
    cursor_of([AT]),
    cursor_of([AT, "5", "6"]),
    cursor_of(["2026-01-01T00:00:00", "5"]),  # naive
    cursor_of(["0001-01-01T00:00:00+00:00", "5"]),
    cursor_of(["0001-01-01T00:30:00+01:00", "5"]),
    cursor_of(["9999-12-31T23:30:00-01:00", "5"]),
    cursor_of(["2026-01-01T00:00:00+00:00", "99999999999999999999"]),
    cursor_of([AT, "١"]),
    cursor_of([AT, "²"]),
    cursor_of([AT.translate(ARABIC_INDIC), "5"]),
]
# Cursors of the other kind of connection: a UUID where an integer is expected and back.
FORGED_FOR_SEQUENCE = [
    *FORGED_ANY,
    encode_cursor(datetime(2026, 1, 1, tzinfo=UTC), uuid.UUID(ENTITY)),
]
FORGED_FOR_ENTITIES = [*FORGED_ANY, encode_cursor(datetime(2026, 1, 1, tzinfo=UTC), 5)]

CONNECTIONS = {
    "tenants": ("query($a: String) { tenants(first: 1, after: $a) { edges { cursor } } }", False),
    "rateCards": (
        "query($a: String, $t: ID!) { tenant(id: $t) { rateCards(first: 1, after: $a) "
        "{ edges { cursor } } } }",
        False,
    ),
    "sources": (
        "query($a: String, $t: ID!) { tenant(id: $t) { sources(first: 1, after: $a) "
        "{ edges { cursor } } } }",
        False,
    ),
    "transactions": (
        "query($a: String, $t: ID!) { tenant(id: $t) { wallet { transactions(first: 1, after: $a) "
        "{ edges { cursor } } } } }",
        True,
    ),
    "usageLogs": (
        "query($a: String) { usageLogs(first: 1, after: $a) { edges { cursor } } }",
        True,
    ),
    "usage": (
        "query($a: String, $s: ID!) { source(id: $s) { usage(first: 1, after: $a) "
        "{ edges { cursor } } } }",
        True,
    ),
    "usageEvents": (
        "query($a: String, $t: ID!) { tenant(id: $t) { wallet { transactions(first: 1) { edges "
        "{ node { usageEvents(first: 1, after: $a) { edges { cursor } } } } } } } }",
        True,
    ),
}


def cursors_in(data: Any) -> list[str]:
    if isinstance(data, dict):
        return [
            c
            for key, value in data.items()
            for c in ([value] if key == "cursor" else cursors_in(value))
        ]
    if isinstance(data, list):
        return [c for item in data for c in cursors_in(item)]
    return []


async def test_forged_cursors_are_bad_user_input_on_every_connection(
    http: httpx2.AsyncClient, world: World
) -> None:
    await record_event(http, world, "evt-1")
    await record_event(http, world, "evt-2")
    await mutate(
        http,
        "topUpWallet",
        {"walletId": world.a.wallet_id, "amount": "5", "method": "MANUAL", "idempotencyKey": "t1"},
        world.platform_secret,
    )
    names = {"t": world.a.tenant_id, "s": world.a.source_id}

    refused, resumed = {}, {}
    for name, (query, by_sequence) in CONNECTIONS.items():
        variables = {k: v for k, v in names.items() if f"${k}" in query}
        first_page = await post(http, query, variables, world.platform_secret)
        real = cursors_in(first_page["data"])
        if name != "usageEvents":  # a top-up charges no events: its list is empty
            assert len(real) == 1, (name, first_page)
            second = await post(http, query, {**variables, "a": real[0]}, world.platform_secret)
            resumed[name] = "errors" not in second
        answers = set()
        for cursor in FORGED_FOR_SEQUENCE if by_sequence else FORGED_FOR_ENTITIES:
            body = await post(http, query, {**variables, "a": cursor}, world.platform_secret)
            answers |= {(e["message"], e["extensions"]["code"]) for e in body["errors"]}
        refused[name] = answers

    assert refused == {name: {(NOT_OURS, "BAD_USER_INPUT")} for name in CONNECTIONS}
    assert resumed == {name: True for name in CONNECTIONS if name != "usageEvents"}


NODE = "query($id: ID!) { node(id: $id) { id } }"


async def test_global_ids_are_read_in_ascii_digits_and_beyond_int64_name_nothing(
    http: httpx2.AsyncClient, world: World
) -> None:
    event_id = await record_event(http, world, "evt-1")
    tenant_uuid = base64.urlsafe_b64decode(world.a.tenant_id + "==").decode().split(":")[1]
    forged = [
        f"UsageEvent:{str(event_id).translate(ARABIC_INDIC)}",
        "UsageEvent:²",
        "UsageEvent:99999999999999999999",
        "UsageEvent:" + "9" * 5000,
        "WalletTransaction:١",
        "WalletTransaction:99999999999999999999",
        f"Tenant:{tenant_uuid.translate(ARABIC_INDIC)}",
    ]

    found = await post(http, NODE, {"id": b64(f"UsageEvent:{event_id}")}, world.a.tenant_secret)
    answers = [
        await post(http, NODE, {"id": b64(global_id)}, world.platform_secret)
        for global_id in forged
    ]
    seats = await mutate(
        http,
        "setSeats",
        {"sourceId": b64("Source:" + ENTITY.translate(ARABIC_INDIC)), "seats": 1},
        world.a.tenant_secret,
    )

    assert found["data"]["node"] is not None
    assert answers == [{"data": {"node": None}}] * len(forged)
    assert seats["__typename"] == "NotFound"


def codes_and_messages(body: dict[str, Any]) -> list[tuple[str | None, str]]:
    return [(e.get("extensions", {}).get("code"), e["message"]) for e in body.get("errors", [])]


async def test_decimals_in_other_scripts_digits_are_bad_user_input_and_change_nothing(
    http: httpx2.AsyncClient, world: World
) -> None:
    storage = (
        "mutation($q: Decimal!, $s: ID!) { setStorage(input: {sourceId: $s, megabytes: $q}) "
        "{ __typename } }"
    )
    usage = (
        "mutation($q: Decimal!, $s: ID!) { recordUsage(input: {events: [{sourceId: $s, "
        'meter: "message_response", quantity: $q, idempotencyKey: "k"}]}) { __typename } }'
    )
    answers = []
    for text in ["١", "٣.٥", "²", "１"]:
        for document in (storage, usage):
            body = await post(
                http, document, {"q": text, "s": world.a.source_id}, world.a.tenant_secret
            )
            answers.append(body.get("data") is None and codes_and_messages(body)[0][0])
    literal = await post(
        http,
        'mutation($s: ID!) { setStorage(input: {sourceId: $s, megabytes: "١"}) { __typename } }',
        {"s": world.a.source_id},
        world.a.tenant_secret,
    )
    level = await post(
        http,
        "query($s: ID!) { source(id: $s) { storageMegabytes } }",
        {"s": world.a.source_id},
        world.a.tenant_secret,
    )
    log = await post(http, "{ usageLogs { edges { cursor } } }", {}, world.a.tenant_secret)

    assert answers == ["BAD_USER_INPUT"] * 8
    assert codes_and_messages(literal)[0][0] == "BAD_USER_INPUT"
    assert level["data"]["source"]["storageMegabytes"] == "0"
    assert log["data"]["usageLogs"]["edges"] == []


DATETIME_ARGUMENTS = {
    "usageLogs.from": "query($d: DateTime) { usageLogs(filter: {from: $d}) { edges { cursor } } }",
    "usageLogs.to": "query($d: DateTime) { usageLogs(filter: {to: $d}) { edges { cursor } } }",
    "usage.from": "query($d: DateTime, $s: ID!) { source(id: $s) { usage(filter: {from: $d}) "
    "{ edges { cursor } } } }",
    "usageSummary.start": "query($d: DateTime!, $s: ID!) { source(id: $s) { usageSummary(period: "
    '{start: $d, end: "2026-02-01T00:00:00Z"}) { events } } }',
    "usageSummary.end": "query($d: DateTime!, $s: ID!) { source(id: $s) { usageSummary(period: "
    '{start: "2026-01-01T00:00:00Z", end: $d}) { events } } }',
    "transactions.from": "query($d: DateTime, $t: ID!) { tenant(id: $t) { wallet { "
    "transactions(filter: {from: $d}) { edges { cursor } } } } }",
    "transactions.to": "query($d: DateTime, $t: ID!) { tenant(id: $t) { wallet { "
    "transactions(filter: {to: $d}) { edges { cursor } } } } }",
    "setSeats.effectiveAt": "mutation($d: DateTime, $s: ID!) { setSeats(input: {sourceId: $s, "
    "seats: 3, effectiveAt: $d}) { __typename } }",
    "setStorage.effectiveAt": "mutation($d: DateTime, $s: ID!) { setStorage(input: {sourceId: $s, "
    'megabytes: "3", effectiveAt: $d}) { __typename } }',
    "setRates.effectiveFrom": "mutation($d: DateTime, $c: ID!) { setRates(input: {rateCardId: $c, "
    'effectiveFrom: $d, lines: [{meter: "message_response", '
    'pricing: {perUnit: {unitPrice: "1"}}}]}) { __typename } }',
    "recordUsage.occurredAt": "mutation($d: DateTime, $s: ID!) { recordUsage(input: {events: "
    '[{sourceId: $s, meter: "message_response", quantity: "1", idempotencyKey: "k", '
    "occurredAt: $d}]}) { __typename ... on RecordUsageSuccess { accepted } } }",
}


def datetime_variables(world: World, query: str, instant: str) -> dict[str, str]:
    names = {"s": world.a.source_id, "t": world.a.tenant_id, "c": world.a.card_id}
    return {"d": instant, **{k: v for k, v in names.items() if f"${k}" in query}}


@pytest.mark.parametrize("instant", ["0001-01-01T00:30+01:00", "9999-12-31T23:30-01:00"])
async def test_instants_beyond_the_calendar_in_utc_are_bad_user_input(
    http: httpx2.AsyncClient, world: World, instant: str
) -> None:
    answers = {}
    for name, query in DATETIME_ARGUMENTS.items():
        body = await post(
            http, query, datetime_variables(world, query, instant), world.platform_secret
        )
        answers[name] = [
            code for code, message in codes_and_messages(body) if "out of range" in message
        ]

    assert answers == {name: ["BAD_USER_INPUT"] for name in DATETIME_ARGUMENTS}


@pytest.mark.parametrize(
    "instant", ["0001-01-01T00:00:00Z", "0001-01-01T00:30+00:30", "9999-12-31T23:59:59.999999Z"]
)
async def test_instants_at_the_calendar_edges_get_typed_answers(
    http: httpx2.AsyncClient, world: World, instant: str
) -> None:
    answers = {}
    for name, query in DATETIME_ARGUMENTS.items():
        body = await post(
            http, query, datetime_variables(world, query, instant), world.platform_secret
        )
        # A typed refusal (a period that ends before it starts) is an answer too.
        assert {code for code, _ in codes_and_messages(body)} <= {"BAD_USER_INPUT"}, (name, body)
        answers[name] = body["data"]

    assert answers["usageLogs.from"] == {"usageLogs": {"edges": []}}
    assert answers["recordUsage.occurredAt"] == {
        "recordUsage": {"__typename": "RecordUsageSuccess", "accepted": 0}
    }
    assert answers["usageSummary.start" if instant.startswith("0001") else "usageSummary.end"] == {
        "source": {"usageSummary": []}
    }
