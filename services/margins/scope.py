"""Whose margins a caller reads: a tenant key its own portfolio, the platform any tenant's.

Client portals (source keys) never see wholesale costs or margins (DESIGN.md §1.8).
"""

from __future__ import annotations

from uuid import UUID

from domain.access import Caller, Role
from domain.errors import InvalidInputError
from domain.tenancy import Tenant
from services import visibility


async def margins_tenant(caller: Caller, tenant_id: UUID | None) -> Tenant:
    """``tenant_id``: None when the client named none (implied for a tenant key)."""
    caller.require_role(Role.PLATFORM, Role.TENANT)
    if tenant_id is None:
        if caller.is_platform:
            raise InvalidInputError.single("tenantId", "Platform keys must name the tenant.")
        tenant_id = caller.tenant_id
    return await visibility.visible_tenant(caller, tenant_id)
