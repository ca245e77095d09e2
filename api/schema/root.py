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
from strawberry.extensions.runner import SchemaExtensionsRunner
from strawberry.types import ExecutionContext

from api.credit_notes.schema import CreditNotesMutation, CreditNotesQuery
from api.disputes.schema import DisputesMutation, DisputesQuery
from api.error_codes import add_missing_codes
from api.error_log import is_client_error, log_graphql_errors
from api.invoices.schema import InvoicesMutation, InvoicesQuery
from api.lean_extensions import LeanExtensionsRunner
from api.margins.schema import MarginsQuery
from api.payments.schema import PaymentsMutation
from api.rate_cards.schema import RateCardsMutation, RateCardsQuery
from api.schema.document_limits import DocumentLimits
from api.schema.node import node
from api.schema.scalars import SCALAR_OVERRIDES
from api.shared_results import SharingExecutor
from api.tenancy.access import ApiKeyNode
from api.tenancy.schema import TenancyMutation, TenancyQuery
from api.usage.schema import UsageMutation, UsageQuery
from api.wallets.schema import WalletsMutation
from api.wallets.subscriptions import WalletsSubscription
from api.wallets.types import WalletNode
from api.webhooks.schema import WebhooksMutation, WebhooksQuery

MAX_TOKENS = 20_000
# Documents up to this many characters are parsed and validated once per process. Real clients
# send a few fixed documents of a few KiB at most; a document at the token limit parses to
# ~12 MB, so large ones are never kept.
MAX_CACHED_DOCUMENT = 16_384


@strawberry.type
class NodeQuery:
    node = strawberry.field(resolver=node)


# Each area brings its root fields (pycon's `class Mutation(UsersMutations, ...)`); Strawberry
# takes the fields of the last base first.
@strawberry.type
class Query(
    CreditNotesQuery,
    DisputesQuery,
    WebhooksQuery,
    MarginsQuery,
    InvoicesQuery,
    UsageQuery,
    RateCardsQuery,
    TenancyQuery,
    NodeQuery,
):
    pass


@strawberry.type
class Mutation(
    CreditNotesMutation,
    DisputesMutation,
    WebhooksMutation,
    InvoicesMutation,
    WalletsMutation,
    UsageMutation,
    RateCardsMutation,
    PaymentsMutation,
    TenancyMutation,
):
    pass


@strawberry.type
class Subscription(WalletsSubscription):
    pass


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


class LeanMaskErrors(MaskErrors):
    def _process_result(self, result: object) -> None:
        # Strawberry checks a runtime Protocol first (slow): on a subscription push, 8% of the
        # API's time in bench.live's profile. A result without errors has nothing to mask.
        if getattr(result, "errors", None):
            super()._process_result(result)


class RebillSchema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        add_missing_codes(errors)
        # Strawberry logs every error with its traceback; a client's mistake is one line.
        log_graphql_errors(errors, execution_context)

    def create_extensions_runner(
        self, execution_context: ExecutionContext, extensions: list[SchemaExtension]
    ) -> SchemaExtensionsRunner:
        # Without the per-result hooks no extension defines (a third of a live push's CPU).
        return LeanExtensionsRunner(execution_context, extensions)


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
        extensions += [DisableIntrospection, lambda: LeanMaskErrors(should_mask_error=_masked)]
    return RebillSchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        types=[WalletNode, ApiKeyNode],
        extensions=extensions,
        scalar_overrides=SCALAR_OVERRIDES,
        # A subscription event pushed to many subscribers is executed once per distinct result.
        execution_context_class=SharingExecutor,
    )


def _masked(error: GraphQLError) -> bool:
    return not is_client_error(error)


# The schema as the contract sees it; `make schema` prints this one.
schema = build_schema(development=True)
