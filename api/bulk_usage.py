"""POST /v1/usage: the high-volume way in, for reporters that send thousands of events.

Same keys, same checks and the same answer shape as `recordUsage`, through the same service;
plain JSON validated by hand, because typed GraphQL input costs ~55 µs an event.
Body: {"events": [{sourceId, meter, quantity, idempotencyKey, occurredAt?, providerCost?,
amount?, properties?}, ...]}, optionally gzip-compressed (Content-Encoding: gzip).
"""

from __future__ import annotations

import json
import zlib
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from api.graphql_view import authenticate
from api.ids import decode_source_id
from api.schema.scalars import parse_datetime
from domain.access import ForbiddenError
from domain.errors import FieldProblem, InvalidInputError
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


class BadRequest(Exception):
    def __init__(self, message: str, problems: list[FieldProblem] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.problems = problems or []


def error_response(
    status: int, code: str, message: str, problems: list[FieldProblem]
) -> JSONResponse:
    body: dict[str, Any] = {"error": code, "message": message}
    if problems:
        body["fields"] = [{"field": p.field, "message": p.message} for p in problems]
    return JSONResponse(body, status_code=status)


async def record_usage_endpoint(request: Request) -> JSONResponse:
    caller = await authenticate(request)
    if caller is None:
        return error_response(
            401, "unauthenticated", "Send a valid API key as `Authorization: Bearer <secret>`.", []
        )
    try:
        drafts = parse_events(await read_body(request))
        outcome = await usage.record_usage(caller, drafts, MAX_HTTP_EVENTS)
    except BadRequest as error:
        return error_response(400, "invalid_request", error.message, error.problems)
    except InvalidInputError as error:
        return error_response(400, "invalid_input", error.message, error.problems)
    except ForbiddenError as error:
        return error_response(403, "forbidden", error.message, [])
    return JSONResponse(outcome_json(outcome))


async def read_body(request: Request) -> Any:
    raw = await request.body()
    encoding = request.headers.get("content-encoding", "identity").lower()
    if encoding == "gzip":
        inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
        try:
            raw = inflater.decompress(raw, MAX_INFLATED_BYTES)
        except zlib.error:
            raise BadRequest("The body is not valid gzip.") from None
        if inflater.unconsumed_tail:
            raise BadRequest("The body inflates beyond 64 MiB.")
    elif encoding != "identity":
        raise BadRequest(f"Content-Encoding {encoding!r} is not supported; use gzip.")
    try:
        return json.loads(raw, parse_float=Decimal, parse_constant=lambda name: name)
    except (ValueError, UnicodeDecodeError):
        raise BadRequest("The body is not valid JSON.") from None


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
        raise _field(sorted(event.keys() - KNOWN_FIELDS)[0], "Unknown field.")
    source_id, meter, key = event.get("sourceId"), event.get("meter"), event.get("idempotencyKey")
    if not (isinstance(source_id, str) and isinstance(meter, str) and isinstance(key, str)):
        name = next(n for n in REQUIRED_TEXT if not isinstance(event.get(n), str))
        raise _field(name, "Required, as a string.")
    quantity = _number(event, "quantity")
    if quantity is None:
        raise _field("quantity", "Required.")
    return UsageEventDraft(
        decode_source_id(source_id),
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
            return Decimal(value.strip())
        except InvalidOperation:
            raise _field(name, f"{value!r} is not a number.") from None
    raise _field(name, "Send a number or a decimal string.")


def _datetime(event: dict[str, Any]) -> datetime | None:
    value = event.get("occurredAt")
    if value is None:
        return None
    try:
        return parse_datetime(value)
    except ValueError as error:
        raise _field("occurredAt", str(error)) from None


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
