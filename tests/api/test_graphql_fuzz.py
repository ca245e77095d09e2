"""Schemathesis fuzzes the production app from schema.graphql: whatever it sends, the answer is
never a 500 and never "Unexpected error." (masked, i.e. something we did not expect).

Schemathesis generates each operation of the schema (through hypothesis-graphql) with our
scalars' own strategies; the requests go through the ASGI app in the test's event loop, so they
see the test's database. Hypothesis runs in a worker thread and hands each request to that loop.
Derandomized and without an example database: the same cases on every run.
"""

from __future__ import annotations

import asyncio
import base64
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx2
import pytest
import schemathesis
from graphql import NameNode, ObjectFieldNode
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.graphql import nodes
from schemathesis.specs.graphql.scalars import CUSTOM_SCALARS

from api.ids import encode_id
from tests.api.conftest import World

SCHEMA = Path(__file__).resolve().parents[2] / "schema.graphql"
MASKED = "Unexpected error."

# Texts where parsers have broken before: non-ASCII digits, exponents, the int64 micro-unit edge,
# constants, whitespace, NUL and a lone surrogate.
DECIMAL_EDGES = [
    "0",
    "-0",
    "0.006",
    "1E+3",
    "1e-7",
    "0.0000001",
    "999999999999.999999",
    "9223372036854.775807",
    "-9223372036854.775808",
    "1" * 40,
    "NaN",
    "Infinity",
    "-Infinity",
    "١",
    "²",
    "٣.٥",
    " 1",
    "1 ",
    "",
    "+1",
    "1_000",
    "0x10",
    "1\x00",
    "\ud800",
]
DATETIME_EDGES = [
    "0001-01-01T00:30+01:00",
    "9999-12-31T23:30-01:00",
    "0001-01-01T00:00:00",
    "1999-12-31T23:59Z",
    "2000-01-01T00:00:00Z",
    "2026-02-29T00:00:00Z",
    "2026-13-01T00:00:00Z",
    "yesterday",
    "",
    "2026-01-01T00:00:00+25:00",
    "٢٠٢٦-01-01T00:00:00Z",
]


def decimals() -> st.SearchStrategy[Any]:
    exact = st.decimals(
        allow_nan=False, allow_infinity=False, places=6, min_value=-(10**13), max_value=10**13
    )
    texts = st.one_of(st.sampled_from(DECIMAL_EDGES), exact.map(str), st.text(max_size=12))
    # Literal numbers are accepted too (their exact text is kept).
    return st.one_of(texts.map(nodes.String), st.integers().map(nodes.Int))


def datetimes() -> st.SearchStrategy[Any]:
    generated = st.datetimes().map(lambda d: d.isoformat() + "Z")
    return st.one_of(st.sampled_from(DATETIME_EDGES), generated, st.text(max_size=25)).map(
        nodes.String
    )


def json_object(fields: dict[str, Any]) -> Any:
    return nodes.Object(
        [ObjectFieldNode(name=NameNode(value=name), value=value) for name, value in fields.items()]
    )


def json_values() -> st.SearchStrategy[Any]:
    leaves = st.one_of(
        st.none().map(lambda _: nodes.Null),
        st.booleans().map(nodes.Boolean),
        st.integers().map(nodes.Int),
        st.text(max_size=10).map(nodes.String),
    )
    return st.recursive(
        leaves,
        lambda children: st.one_of(
            st.lists(children, max_size=3).map(nodes.List),
            st.dictionaries(
                st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,6}", fullmatch=True), children, max_size=3
            ).map(json_object),
        ),
        max_leaves=8,
    )


def ids(world: World) -> st.SearchStrategy[Any]:
    """Real IDs (ours and the other agency's), IDs forged in their format, and any text."""
    real = [
        value
        for agency in (world.a, world.b)
        for value in vars(agency).values()
        if not value.startswith("rbk_")
    ]
    forged = [
        encode_id("Source", uuid.UUID(int=0)),
        base64.urlsafe_b64encode("UsageEvent:²".encode()).decode(),
        base64.urlsafe_b64encode("UsageEvent:١".encode()).decode(),
        base64.urlsafe_b64encode(b"UsageEvent:99999999999999999999").decode(),
        base64.urlsafe_b64encode(b"Tenant:not-a-uuid").decode(),
        base64.urlsafe_b64encode(b"\xff\xfe").decode(),
    ]
    return st.one_of(st.sampled_from(real + forged), st.text(max_size=30)).map(nodes.String)


@dataclass(frozen=True)
class Failure:
    status: int
    query: str
    body: str


@pytest.fixture
def scalars(world: World) -> Iterator[None]:
    # Schemathesis keeps custom scalars in a module-level registry: restore it afterwards.
    saved = dict(CUSTOM_SCALARS)
    schemathesis.graphql.scalar("Decimal", decimals())
    schemathesis.graphql.scalar("DateTime", datetimes())
    schemathesis.graphql.scalar("JSON", json_values())
    schemathesis.graphql.scalar("ID", ids(world))
    yield
    CUSTOM_SCALARS.clear()
    CUSTOM_SCALARS.update(saved)


async def fuzz(http: httpx2.AsyncClient, secret: str | None, examples: int) -> list[Failure]:
    loop = asyncio.get_running_loop()
    schema = schemathesis.graphql.from_path(SCHEMA)
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers["Authorization"] = f"Bearer {secret}"
    failures: list[Failure] = []

    def send(query: str) -> httpx2.Response:
        # Escaped as JSON allows: a lone surrogate is "\\ud800" on the wire, as a client sends it.
        content = json.dumps({"query": query}, ensure_ascii=True)
        request = http.post("/graphql", content=content, headers=headers)
        return asyncio.run_coroutine_threadsafe(request, loop).result(timeout=60)

    # Failures are collected, not raised: every distinct one is reported, none is shrunk.
    @settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=schema.as_strategy())
    def run(case: Any) -> None:
        response = send(case.body)
        if response.status_code >= 500 or MASKED in response.text:
            failures.append(Failure(response.status_code, case.body, response.text[:500]))

    await asyncio.to_thread(run)
    return failures


# One backend is enough here: the typed answers of each area are tested on both elsewhere.
pytestmark = pytest.mark.parametrize("database", ["sqlite"], indirect=True)


async def test_fuzzed_documents_with_a_tenant_key_never_get_a_500_or_a_masked_error(
    http: httpx2.AsyncClient, world: World, scalars: None
) -> None:
    assert await fuzz(http, world.a.tenant_secret, examples=400) == []


async def test_fuzzed_documents_without_a_key_never_get_a_500_or_a_masked_error(
    http: httpx2.AsyncClient, world: World, scalars: None
) -> None:
    assert await fuzz(http, None, examples=60) == []
