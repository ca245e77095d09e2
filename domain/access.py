"""Who is calling and what they may see (DESIGN.md §1.8).

Visibility is decided here, once: an entity outside the caller's scope is reported exactly like
one that does not exist, so IDs of other tenants leak nothing.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime
from enum import Enum, StrEnum
from uuid import UUID


class Role(StrEnum):
    PLATFORM = "PLATFORM"
    TENANT = "TENANT"
    SOURCE = "SOURCE"


class EveryTenant(Enum):
    """The scope of the platform and of jobs that work across tenants, said out loud: a
    lookup that can cross tenants takes a tenant or this, never a None that means "all"."""

    EVERY_TENANT = "every tenant"


EVERY_TENANT = EveryTenant.EVERY_TENANT
# The tenant a storage lookup is limited to, first argument of every lookup that could cross
# tenants (an id from a client, an id from a row of another area).
TenantScope = UUID | EveryTenant


class ForbiddenError(Exception):
    """The caller is known but its role may not do this (a top-level FORBIDDEN error)."""

    def __init__(self, message: str = "Your API key may not do this.") -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True, slots=True)
class Caller:
    role: Role
    key_id: UUID | None = None
    tenant_id: UUID | None = None
    source_id: UUID | None = None

    @property
    def is_platform(self) -> bool:
        return self.role is Role.PLATFORM

    @property
    def sees_wholesale(self) -> bool:
        """Wholesale costs and margins are hidden from client portals."""
        return self.role is not Role.SOURCE

    def sees_tenant(self, tenant_id: UUID) -> bool:
        return self.is_platform or self.tenant_id == tenant_id

    def sees_source(self, tenant_id: UUID, source_id: UUID) -> bool:
        if self.role is Role.SOURCE:
            return self.source_id == source_id
        return self.sees_tenant(tenant_id)

    def manages_tenant(self, tenant_id: UUID) -> bool:
        """May change the tenant's own settings, sources, retail cards and keys."""
        return self.is_platform or (self.role is Role.TENANT and self.tenant_id == tenant_id)

    def require_role(self, *roles: Role) -> None:
        if self.role not in roles:
            raise ForbiddenError()

    @property
    def tenant_scope(self) -> TenantScope:
        """The tenant every lookup is limited to; EVERY_TENANT for the platform."""
        if self.is_platform:
            return EVERY_TENANT
        if self.tenant_id is None:  # no such key is issued: never widen it to every tenant
            raise ForbiddenError()
        return self.tenant_id


@dataclass(frozen=True, slots=True)
class ApiKey:
    id: UUID
    name: str
    role: Role
    prefix: str
    tenant_id: UUID | None
    source_id: UUID | None
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


SECRET_PREFIX = "rbk_"
PREFIX_LENGTH = 12


def new_secret() -> str:
    """A key's secret: shown once, never stored."""
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def display_prefix(secret: str) -> str:
    """Enough of the secret to recognise a key in a list, not enough to use it."""
    return secret[:PREFIX_LENGTH]


def caller_for(key: ApiKey) -> Caller:
    return Caller(role=key.role, key_id=key.id, tenant_id=key.tenant_id, source_id=key.source_id)
