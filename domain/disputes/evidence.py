"""The evidence file of a dispute: one record per disputed event, as CSV or JSON.

It is what a partner attaches when settling, so it says everything about each event that the
charge rests on: when it occurred and was received, whose it is (source, meter, properties),
its idempotency key, the rate that priced it (card, version, line) with the explanation of the
charge, and the wallet transaction that took the money. Money is written exactly, with its six
micro-unit decimals ("0.020000"); instants are ISO 8601 in UTC. Built with the csv and json
modules; in the CSV every text a client or tenant wrote goes through the exports' formula guard
(domain.invoicing.exports.rows.spreadsheet_text), so a spreadsheet never runs it.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any
from uuid import UUID

from domain.invoicing.exports.rows import plain_decimal, spreadsheet_text
from domain.money import micros_to_decimal


class EvidenceFormat(StrEnum):
    CSV = "CSV"
    JSON = "JSON"


_CONTENT_TYPES = {
    EvidenceFormat.CSV: "text/csv; charset=utf-8",
    EvidenceFormat.JSON: "application/json",
}


@dataclass(frozen=True, slots=True)
class ChargingTransaction:
    """The wallet transaction that charged the event (a batch's debit: its whole amount)."""

    id: int
    kind: str
    amount_micros: int
    at: datetime


@dataclass(frozen=True, slots=True)
class EvidenceEvent:
    """One disputed event as recorded at rating time (retail side: what the client paid)."""

    id: int
    occurred_at: datetime
    recorded_at: datetime
    source_id: UUID
    source_name: str
    meter: str
    quantity_micros: int
    properties_json: str | None
    idempotency_key: str
    charged_micros: int
    currency: str
    rate_card_id: UUID | None
    rate_card_name: str | None
    rate_card_version: int | None
    rate_line_id: int | None
    late: bool
    transaction: ChargingTransaction | None


@dataclass(frozen=True, slots=True)
class Explained:
    """An event's explanation: the sentence, and the structured figures (exact strings)."""

    sentence: str | None
    figures: Mapping[str, Any] | None


@dataclass(frozen=True, slots=True)
class EvidenceFile:
    format: EvidenceFormat
    filename: str
    content_type: str
    content: str
    event_count: int


CSV_COLUMNS = (
    "dispute_id",
    "usage_event_id",
    "occurred_at",
    "received_at",
    "source_id",
    "source_name",
    "meter",
    "quantity",
    "properties",
    "idempotency_key",
    "charged",
    "currency",
    "rate_card_id",
    "rate_card_name",
    "rate_card_version",
    "rate_line_id",
    "late",
    "explanation",
    "wallet_transaction_id",
    "wallet_transaction_kind",
    "wallet_transaction_amount",
    "wallet_transaction_at",
)


def utc_text(moment: datetime) -> str:
    aware = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return aware.isoformat()


def money_text(micros: int) -> str:
    return format(micros_to_decimal(micros), "f")


def _optional(value: object | None) -> str:
    return "" if value is None else str(value)


def evidence_file(
    fmt: EvidenceFormat,
    dispute_id: UUID,
    events: Sequence[EvidenceEvent],
    explanations: Mapping[int, Explained],
) -> EvidenceFile:
    if fmt is EvidenceFormat.CSV:
        content = _csv(dispute_id, events, explanations)
    else:
        content = _json(dispute_id, events, explanations)
    return EvidenceFile(
        format=fmt,
        filename=f"dispute-{dispute_id}-evidence.{fmt.value.lower()}",
        content_type=_CONTENT_TYPES[fmt],
        content=content,
        event_count=len(events),
    )


def _csv(
    dispute_id: UUID, events: Sequence[EvidenceEvent], explanations: Mapping[int, Explained]
) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for event in events:
        explained = explanations.get(event.id)
        transaction = event.transaction
        writer.writerow(
            [
                str(dispute_id),
                str(event.id),
                utc_text(event.occurred_at),
                utc_text(event.recorded_at),
                str(event.source_id),
                spreadsheet_text(event.source_name),
                spreadsheet_text(event.meter),
                plain_decimal(micros_to_decimal(event.quantity_micros)),
                spreadsheet_text(event.properties_json),
                spreadsheet_text(event.idempotency_key),
                money_text(event.charged_micros),
                event.currency,
                _optional(event.rate_card_id),
                spreadsheet_text(event.rate_card_name),
                _optional(event.rate_card_version),
                _optional(event.rate_line_id),
                "true" if event.late else "false",
                spreadsheet_text(None if explained is None else explained.sentence),
                "" if transaction is None else str(transaction.id),
                "" if transaction is None else transaction.kind,
                "" if transaction is None else money_text(transaction.amount_micros),
                "" if transaction is None else utc_text(transaction.at),
            ]
        )
    return out.getvalue()


def _json(
    dispute_id: UUID, events: Sequence[EvidenceEvent], explanations: Mapping[int, Explained]
) -> str:
    records = [_record(event, explanations.get(event.id)) for event in events]
    document = {"disputeId": str(dispute_id), "events": records}
    return json.dumps(document, ensure_ascii=False, indent=2, default=_exact)


def _exact(value: object) -> str:
    # Figures reach here as exact decimals: written as strings, never through a float.
    if isinstance(value, Decimal):
        return format(value, "f")
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def _record(event: EvidenceEvent, explained: Explained | None) -> dict[str, Any]:
    transaction = event.transaction
    # Properties were stored as canonical JSON text; their numbers stay exact.
    properties = (
        None
        if event.properties_json is None
        else json.loads(event.properties_json, parse_float=Decimal)
    )
    return {
        "usageEventId": str(event.id),
        "occurredAt": utc_text(event.occurred_at),
        "receivedAt": utc_text(event.recorded_at),
        "source": {"id": str(event.source_id), "name": event.source_name},
        "meter": event.meter,
        "quantity": plain_decimal(micros_to_decimal(event.quantity_micros)),
        "properties": properties,
        "idempotencyKey": event.idempotency_key,
        "charged": {"amount": money_text(event.charged_micros), "currency": event.currency},
        "rate": {
            "rateCardId": None if event.rate_card_id is None else str(event.rate_card_id),
            "rateCardName": event.rate_card_name,
            "version": event.rate_card_version,
            "rateLineId": None if event.rate_line_id is None else str(event.rate_line_id),
            "late": event.late,
        },
        "explanation": None
        if explained is None
        else {"sentence": explained.sentence, "figures": explained.figures},
        "walletTransaction": None
        if transaction is None
        else {
            "id": str(transaction.id),
            "kind": transaction.kind,
            "amount": money_text(transaction.amount_micros),
            "at": utc_text(transaction.at),
        },
    }
