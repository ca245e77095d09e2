"""POST /v1/usage: the high-volume way in, for reporters that send thousands of events.

Same keys, same checks and the same answer shape as `recordUsage`, through the same service;
plain JSON validated by hand, because typed GraphQL input costs ~55 µs an event.
Body: {"events": [{sourceId, meter, quantity, idempotencyKey, occurredAt?, providerCost?,
amount?, properties?}, ...]} as Content-Type application/json, optionally gzip-compressed
(Content-Encoding: gzip). Whatever the bytes, the answer is a typed status, never a 500.
"""

from __future__ import annotations

import zlib
from datetime import datetime
from decimal import Decimal
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from api.graphql_view import authenticate
from api.http_errors import error_response
from api.json_body import JsonBodyError, loads_exact
from api.schema.scalars import parse_datetime
from api.usage.types import reported_source_id
from domain.access import ForbiddenError
from domain.decimal_text import parse_decimal_text
from domain.errors import FieldProblem, InvalidInputError
from domain.text import is_storable_text
from domain.usage import MAX_HTTP_EVENTS, UsageEventDraft, UsageOutcome
from services import usage

# A gzip body may expand this far and no further (a small bomb must not fill memory).
MAX_INFLATED_BYTES = 64 * 1024 * 1024
REQUIRED_TEXT = ("sourceId", "meter", "idempotencyKey")
KNOWN_FIELDS = frozenset(
    (
        "sourceId",
        "meter",
        "quantity",
        "idempotencyKey",
        "occurredAt",
        "providerCost",
        "amount",
        "properties",
    )
)


SURFACE = "/v1/usage"


class BadRequest(Exception):
    def __init__(self, message: str, problems: list[FieldProblem] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.problems = problems or []


class UnsupportedMediaType(Exception):
    """A body that is not declared as JSON: a form or text/plain is never read as events."""


async def record_usage_endpoint(request: Request) -> JSONResponse:
    caller = await authenticate(request)
    if caller is None:
        return error_response(
            SURFACE,
            401,
            "unauthenticated",
            "Send a valid API key as `Authorization: Bearer <secret>`.",
            [],
        )
    try:
        check_content_type(request.headers.get("content-type"))
        drafts = parse_events(await read_body(request))
        outcome = await usage.record_usage(caller, drafts, MAX_HTTP_EVENTS)
    except UnsupportedMediaType:
        return error_response(
            SURFACE,
            415,
            "unsupported_media_type",
            "Send the body as Content-Type: application/json.",
            [],
        )
    except BadRequest as error:
        return error_response(SURFACE, 400, "invalid_request", error.message, error.problems)
    except InvalidInputError as error:
        return error_response(SURFACE, 400, "invalid_input", error.message, error.problems)
    except ForbiddenError as error:
        return error_response(SURFACE, 403, "forbidden", error.message, [])
    return JSONResponse(outcome_json(outcome))


def check_content_type(header: str | None) -> None:
    """application/json, with or without a charset (UTF-8 only: JSON bodies are UTF-8). A
    missing header is refused too: a client that does not say what it sends may send a form."""
    if header is None:
        raise UnsupportedMediaType
    media_type, _, parameters = header.partition(";")
    if media_type.strip().lower() != "application/json":
        raise UnsupportedMediaType
    for parameter in parameters.split(";"):
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset" and value.strip().strip('"').lower() not in {
            "utf-8",
            "utf8",
        }:
            raise UnsupportedMediaType


async def read_body(request: Request) -> Any:
    return decode_body(await request.body(), request.headers.get("content-encoding", "identity"))


def decode_body(raw: bytes, content_encoding: str) -> Any:
    """The JSON value of a body as sent (gzip or identity); BadRequest otherwise."""
    encoding = content_encoding.strip().lower()
    if encoding == "gzip":
        raw = _gunzip(raw)
    elif encoding != "identity":
        raise BadRequest(f"Content-Encoding {encoding[:40]!r} is not supported; use gzip.")
    try:
        return loads_exact(raw)
    except JsonBodyError as error:
        raise BadRequest(error.message) from None


