"""Usage events: what the platform reports, how each is checked, and how it is recorded.

Checks are pure: the ingestion service gives them the known meters and sources and the time, and
gets back, per event, either a clean event or the reason it is refused.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any, NamedTuple
from uuid import UUID

from domain.money import fractional_digits
from domain.quantity import check_event_quantity
from domain.text import NUL, UNSTORABLE_TEXT, is_storable_text, json_value_problem

MAX_GRAPHQL_EVENTS = 1_000
MAX_HTTP_EVENTS = 10_000
MAX_IDEMPOTENCY_KEY_LENGTH = 255
MAX_PROPERTIES_BYTES = 4_096
MAX_FUTURE = timedelta(hours=24)
# Usage from before this is a client's bug (year 1 was stored as -infinity on PostgreSQL); it is
# long before Rebill and far from the calendar's edges, where datetime arithmetic overflows.
EARLIEST_OCCURRED_AT = datetime(2000, 1, 1, tzinfo=UTC)
MONEY_PLACES = 6
MAX_MONEY = Decimal(10) ** 12


class UsageRejection(StrEnum):
    UNKNOWN_SOURCE = "UNKNOWN_SOURCE"
    UNKNOWN_METER = "UNKNOWN_METER"
    INVALID_QUANTITY = "INVALID_QUANTITY"
    INVALID_AMOUNT = "INVALID_AMOUNT"
    INVALID_TIMESTAMP = "INVALID_TIMESTAMP"
    SOURCE_ARCHIVED = "SOURCE_ARCHIVED"
    IDEMPOTENCY_CONFLICT = "IDEMPOTENCY_CONFLICT"
    INVALID_PROPERTIES = "INVALID_PROPERTIES"
    INVALID_IDEMPOTENCY_KEY = "INVALID_IDEMPOTENCY_KEY"
    CHARGE_OUT_OF_RANGE = "CHARGE_OUT_OF_RANGE"


class UsageEventDraft(NamedTuple):
    """An event as received. ``source_id`` is None when the client's ID did not decode.

    A tuple rather than a frozen dataclass: a request brings up to 10,000, and a tuple is built
    in a third of the time.
    """

    source_id: UUID | None
    meter: str
    quantity: Decimal
    idempotency_key: str
    occurred_at: datetime | None = None
    provider_cost: Decimal | None = None
    amount: Decimal | None = None
    properties: Any = None


@dataclass(frozen=True, slots=True)
class Rejected:
    index: int
    idempotency_key: str | None
    code: UsageRejection
    message: str


@dataclass(frozen=True, slots=True)
class UsageOutcome:
    accepted: int
    duplicates: int
    rejected: tuple[Rejected, ...]


def check_money_field(value: Decimal | None, name: str) -> str | None:
    """providerCost and amount: finite, not negative, at most 6 decimals."""
    if value is None:
        return None
    if not value.is_finite():
        return f"{name} must be a finite number."
    if value < 0:
        return f"{name} must not be negative."
    if value >= MAX_MONEY:
        return f"{name} is too large."
    # Not value.normalize(): it rounds to 28 digits, so "1.000…0001" (29 places) looked whole
    # and failed later, converting to micro-units.
    if fractional_digits(value) > MONEY_PLACES:
        return f"{name} has more than {MONEY_PLACES} decimal places."
    return None


def check_timestamp(occurred_at: datetime | None, now: datetime) -> str | None:
    if occurred_at is None:
        return None
    if occurred_at > now + MAX_FUTURE:
        return "occurredAt is more than 24 hours in the future."
    if occurred_at < EARLIEST_OCCURRED_AT:
        return "occurredAt is before 2000-01-01T00:00:00Z."
    return None


def check_idempotency_key(key: str) -> str | None:
    """Why ``key`` cannot be stored as an idempotency key, or None. Checked before anything else
    about an event: every other rejection echoes the key back, and an unstorable one cannot be."""
    if 0 < len(key) <= MAX_IDEMPOTENCY_KEY_LENGTH and key.isascii() and NUL not in key:
        return None  # the common case, without a call per event
    if not 0 < len(key) <= MAX_IDEMPOTENCY_KEY_LENGTH:
        return f"idempotencyKey must have 1 to {MAX_IDEMPOTENCY_KEY_LENGTH} characters."
    if not is_storable_text(key):
        return "idempotencyKey " + UNSTORABLE_TEXT
    return None


class InvalidProperties(ValueError):
    """An event's properties cannot be stored; the message says why, for the client."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def properties_json(properties: Any) -> str | None:
    """The canonical JSON text an event's properties are stored as (None when it has none).

    InvalidProperties when they are not a JSON object, hold text the database refuses, nest
    deeper than MAX_JSON_DEPTH, hold something other than JSON values, or encode to more than
    MAX_PROPERTIES_BYTES.
    """
    if properties is None:
        return None
    if not isinstance(properties, dict):
        raise InvalidProperties("properties must be a JSON object.")
    problem = json_value_problem(properties)  # first: canonical_json recurses, and encodes text
    if problem is not None:
        raise InvalidProperties(problem)
    try:
        text = canonical_json(properties)
    except (TypeError, ValueError) as error:
        raise InvalidProperties(str(error)) from None
    size = len(text) if text.isascii() else len(text.encode())
    if size > MAX_PROPERTIES_BYTES:
        raise InvalidProperties(_PROPERTIES_TOO_LARGE)
    return text


