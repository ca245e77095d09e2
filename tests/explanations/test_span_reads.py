"""Explaining a late event of a long period reads the earlier events as one aggregate, not one
row each, where the model's state is (events, quantity); PERCENTAGE and COST_PLUS still replay
every earlier event (their state holds the exact unrounded fees). A recorded history whose
charges do not telescope to the aggregate's total is replayed event by event instead."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

import storage.usage_replay
from services.explanations import explain_in_id_slices, explain_usage_events
from storage.database import connection
from tests.explanations.conftest import PLATFORM, Agency, record, retail_rows, usage

EARLIER = 40


@dataclass
class ReplayRows:
    """The rows each replay statement fetched, by the side (line column) it read."""

    fetched: list[tuple[str, int]] = field(default_factory=list)

    def retail(self) -> list[int]:
        return [rows for sql, rows in self.fetched if "retail_rate_line_id" in sql]


class _Counting:
    def __init__(self, inner: Any, seen: ReplayRows) -> None:
        self._inner = inner
        self._seen = seen

    async def execute_query(self, sql: str, values: list[Any] | None = None) -> Any:
        count, rows = await self._inner.execute_query(sql, values)
        self._seen.fetched.append((sql, len(rows)))
        return count, rows

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


@pytest.fixture
def replay_rows(monkeypatch: pytest.MonkeyPatch) -> Iterator[ReplayRows]:
    seen = ReplayRows()
    monkeypatch.setattr(storage.usage_replay, "connection", lambda: _Counting(connection(), seen))
    yield seen


async def _ids(meter: str) -> list[int]:
    return [int(row["id"]) for row in await retail_rows(meter)]


async def test_the_last_per_unit_event_reads_one_aggregate_and_itself(
    agency: Agency, replay_rows: ReplayRows
) -> None:
    await record(*[usage(agency.source_id, "message_response", "2") for _ in range(EARLIER)])
    await record(usage(agency.source_id, "message_response", "3"))
    last = (await _ids("message_response"))[-1]

    explained = (await explain_usage_events(PLATFORM, [last]))[last].retail

    assert explained is not None
    assert explained.event_number == EARLIER + 1
    assert explained.quantity_before == 80 and explained.quantity_after == 83
    # 0.0000015 each: R(80 units) = 0.00012, R(83 units) = 0.000125 (0.0001245 half-up)
    assert explained.total_before_micros == 120 and explained.total_after_micros == 125
    assert explained.charged_micros == explained.recorded_micros == 5
    assert replay_rows.retail() == [2]  # the aggregate of the 40 earlier events, and the event


async def test_percentage_events_are_still_replayed_from_the_first(
    agency: Agency, replay_rows: ReplayRows
) -> None:
    await record(
        *[usage(agency.source_id, "workflow_run", "1", amount="10") for _ in range(EARLIER + 1)]
    )
    last = (await _ids("workflow_run"))[-1]

    explained = (await explain_usage_events(PLATFORM, [last]))[last].retail

    assert explained is not None and explained.event_number == EARLIER + 1
    recorded = int((await retail_rows("workflow_run"))[-1]["retail_micros"])
    assert explained.charged_micros == explained.recorded_micros == recorded > 0
    assert replay_rows.retail() == [EARLIER + 1]


async def test_earlier_charges_that_do_not_add_up_are_replayed_one_by_one(
    agency: Agency, replay_rows: ReplayRows
) -> None:
    await record(*[usage(agency.source_id, "message_response", "2") for _ in range(EARLIER)])
    await record(usage(agency.source_id, "message_response", "3"))
    ids = await _ids("message_response")
    await connection().execute_query(
        f"UPDATE usage_events SET retail_micros = 7 WHERE id = {ids[0]}"
    )

    explained = await explain_usage_events(PLATFORM, [ids[0], ids[-1]])

    first, last = explained[ids[0]].retail, explained[ids[-1]].retail
    assert first is not None and last is not None
    assert (first.charged_micros, first.recorded_micros) == (3, 7)  # R(2 units) = 0.000003
    assert (last.charged_micros, last.recorded_micros) == (5, 5)
    # Asking about the first event reads every event anyway; asking about the last alone:
    replay_rows.fetched.clear()
    alone = (await explain_usage_events(PLATFORM, [ids[-1]]))[ids[-1]].retail
    assert alone == last
    assert replay_rows.retail() == [2, EARLIER + 1]  # the aggregate disagreed: a full replay


async def test_slices_fold_on_from_one_another(agency: Agency, replay_rows: ReplayRows) -> None:
    await record(*[usage(agency.source_id, "message_response", "2") for _ in range(EARLIER)])
    await record(usage(agency.source_id, "message_response", "3"))
    ids = await _ids("message_response")
    whole = await explain_usage_events(PLATFORM, ids)
    replay_rows.fetched.clear()

    sliced: dict[int, Any] = {}
    async for explained in explain_in_id_slices(PLATFORM, list(reversed(ids)), 7):
        sliced.update(explained)

    assert sliced == whole
    # The first slice's aggregate (of no earlier event) and each event once: no slice after
    # the first aggregates the events before it again.
    assert sum(replay_rows.retail()) == 1 + EARLIER + 1
    assert len(replay_rows.retail()) == 6  # ceil(41 / 7) slices
