"""A relay killed with SIGKILL mid-send: the delivery stays pending, the next run sends it again,
and a receiver that deduplicates by id processes the event once."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from pathlib import Path
from uuid import UUID, uuid4

from services import clock
from services.webhooks import endpoints
from storage import outbox
from storage.database import connection, transaction
from storage.outbox import OutboxEntry
from tests.conftest import Database
from tests.usage.conftest import Agency
from tests.webhooks_out.conftest import delivery_rows, tenant_key
from tests.webhooks_out.receiver import HANG, Receiver

REBILL = str(Path(sys.executable).with_name("rebill"))


async def relay(db: Database) -> asyncio.subprocess.Process:
    """`rebill relay-outbox` in production mode, loopback allowed for the local receiver."""
    return await asyncio.create_subprocess_exec(
        REBILL,
        "relay-outbox",
        "--grace",
        "0",
        env={
            **os.environ,
            "DATABASE_URL": db.url,
            "REDIS_URL": "",
            "REBILL_ENV": "production",
            "REBILL_WEBHOOKS_ALLOW_LOOPBACK": "true",
        },
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def committed_but_unpublished(agency: Agency) -> UUID:
    """A balance event some process committed and never published: the relay's to send."""
    payload = {"walletId": str(agency.source_wallet), "balanceMicros": 5_000_000}
    entry = OutboxEntry(
        uuid4(), agency.tenant_id, "wallet.balance_updated", json.dumps(payload), clock.utc_now()
    )
    async with transaction():
        await outbox.append([entry])
    return entry.event_id


async def test_a_relay_killed_mid_send_delivers_the_event_once_after_it_runs_again(
    db: Database, agency: Agency, receiver: Receiver
) -> None:
    created = await endpoints.create_webhook_endpoint(
        tenant_key(agency), None, receiver.url, ["wallet.balance_updated"]
    )
    event_id = await committed_but_unpublished(agency)
    receiver.script = [HANG]

    first = await relay(db)
    assert await asyncio.to_thread(receiver.hanging.wait, 60), "the relay never sent"
    first.send_signal(signal.SIGKILL)
    assert await first.wait() == -signal.SIGKILL

    (row,) = await delivery_rows()
    assert (row["status"], row["attempts"], row["delivered_at"]) == ("PENDING", 1, None)
    # The killed run's lease on the outbox delivery runs out (services.outbox_deliveries.LEASE):
    # the next minutely run may take it. Here it is let run out at once.
    await connection().execute_query(
        "UPDATE outbox_deliveries SET next_attempt_at = created_at "
        "WHERE handler = 'webhook.wallet.balance_updated' AND done_at IS NULL"
    )

    second = await relay(db)
    _, stderr = await second.communicate()
    assert second.returncode == 0, stderr.decode()

    assert receiver.event_ids() == [str(event_id), str(event_id)]
    assert receiver.deduplicated() == [str(event_id)]
    (row,) = await delivery_rows()
    assert (row["endpoint_id"], row["event_id"]) == (str(created.endpoint.id), str(event_id))
    assert (row["status"], row["attempts"], row["last_response_code"]) == ("DELIVERED", 2, 200)
    done = await connection().execute_query_dict(
        f"SELECT handler, attempts, done_at FROM outbox_deliveries WHERE event_id = '{event_id}'"
    )
    assert [(d["handler"], d["attempts"], d["done_at"] is not None) for d in done] == [
        ("webhook.wallet.balance_updated", 2, True)
    ]
    published = await connection().execute_query_dict(
        f"SELECT published_at FROM outbox WHERE event_id = '{event_id}'"
    )
    assert published[0]["published_at"] is not None
