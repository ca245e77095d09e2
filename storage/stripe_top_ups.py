"""Stripe top-ups and the Stripe events already processed.

The event id is recorded in the same transaction as its effect (``record_event``), so an event
Stripe delivers twice is applied once; a top-up row is locked while it is credited or refunded.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from tortoise.exceptions import IntegrityError

from domain.tenancy import StripeStatus
from domain.wallet.top_ups import StripeTopUp, TopUpStatus
from storage.database import connection, is_postgres
from storage.models import StripeTopUp as TopUpRow
from storage.models import Tenant as TenantRow
from storage.sql import Params, id_value


def to_top_up(row: TopUpRow) -> StripeTopUp:
    return StripeTopUp(
        id=row.id,
        tenant_id=UUID(str(row.tenant_id)),
        wallet_id=UUID(str(row.wallet_id)),
        amount_micros=row.amount_micros,
        currency=row.currency,
        idempotency_key=row.idempotency_key,
        payload_hash=row.payload_hash,
        connected_account_id=row.connected_account_id,
        payment_intent_id=row.payment_intent_id,
        client_secret=row.client_secret,
        status=TopUpStatus(row.status),
        failure_message=row.failure_message,
        decline_code=row.decline_code,
        credited_transaction_id=row.credited_transaction_id,
        refunded_transaction_id=row.refunded_transaction_id,
        refunded_micros=row.refunded_micros,
        created_at=row.created_at,
    )


async def insert_top_up(
    *,
    tenant_id: UUID,
    wallet_id: UUID,
    amount_micros: int,
    currency: str,
    idempotency_key: str,
    payload_hash: str,
    connected_account_id: str | None,
    created_by_key_id: UUID | None,
) -> StripeTopUp | None:
    """The new top-up; None when the wallet already has one under this idempotency key."""
    try:
        row = await TopUpRow.create(
            tenant_id=tenant_id,
            wallet_id=wallet_id,
            amount_micros=amount_micros,
            currency=currency,
            idempotency_key=idempotency_key,
            payload_hash=payload_hash,
            connected_account_id=connected_account_id,
            status=TopUpStatus.REQUIRES_PAYMENT,
            created_by_key_id=created_by_key_id,
        )
    except IntegrityError:
        return None
    return to_top_up(row)


async def top_up_by_key(wallet_id: UUID, idempotency_key: str) -> StripeTopUp | None:
    row = await TopUpRow.filter(wallet_id=wallet_id, idempotency_key=idempotency_key).first()
    return None if row is None else to_top_up(row)


async def top_up_by_id(top_up_id: UUID) -> StripeTopUp | None:
    row = await TopUpRow.filter(id=top_up_id).first()
    return None if row is None else to_top_up(row)


async def top_up_by_intent(payment_intent_id: str) -> StripeTopUp | None:
    row = await TopUpRow.filter(payment_intent_id=payment_intent_id).first()
    return None if row is None else to_top_up(row)


async def top_up_for_update(top_up_id: UUID) -> StripeTopUp:
    """The top-up, locked until the transaction ends (PostgreSQL; SQLite writes one at a time)."""
    return to_top_up(await TopUpRow.filter(id=top_up_id).select_for_update().get())


async def update_top_up(top_up_id: UUID, **changes: object) -> None:
    row = await TopUpRow.get(id=top_up_id)
    for name, value in changes.items():
        setattr(row, name, value)
    await row.save(update_fields=[*changes, "updated_at"])


async def delete_unpaid_top_up(top_up_id: UUID) -> None:
    """Forgets a top-up whose PaymentIntent was never created (Stripe was not reached)."""
    await TopUpRow.filter(id=top_up_id, payment_intent_id=None).delete()


async def count_top_ups() -> int:
    return await TopUpRow.all().count()


async def record_event(
    *,
    event_id: str,
    event_type: str,
    tenant_id: UUID | None,
    object_id: str | None,
    stripe_created_at: datetime | None,
    received_at: datetime,
) -> bool:
    """Records the event id; False when it was recorded already (a redelivery). Call inside the
    transaction of the event's effect: a concurrent delivery of the same id waits here, then
    finds it recorded."""
    postgres = is_postgres()
    params = Params(postgres)
    values = ", ".join(
        (
            params.add(event_id),
            params.add(event_type),
            params.add(id_value(tenant_id, postgres), "uuid"),
            params.add(object_id),
            params.add(stripe_created_at, "timestamptz"),
            params.add(received_at, "timestamptz"),
            params.add(received_at, "timestamptz"),
        )
    )
    rows = await connection().execute_query_dict(
        "INSERT INTO stripe_events (event_id, type, tenant_id, object_id, stripe_created_at, "
        f"received_at, processed_at) VALUES ({values}) "
        "ON CONFLICT (event_id) DO NOTHING RETURNING id",
        params.values,
    )
    return bool(rows)


async def newer_event_exists(
    event_type: str, object_id: str, stripe_created_at: datetime, event_id: str
) -> bool:
    """Whether another event of this type about this object, created later, was processed."""
    postgres = is_postgres()
    params = Params(postgres)
    rows = await connection().execute_query_dict(
        f"SELECT 1 AS found FROM stripe_events WHERE type = {params.add(event_type)} "
        f"AND object_id = {params.add(object_id)} "
        f"AND stripe_created_at > {params.add(stripe_created_at, 'timestamptz')} "
        f"AND event_id <> {params.add(event_id)} LIMIT 1",
        params.values,
    )
    return bool(rows)


async def tenant_id_by_stripe_account(account_id: str) -> UUID | None:
    row = await TenantRow.filter(stripe_account_id=account_id).first().values("id")
    return None if row is None else UUID(str(row["id"]))


async def tenant_stripe_account_id(tenant_id: UUID) -> str | None:
    row = await TenantRow.filter(id=tenant_id).first().values("stripe_account_id")
    account_id = None if row is None else row["stripe_account_id"]
    return None if account_id is None else str(account_id)


async def set_tenant_stripe(tenant_id: UUID, status: StripeStatus, charges_enabled: bool) -> None:
    await TenantRow.filter(id=tenant_id).update(
        stripe_status=status, stripe_charges_enabled=charges_enabled
    )