def _gunzip(raw: bytes) -> bytes:
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        inflated = inflater.decompress(raw, MAX_INFLATED_BYTES)
    except zlib.error:
        raise BadRequest("The body is not valid gzip.") from None
    if inflater.unconsumed_tail:
        raise BadRequest("The body inflates beyond 64 MiB.")
    # decompressobj stops after the first gzip member and inflates a cut stream as far as it
    # goes: without these, a second member would be dropped and a truncated body read in part.
    if not inflater.eof:
        raise BadRequest("The gzip body is truncated.")
    if inflater.unused_data:
        raise BadRequest("Send one gzip member: the body has data after the first.")
    return inflated


def parse_events(body: Any) -> list[UsageEventDraft]:
    if not isinstance(body, dict) or not isinstance(body.get("events"), list):
        raise BadRequest('Send a JSON object {"events": [...]}.')
    events = body["events"]
    if len(events) > MAX_HTTP_EVENTS:
        raise BadRequest(f"At most {MAX_HTTP_EVENTS} events a request; split the batch.")
    drafts: list[UsageEventDraft] = []
    problems: list[FieldProblem] = []
    for index, event in enumerate(events):
        try:
            drafts.append(parse_event(event))
        except BadRequest as error:
            problems += [
                FieldProblem(f"events[{index}]" + (f".{p.field}" if p.field else ""), p.message)
                for p in error.problems
            ]
    if problems:
        raise BadRequest("Some events are malformed; nothing was recorded.", problems)
    return drafts


def _field(field: str, message: str) -> BadRequest:
    return BadRequest(message, [FieldProblem(field, message)])


def parse_event(event: Any) -> UsageEventDraft:
    """Types as in UsageEventInput: a wrong type fails the request, a bad value the event."""
    if not isinstance(event, dict):
        raise _field("", "Each event is a JSON object.")
    if not event.keys() <= KNOWN_FIELDS:
        raise _field(_echo(sorted(event.keys() - KNOWN_FIELDS)[0]), "Unknown field.")
    source_id, meter, key = event.get("sourceId"), event.get("meter"), event.get("idempotencyKey")
    if not (isinstance(source_id, str) and isinstance(meter, str) and isinstance(key, str)):
        name = next(n for n in REQUIRED_TEXT if not isinstance(event.get(n), str))
        raise _field(name, "Required, as a string.")
    quantity = _number(event, "quantity")
    if quantity is None:
        raise _field("quantity", "Required.")
    return UsageEventDraft(
        reported_source_id(source_id),
        meter,
        quantity,
        key,
        _datetime(event),
        _number(event, "providerCost"),
        _number(event, "amount"),
        event.get("properties"),
    )


def _number(event: dict[str, Any], name: str) -> Decimal | None:
    """A JSON number or a decimal string, read exactly. NaN, Infinity and huge numbers are
    numbers with a bad value: they pass here and the service rejects the event."""
    value = event.get(name)
    if value is None or isinstance(value, Decimal):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    if isinstance(value, str):
        try:
            return parse_decimal_text(value)  # ASCII digits only: "١" is not 1
        except ValueError as error:
            raise _field(name, str(error)) from None
    raise _field(name, "Send a number or a decimal string.")


def _datetime(event: dict[str, Any]) -> datetime | None:
    value = event.get("occurredAt")
    if value is None:
        return None
    if not isinstance(value, str):
        raise _field("occurredAt", "Send an ISO 8601 date-time string.")
    try:
        return parse_datetime(value)
    except (ValueError, OverflowError):
        # Our own message: the parser's may quote all of a 10 MB string. An instant at the
        # calendar's edge (year 1 or 9999 with an offset) overflows when made UTC.
        raise _field("occurredAt", f"{value[:40]!r} is not an ISO 8601 date-time.") from None


def _echo(name: str) -> str:
    """A client's field name, safe to put in a response: short, and escaped when it holds
    text no response can carry (a lone surrogate)."""
    short = name[:64]
    return short if is_storable_text(short) else ascii(short)


def outcome_json(outcome: UsageOutcome) -> dict[str, Any]:
    return {
        "accepted": outcome.accepted,
        "duplicates": outcome.duplicates,
        "rejected": [
            {
                "index": r.index,
                "idempotencyKey": r.idempotency_key,
                "code": r.code.value,
                "message": r.message,
            }
            for r in outcome.rejected
        ],
    }
