"""The evidence file itself (domain.disputes.evidence): exact money, UTC instants, the csv
module's quoting, and the exports' formula guard on every text a client or tenant wrote."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta, timezone
from uuid import UUID

from domain.disputes.evidence import (
    CSV_COLUMNS,
    ChargingTransaction,
    EvidenceEvent,
    EvidenceFormat,
    Explained,
    evidence_file,
)

DISPUTE = UUID(int=7)
PARIS = timezone(timedelta(hours=1))


def _event(**changes: object) -> EvidenceEvent:
    values: dict[str, object] = {
        "id": 41,
        "occurred_at": datetime(2026, 11, 5, 10, 0, tzinfo=PARIS),
        "recorded_at": datetime(2026, 11, 5, 9, 0, 1, tzinfo=UTC),
        "source_id": UUID(int=3),
        "source_name": '=HYPERLINK("http://evil")',
        "meter": "message_response",
        "quantity_micros": 2_500_000,
        "properties_json": '{"note":"+1, \\"quoted\\"","price":0.1000000000000000055511}',
        "idempotency_key": "@SUM(A1:A9)",
        "charged_micros": 123_456_789,
        "currency": "USD",
        "rate_card_id": UUID(int=9),
        "rate_card_name": "-Retail",
        "rate_card_version": 2,
        "rate_line_id": 17,
        "late": False,
        "transaction": ChargingTransaction(
            5, "USAGE", -200_000_001, datetime(2026, 11, 5, tzinfo=UTC)
        ),
    }
    values.update(changes)
    return EvidenceEvent(**values)  # type: ignore[arg-type]


EXPLAINED = {
    41: Explained("=units 1–2.5; charged 123.456789", {"retail": {"charged": "123.456789"}})
}


def test_the_csv_is_exact_in_utc_and_runs_no_formula() -> None:
    file = evidence_file(EvidenceFormat.CSV, DISPUTE, [_event()], EXPLAINED)
    assert file.content_type == "text/csv; charset=utf-8"
    assert file.filename == f"dispute-{DISPUTE}-evidence.csv"
    (header, row) = list(csv.reader(io.StringIO(file.content)))
    assert tuple(header) == CSV_COLUMNS
    cells = dict(zip(header, row, strict=True))
    assert cells["occurred_at"] == "2026-11-05T09:00:00+00:00"
    assert cells["received_at"] == "2026-11-05T09:00:01+00:00"
    assert cells["quantity"] == "2.5"
    assert cells["charged"] == "123.456789"
    assert cells["wallet_transaction_amount"] == "-200.000001"
    assert cells["source_name"] == '\'=HYPERLINK("http://evil")'
    assert cells["idempotency_key"] == "'@SUM(A1:A9)"
    assert cells["rate_card_name"] == "'-Retail"
    assert cells["explanation"] == "'=units 1–2.5; charged 123.456789"
    assert cells["properties"].startswith('{"note":"+1')


def test_the_json_keeps_numbers_exact() -> None:
    file = evidence_file(EvidenceFormat.JSON, DISPUTE, [_event(transaction=None)], {})
    document = json.loads(file.content)
    assert document["disputeId"] == str(DISPUTE)
    (record,) = document["events"]
    assert record["charged"] == {"amount": "123.456789", "currency": "USD"}
    assert record["walletTransaction"] is None
    assert record["explanation"] is None
    # A property's number goes out as its exact digits, never through a float.
    assert '"price": "0.1000000000000000055511"' in file.content
    assert record["rate"] == {
        "rateCardId": str(UUID(int=9)),
        "rateCardName": "-Retail",
        "version": 2,
        "rateLineId": "17",
        "late": False,
    }


def test_an_empty_dispute_has_a_header_only() -> None:
    file = evidence_file(EvidenceFormat.CSV, DISPUTE, [], {})
    assert file.event_count == 0
    assert list(csv.reader(io.StringIO(file.content))) == [list(CSV_COLUMNS)]
