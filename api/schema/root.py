"""Assembles the schema: root types, extensions and scalars."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import strawberry
from graphql import GraphQLError
from strawberry.extensions import (
    DisableIntrospection,
    MaskErrors,
    MaxTokensLimiter,
    ParserCache,
    SchemaExtension,
    ValidationCache,
)
from strawberry.types import ExecutionContext

from api.error_log import is_client_error, log_graphql_errors
from api.resolvers.mutations.adjust_wallet import adjust_wallet
from api.resolvers.mutations.assign_rate_card import assign_rate_card
from api.resolvers.mutations.configure_wallet import configure_wallet
from api.resolvers.mutations.connect_stripe_account import connect_stripe_account
from api.resolvers.mutations.create_api_key import create_api_key
from api.resolvers.mutations.create_rate_card import create_rate_card
from api.resolvers.mutations.create_source import create_source
from api.resolvers.mutations.create_tenant import create_tenant
from api.resolvers.mutations.record_usage import record_usage
from api.resolvers.mutations.revoke_api_key import revoke_api_key
from api.resolvers.mutations.set_default_rate_card import set_default_rate_card
from api.resolvers.mutations.set_rates import set_rates
from api.resolvers.mutations.set_seats import set_seats
from api.resolvers.mutations.set_source_rebilling import set_source_rebilling
from api.resolvers.mutations.set_storage import set_storage
from api.resolvers.mutations.set_tenant_rebilling import set_tenant_rebilling
from api.resolvers.mutations.set_wholesale_rate_card import set_wholesale_rate_card
from api.resolvers.mutations.top_up_wallet import top_up_wallet
from api.resolvers.mutations.update_source import update_source
from api.resolvers.mutations.update_tenant import update_tenant
from api.resolvers.queries.meters import meters
from api.resolvers.queries.node import node
from api.resolvers.queries.rate_card import rate_card
from api.resolvers.queries.source import source
from api.resolvers.queries.tenants import tenant, tenants
from api.resolvers.queries.usage_logs import usage_logs
from api.resolvers.queries.viewer import viewer
from api.schema.access import ApiKeyNode
from api.schema.accounts import WalletNode
from api.schema.document_limits import DocumentLimits
from api.schema.scalars import SCALAR_OVERRIDES

MAX_TOKENS = 20_000
# Documents up to this many characters are parsed and validated once per process. Real clients
# send a few fixed documents of a few KiB at most; a document at the token limit parses to
# ~12 MB, so large ones are never kept.
MAX_CACHED_DOCUMENT = 16_384


@strawberry.type
class Query:
    node = strawberry.field(resolver=node)
    viewer = strawberry.field(resolver=viewer)
    tenants = strawberry.field(resolver=tenants, description="Platform keys only.")
    tenant = strawberry.field(resolver=tenant)
    source = strawberry.field(resolver=source)
    meters = strawberry.field(resolver=meters)
    rate_card = strawberry.field(resolver=rate_card)
    usage_logs = strawberry.field(resolver=usage_logs)


@strawberry.type
class Mutation:
    create_tenant = strawberry.mutation(resolver=create_tenant)
    update_tenant = strawberry.mutation(resolver=update_tenant)
    set_tenant_rebilling = strawberry.mutation(resolver=set_tenant_rebilling)
    connect_stripe_account = strawberry.mutation(resolver=connect_stripe_account)
    create_source = strawberry.mutation(resolver=create_source)
    update_source = strawberry.mutation(resolver=update_source)
    set_source_rebilling = strawberry.mutation(resolver=set_source_rebilling)
    create_rate_card = strawberry.mutation(resolver=create_rate_card)
    set_rates = strawberry.mutation(resolver=set_rates)
    assign_rate_card = strawberry.mutation(resolver=assign_rate_card)
    set_default_rate_card = strawberry.mutation(resolver=set_default_rate_card)
    set_wholesale_rate_card = strawberry.mutation(resolver=set_wholesale_rate_card)
    record_usage = strawberry.mutation(resolver=record_usage)
    set_seats = strawberry.mutation(resolver=set_seats)
    set_storage = strawberry.mutation(resolver=set_storage)
    create_api_key = strawberry.mutation(resolver=create_api_key)
    revoke_api_key = strawberry.mutation(resolver=revoke_api_key)
    top_up_wallet = strawberry.mutation(resolver=top_up_wallet)
    adjust_wallet = strawberry.mutation(resolver=adjust_wallet)
    configure_wallet = strawberry.mutation(resolver=configure_wallet)


def _small_document(extension: SchemaExtension) -> bool:
    query = extension.execution_context.query
    return query is not None and len(query) <= MAX_CACHED_DOCUMENT


class SmallDocumentParserCache(ParserCache):
    def on_parse(self) -> Iterator[None]:
        if _small_document(self):
            yield from super().on_parse()
        else:
            yield


class SmallDocumentValidationCache(ValidationCache):
    def on_validate(self) -> Iterator[None]:
        # A document DocumentLimits refused already has its errors: the rules must not run.
        if _small_document(self) and self.execution_context.pre_execution_errors is None:
            yield from super().on_validate()
        else:
            yield


class RebillSchema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        # Strawberry logs every error with its traceback; a client's mistake is one line.
        log_graphql_errors(errors, execution_context)


def build_schema(*, development: bool) -> strawberry.Schema:
    extensions: list[type[SchemaExtension] | Callable[[], SchemaExtension]] = [
        lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
        SmallDocumentParserCache,
        # Depth, aliases and fragment expansion, in one pass; before the (cached) rules, so that
        # those only ever see bounded documents.
        DocumentLimits,
        SmallDocumentValidationCache,
    ]
    if not development:
        extensions += [DisableIntrospection, lambda: MaskErrors(should_mask_error=_masked)]
    return RebillSchema(
        query=Query,
        mutation=Mutation,
        types=[WalletNode, ApiKeyNode],
        extensions=extensions,
        scalar_overrides=SCALAR_OVERRIDES,
    )


def _masked(error: GraphQLError) -> bool:
    return not is_client_error(error)


# The schema as the contract sees it; `make schema` prints this one.
schema = build_schema(development=True)
