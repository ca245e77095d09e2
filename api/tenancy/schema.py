"""The tenancy area's part of the root Query and Mutation: tenants, sources, API keys, viewer."""

from __future__ import annotations

import strawberry

from api.tenancy.mutations.assign_rate_card import assign_rate_card
from api.tenancy.mutations.create_api_key import create_api_key
from api.tenancy.mutations.create_source import create_source
from api.tenancy.mutations.create_tenant import create_tenant
from api.tenancy.mutations.revoke_api_key import revoke_api_key
from api.tenancy.mutations.set_default_rate_card import set_default_rate_card
from api.tenancy.mutations.set_source_rebilling import set_source_rebilling
from api.tenancy.mutations.set_tenant_rebilling import set_tenant_rebilling
from api.tenancy.mutations.set_wholesale_rate_card import set_wholesale_rate_card
from api.tenancy.mutations.update_source import update_source
from api.tenancy.mutations.update_tenant import update_tenant
from api.tenancy.queries import source, tenant, tenants, viewer


@strawberry.type
class TenancyQuery:
    viewer = strawberry.field(resolver=viewer)
    tenants = strawberry.field(resolver=tenants, description="Platform keys only.")
    tenant = strawberry.field(resolver=tenant)
    source = strawberry.field(resolver=source)


@strawberry.type
class TenancyMutation:
    create_tenant = strawberry.mutation(resolver=create_tenant)
    update_tenant = strawberry.mutation(resolver=update_tenant)
    set_tenant_rebilling = strawberry.mutation(resolver=set_tenant_rebilling)
    create_source = strawberry.mutation(resolver=create_source)
    update_source = strawberry.mutation(resolver=update_source)
    set_source_rebilling = strawberry.mutation(resolver=set_source_rebilling)
    assign_rate_card = strawberry.mutation(resolver=assign_rate_card)
    set_default_rate_card = strawberry.mutation(resolver=set_default_rate_card)
    set_wholesale_rate_card = strawberry.mutation(resolver=set_wholesale_rate_card)
    create_api_key = strawberry.mutation(resolver=create_api_key)
    revoke_api_key = strawberry.mutation(resolver=revoke_api_key)
