"""Limiting a query to the caller's tenant: every lookup that can cross tenants goes through it.

The scope is the lookup's first argument (DESIGN.md §1.8): a tenant's id, or EVERY_TENANT for the
platform and for jobs, said at the call. A row of another tenant is then not found, the same as a
row that does not exist, whatever the service above does next.
"""

from __future__ import annotations

from typing import TypeVar

from tortoise.expressions import Q
from tortoise.models import Model
from tortoise.queryset import QuerySet

from domain.access import EVERY_TENANT, TenantScope

M = TypeVar("M", bound=Model)


def within(query: QuerySet[M], scope: TenantScope) -> QuerySet[M]:
    """The rows of ``query`` that belong to the scope's tenant."""
    return query if scope is EVERY_TENANT else query.filter(tenant_id=scope)


def within_or_platform(query: QuerySet[M], scope: TenantScope) -> QuerySet[M]:
    """Rows of the scope's tenant or of the platform (no tenant: the platform's rate cards)."""
    if scope is EVERY_TENANT:
        return query
    return query.filter(Q(tenant_id=scope) | Q(tenant_id__isnull=True))
