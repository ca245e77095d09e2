"""API keys: issued with a secret shown once, stored as its SHA-256, revocable."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID

from domain.access import (
    ApiKey,
    Caller,
    Role,
    caller_for,
    display_prefix,
    hash_secret,
    new_secret,
)
from domain.errors import InvalidInputError, NotFoundError
from domain.tenancy import check_name
from services import visibility
from services.clock import utc_now
from storage import api_keys
from storage.database import transaction

# Recording every use would turn each read into a write; a minute's precision is enough.
LAST_USED_PRECISION = timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class IssuedKey:
    api_key: ApiKey
    secret: str


async def create_api_key(
    caller: Caller,
    *,
    name: str,
    role: Role,
    tenant_id: UUID | None = None,
    source_id: UUID | None = None,
) -> IssuedKey:
    """The platform issues any key; a tenant issues keys for itself and its sources."""
    caller.require_role(Role.PLATFORM, Role.TENANT)
    if role is Role.PLATFORM:
        caller.require_role(Role.PLATFORM)
    _check_scope_fields(role, tenant_id, source_id)
    if check_name(name):
        raise InvalidInputError(check_name(name))
    if role is Role.SOURCE:
        source = await visibility.managed_source(caller, source_id)
        if tenant_id is not None and tenant_id != source.tenant_id:
            raise NotFoundError("Source", str(source_id))
        tenant_id, source_id = source.tenant_id, source.id
    elif role is Role.TENANT:
        tenant_id = (await visibility.managed_tenant(caller, tenant_id)).id
    return await _issue(name.strip(), role, tenant_id, source_id)


def _check_scope_fields(role: Role, tenant_id: UUID | None, source_id: UUID | None) -> None:
    if role is Role.PLATFORM and (tenant_id is not None or source_id is not None):
        raise InvalidInputError.single("role", "A platform key belongs to no tenant or source.")
    if role is Role.TENANT and tenant_id is None:
        raise InvalidInputError.single("tenantId", "A tenant key needs its tenantId.")
    if role is Role.TENANT and source_id is not None:
        raise InvalidInputError.single("sourceId", "A tenant key belongs to no source.")
    if role is Role.SOURCE and source_id is None:
        raise InvalidInputError.single("sourceId", "A source key needs its sourceId.")


async def _issue(
    name: str, role: Role, tenant_id: UUID | None, source_id: UUID | None, secret: str | None = None
) -> IssuedKey:
    secret = secret or new_secret()
    async with transaction():
        key = await api_keys.insert_api_key(
            name=name,
            role=role,
            prefix=display_prefix(secret),
            secret_hash=hash_secret(secret),
            tenant_id=tenant_id,
            source_id=source_id,
        )
    return IssuedKey(key, secret)


async def revoke_api_key(caller: Caller, key_id: UUID | None) -> ApiKey:
    """Revoking twice keeps the first revocation time."""
    caller.require_role(Role.PLATFORM, Role.TENANT)
    key = None if key_id is None else await api_keys.api_key_by_id(caller.tenant_scope, key_id)
    if key is None or not (caller.is_platform or key.tenant_id == caller.tenant_id):
        raise NotFoundError("ApiKey", None if key_id is None else str(key_id))
    async with transaction():
        return await api_keys.revoke(key.id, utc_now())


async def authenticate(secret: str) -> Caller | None:
    key = await api_keys.active_key_by_hash(hash_secret(secret))
    if key is None:
        return None
    now = utc_now()
    if key.last_used_at is None or key.last_used_at < now - LAST_USED_PRECISION:
        await api_keys.touch(key.id, now)
    return caller_for(key)


async def ensure_platform_key(secret: str, name: str = "Bootstrap platform key") -> bool:
    """Makes sure a platform key with this secret exists; True when it had to be created."""
    if await api_keys.key_exists_with_hash(hash_secret(secret)):
        return False
    await _issue(name, Role.PLATFORM, None, None, secret=secret)
    return True


async def issue_key(
    name: str, role: Role, tenant_id: UUID | None = None, source_id: UUID | None = None
) -> IssuedKey:
    """For the operator's command line and the demo seed, which act as the platform."""
    return await create_api_key(
        Caller(Role.PLATFORM), name=name, role=role, tenant_id=tenant_id, source_id=source_id
    )


async def get_api_key(caller: Caller, key_id: UUID) -> ApiKey | None:
    """Keys are visible to the platform and to their own tenant's keys."""
    if caller.role is Role.SOURCE:
        return None
    key = await api_keys.api_key_by_id(caller.tenant_scope, key_id)
    if key is None or not (caller.is_platform or key.tenant_id == caller.tenant_id):
        return None
    return key