_PROPERTIES_TOO_LARGE = f"properties are larger than {MAX_PROPERTIES_BYTES // 1024} KiB."


def check_values(draft: UsageEventDraft, now: datetime) -> tuple[UsageRejection, str] | None:
    """Problems an event has whatever the database holds, in a stable order."""
    problem = check_event_quantity(draft.quantity)
    if problem is not None:
        return UsageRejection.INVALID_QUANTITY, problem
    for value, name in ((draft.provider_cost, "providerCost"), (draft.amount, "amount")):
        problem = check_money_field(value, name)
        if problem is not None:
            return UsageRejection.INVALID_AMOUNT, problem
    problem = check_timestamp(draft.occurred_at, now)
    if problem is not None:
        return UsageRejection.INVALID_TIMESTAMP, problem
    return None


def canonical_json(value: Any) -> str:
    """Stable JSON text: sorted keys, no spaces, decimals written exactly as numbers."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError("properties must not hold NaN or Infinity.")
        # 1e999999999 is a few bytes of JSON and a billion digits written out: a number whose
        # plain text cannot fit the size limit is refused before it is written.
        exponent = value.as_tuple().exponent
        assert isinstance(exponent, int)
        if value.adjusted() >= MAX_PROPERTIES_BYTES or exponent <= -MAX_PROPERTIES_BYTES:
            raise ValueError(_PROPERTIES_TOO_LARGE)
        return format(value, "f")
    if isinstance(value, float):
        # Only a number written inline in a GraphQL query arrives as a float (graphql-core
        # reads literals so); variables and /v1/usage bodies are read as exact decimals.
        raise TypeError(
            "properties hold a number written inline in the query, which GraphQL reads "
            "inexactly: send properties in a variable."
        )
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ",".join(canonical_json(item) for item in value) + "]"
    if isinstance(value, dict):
        items = sorted(value.items())
        return (
            "{" + ",".join(f"{canonical_json(str(k))}:{canonical_json(v)}" for k, v in items) + "}"
        )
    raise TypeError(f"properties cannot hold {type(value).__name__}.")


def payload_hash(
    draft: UsageEventDraft, properties_json: str | None, source_text: str | None = None
) -> str:
    """What makes two events with one idempotency key "the same event".

    occurredAt counts only when sent: a retry of an event without one gets a new receive time
    but is still the same event. ``source_text`` is ``str(draft.source_id)`` when the caller
    has it already (ingestion writes it once per source, not once per event).
    """
    parts = [
        str(draft.source_id) if source_text is None else source_text,
        draft.meter,
        format(draft.quantity.normalize(), "f"),
        "" if draft.occurred_at is None else draft.occurred_at.isoformat(),
        "" if draft.provider_cost is None else format(draft.provider_cost.normalize(), "f"),
        "" if draft.amount is None else format(draft.amount.normalize(), "f"),
        properties_json or "",
    ]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class UsageEventRecord:
    """A stored, rated event as the usage log shows it."""

    id: int
    tenant_id: UUID
    source_id: UUID
    meter: str
    currency: str
    quantity_micros: int
    occurred_at: datetime
    recorded_at: datetime
    idempotency_key: str
    properties_json: str | None
    provider_cost_micros: int | None
    wholesale_micros: int
    retail_micros: int
    retail_rate_card_id: UUID | None
    retail_rate_card_version: int | None
    late: bool

    @property
    def created_at(self) -> datetime:
        """The usage log pages by (occurredAt, id)."""
        return self.occurred_at

    @property
    def margin_micros(self) -> int:
        return self.retail_micros - self.wholesale_micros


@dataclass(frozen=True, slots=True)
class UsageCriteria:
    """Which events a usage log shows."""

    source_id: UUID | None = None
    meter: str | None = None
    occurred_from: datetime | None = None
    occurred_to: datetime | None = None
    idempotency_key: str | None = None
