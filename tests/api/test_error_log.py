"""What the log says about errors: a client's mistake is one JSON line without a traceback; a
fault of ours keeps its traceback."""

from __future__ import annotations

import json
import logging

import httpx2
import pytest

from api.error_log import log_client_error
from tests.api.conftest import World
from tests.graphql_client import GraphQLClient


def _client_lines(caplog: pytest.LogCaptureFixture) -> list[dict[str, str]]:
    return [
        json.loads(record.getMessage())
        for record in caplog.records
        if record.name == "rebill.client_errors"
    ]


def _tracebacks(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.exc_info]


async def test_an_invalid_document_is_one_line_without_a_traceback(
    gql: GraphQLClient, world: World, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    await gql.raw("query Probe { nosuchfield }", secret=world.a.tenant_secret)

    [line] = _client_lines(caplog)
    assert line["event"] == "client_error" and line["surface"] == "graphql"
    assert line["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert "nosuchfield" in line["message"]
    assert line["operation"] == "Probe"
    assert _tracebacks(caplog) == []
    assert not [r for r in caplog.records if r.name == "strawberry.execution"]


async def test_a_refused_field_is_one_line_with_its_code_and_path(
    gql: GraphQLClient, world: World, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    await gql.raw("{ tenants { edges { cursor } } }", secret=world.a.tenant_secret)

    [line] = _client_lines(caplog)
    assert (line["code"], line["path"]) == ("FORBIDDEN", "tenants")
    assert _tracebacks(caplog) == []


def test_hostile_text_stays_on_one_escaped_line(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    log_client_error("graphql", "BAD_USER_INPUT", "x\n\ud800\x00" + "y" * 1_000, path="a\nb")

    [record] = [r for r in caplog.records if r.name == "rebill.client_errors"]
    text = record.getMessage()
    assert "\n" not in text and text.isascii()
    line = json.loads(text)
    assert line["message"] == "x\n\ud800\x00" + "y" * 296
    assert line["path"] == "a\nb"


async def test_an_unexpected_error_keeps_its_traceback(
    gql: GraphQLClient,
    world: World,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from services import meters

    async def broken() -> list[object]:
        raise RuntimeError("the disk is on fire")

    monkeypatch.setattr(meters, "list_meters", broken)
    caplog.set_level(logging.INFO)
    await gql.raw("{ meters { code } }", secret=world.a.tenant_secret)

    [traceback] = _tracebacks(caplog)
    assert traceback.name == "strawberry.execution"
    assert "the disk is on fire" in str(traceback.exc_info[1])  # type: ignore[index]
    assert _client_lines(caplog) == []


async def test_a_refused_bulk_request_is_one_line(
    http: httpx2.AsyncClient, world: World, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    response = await http.post(
        "/v1/usage",
        content=b'{"events": 3}',
        headers={
            "Authorization": f"Bearer {world.platform_secret}",
            "Content-Type": "application/json",
        },
    )

    assert response.status_code == 400
    [line] = _client_lines(caplog)
    assert (line["surface"], line["code"]) == ("/v1/usage", response.json()["error"])
    assert line["status"] == "400"
    assert _tracebacks(caplog) == []
