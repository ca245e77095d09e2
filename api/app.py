"""The Starlette application: GraphQL, health probes, and the request-size limit."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route, WebSocketRoute

from api.body_limit import BodySizeLimit
from api.credit_notes.documents import credit_note_html_endpoint, credit_note_pdf_endpoint
from api.graphql_view import RebillGraphQL
from api.invoices.documents import (
    invoice_html_endpoint,
    invoice_pdf_endpoint,
    preview_html_endpoint,
    preview_pdf_endpoint,
)
from api.payments.stripe_webhook_endpoint import stripe_webhook_endpoint
from api.schema.root import build_schema
from api.usage.bulk_endpoint import record_usage_endpoint
from domain.settings import Settings
from services import health, runtime, scheduler


async def healthz(_request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


async def readyz(_request: Request) -> JSONResponse:
    if await health.database_ready():
        return JSONResponse({"status": "ready", "database": "ok"})
    return JSONResponse({"status": "unavailable", "database": "unreachable"}, status_code=503)


def create_app(settings: Settings, *, manage_database: bool = True) -> Starlette:
    """``manage_database=False`` leaves opening the database to the caller (the test suite)."""
    graphql = RebillGraphQL(build_schema(development=settings.is_development), settings)

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        if not manage_database:
            yield
            return
        async with runtime.database(settings):
            # Without Redis there is no arq worker: the API runs the hourly accrual itself.
            timer = scheduler.start() if settings.redis_url is None else None
            try:
                yield
            finally:
                if timer is not None:
                    await scheduler.stop(timer)

    return Starlette(
        routes=[
            Route("/graphql", graphql, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", graphql),
            Route("/v1/usage", record_usage_endpoint, methods=["POST"]),
            Route("/webhooks/stripe", stripe_webhook_endpoint(settings), methods=["POST"]),
            # :path, so an id with an encoded slash still gets the endpoint's JSON 404.
            Route("/invoices/{invoice_id:path}.html", invoice_html_endpoint, methods=["GET"]),
            Route("/invoices/{invoice_id:path}.pdf", invoice_pdf_endpoint, methods=["GET"]),
            Route(
                "/sources/{source_id:path}/invoice-preview.html",
                preview_html_endpoint,
                methods=["GET"],
            ),
            Route(
                "/sources/{source_id:path}/invoice-preview.pdf",
                preview_pdf_endpoint,
                methods=["GET"],
            ),
            Route(
                "/credit-notes/{credit_note_id:path}.html",
                credit_note_html_endpoint,
                methods=["GET"],
            ),
            Route(
                "/credit-notes/{credit_note_id:path}.pdf", credit_note_pdf_endpoint, methods=["GET"]
            ),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
        ],
        middleware=[
            Middleware(
                BodySizeLimit,
                max_bytes=settings.max_body_bytes,
                # 10,000 events of a few hundred bytes each; gzip bodies are smaller still.
                limits_by_path={"/v1/usage": settings.max_bulk_body_bytes},
                read_timeout_seconds=settings.body_timeout_seconds,
            )
        ],
        lifespan=lifespan,
    )
