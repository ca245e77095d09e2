"""API keys: only the SHA-256 of a secret is stored."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from domain.access import ApiKey, Role, TenantScope
from domain.paging import Page, PageRequest
from storage.ids import as_uuid_or_none
from storage.models import ApiKey as ApiKeyRow
from storage.paging import keyset_page
from storage.scope import within


def to_api_key(row: ApiKeyRow) -> ApiKey:
    return ApiKey(
        id=row.id,
        name=row.name,
        role=Role(row.role),
        prefix=row.prefix,
        tenant_id=as_uuid_or_none(row.tenant_id),
        source_id=as_uuid_or_none(row.source_id),
        created_at=row.created_at,
        last_used_at=row.last_used_at,
        revoked_at=row.revoked_at,
    )


async def insert_api_key(
    *,
    name: str,
    role: Role,
    prefix: str,
    secret_hash: str,
    tenant_id: UUID | None,
    source_id: UUID | None,
) -> ApiKey:
    row = await ApiKeyRow.create(
        name=name,
        role=role,
        prefix=prefix,
        secret_hash=secret_hash,
        tenant_id=tenant_id,
        source_id=source_id,
    )
    return to_api_key(await ApiKeyRow.get(id=row.id))


async def active_key_by_hash(secret_hash: str) -> ApiKey | None:
    row = await ApiKeyRow.get_or_none(secret_hash=secret_hash, revoked_at=None)
    return None if row is None else to_api_key(row)


async def key_exists_with_hash(secret_hash: str) -> bool:
    return await ApiKeyRow.filter(secret_hash=secret_hash).exists()


async def api_key_by_id(scope: TenantScope, key_id: UUID) -> ApiKey | None:
    row = await within(ApiKeyRow.filter(id=key_id), scope).first()
    return None if row is None else to_api_key(row)


async def revoke(key_id: UUID, at: datetime) -> ApiKey:
    # Only the first revocation counts: a repeated call keeps the original time.
    await ApiKeyRow.filter(id=key_id, revoked_at=None).update(revoked_at=at)
    return to_api_key(await ApiKeyRow.get(id=key_id))


async def touch(key_id: UUID, at: datetime) -> None:
    await ApiKeyRow.filter(id=key_id).update(last_used_at=at)


async def list_api_keys(tenant_id: UUID | None, request: PageRequest) -> Page[ApiKey]:
    query = ApiKeyRow.all() if tenant_id is None else ApiKeyRow.filter(tenant_id=tenant_id)
    return await keyset_page(query, request, to_api_key)
