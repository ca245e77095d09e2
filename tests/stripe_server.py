"""A small Stripe-compatible HTTP server for tests: the endpoints Rebill uses, nothing more.

It speaks what the official SDK sends (form-encoded bodies, ``metadata[key]=value``, the
``Stripe-Account`` and ``Idempotency-Key`` headers), answers with Stripe-shaped JSON objects and
error bodies, keeps Stripe's idempotency rule (the same key replays the stored response and never
makes a second object; the same key with other parameters is an ``idempotency_error``) and records
every request. It runs under uvicorn in a thread, on 127.0.0.1 and a free port.

Failures are scripted per path: ``refuse_next`` answers the next request to a path with a Stripe
error body and makes nothing (stored under no idempotency key, as Stripe does for a refused
request), ``hang_next`` holds the next answer before anything is made, and
``timeout_after_create_once`` makes the next PaymentIntent and then holds its answer.
"""

from __future__ import annotations

import asyncio
import secrets
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

# Test payment methods, as Stripe's test mode names them: decline code by payment method.
DECLINING_PAYMENT_METHODS = {
    "pm_card_chargeDeclined": "generic_decline",
    "pm_card_chargeDeclinedInsufficientFunds": "insufficient_funds",
}

Json = dict[str, Any]


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]  # lower-case names
    form: dict[str, str]  # as sent: "metadata[rebill_source_id]" -> "..."

    @property
    def idempotency_key(self) -> str | None:
        return self.headers.get("idempotency-key")

    @property
    def stripe_account(self) -> str | None:
        return self.headers.get("stripe-account")


@dataclass(frozen=True)
class ScriptedFailure:
    """What the next request to a path gets instead of Stripe's usual answer."""

    status: int = 0  # 0: no error answer, only the hold
    error: Json = field(default_factory=dict)
    hold_seconds: float = 0.0


@dataclass
class StripeServer:
    url: str = ""
    requests: list[RecordedRequest] = field(default_factory=list)
    # Objects made, by kind ("account", "customer", ...); each remembers its Stripe-Account.
    objects: dict[str, list[Json]] = field(default_factory=dict)
    # The next PaymentIntent is created and stored, then the answer is held back this long.
    timeout_after_create_once: bool = False
    hang_seconds: float = 2.0
    _replies: dict[tuple[str | None, str], tuple[tuple[str, str, tuple[Any, ...]], int, Json]] = (
        field(default_factory=dict)
    )
    _scripted: dict[str, list[ScriptedFailure]] = field(default_factory=dict)

    def reset(self) -> None:
        self.requests.clear()
        self.objects.clear()
        self._replies.clear()
        self._scripted.clear()
        self.timeout_after_create_once = False

    def refuse_next(
        self,
        path: str,
        status: int,
        kind: str,
        message: str,
        code: str | None = None,
        param: str | None = None,
    ) -> None:
        """The next request to ``path`` answers ``status`` with Stripe's error body."""
        _, body = _error(status, kind, message, param, code)
        self._scripted.setdefault(path, []).append(ScriptedFailure(status, body))

    def hang_next(self, path: str, seconds: float | None = None) -> None:
        """The next request to ``path`` is held ``seconds`` (default hang_seconds) before
        anything is made: a client that gives up first leaves nothing made at Stripe."""
        hold = self.hang_seconds if seconds is None else seconds
        self._scripted.setdefault(path, []).append(ScriptedFailure(hold_seconds=hold))

    def made(self, kind: str) -> list[Json]:
        return self.objects.get(kind, [])

    def posts_to(self, path: str) -> list[RecordedRequest]:
        return [r for r in self.requests if r.method == "POST" and r.path == path]

    # --- the HTTP side -------------------------------------------------------------------

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/v1/accounts", self._endpoint(self._create_account), methods=["POST"]),
                Route("/v1/account_links", self._endpoint(self._create_link), methods=["POST"]),
                Route("/v1/customers", self._endpoint(self._create_customer), methods=["POST"]),
                Route("/v1/payment_intents", self._endpoint(self._create_intent), methods=["POST"]),
                Route("/v1/refunds", self._endpoint(self._create_refund), methods=["POST"]),
            ]
        )

    def _endpoint(self, create: Any) -> Any:
        async def endpoint(request: Request) -> JSONResponse:
            form = dict(parse_qsl((await request.body()).decode(), keep_blank_values=True))
            recorded = RecordedRequest(
                request.method,
                request.url.path,
                {k.lower(): v for k, v in request.headers.items()},
                form,
            )
            self.requests.append(recorded)
            scripted = self._scripted.get(recorded.path)
            if scripted:
                failure = scripted.pop(0)
                await asyncio.sleep(failure.hold_seconds)
                if not failure.status:
                    # The client gave up during the hold; it never reads this, nothing is made.
                    failure = ScriptedFailure(*_error(504, "api_error", "Held by the test server."))
                return JSONResponse(failure.error, failure.status)
            if not recorded.headers.get("authorization", "").startswith("Bearer sk_"):
                return _error_response(
                    401, "invalid_request_error", "Invalid API Key provided: rk_wro*****_123"
                )
            key = recorded.idempotency_key
            fingerprint = (recorded.method, recorded.path, tuple(sorted(form.items())))
            scope = (recorded.stripe_account, key or "")
            if key and scope in self._replies:
                stored_fingerprint, status, body = self._replies[scope]
                if stored_fingerprint != fingerprint:
                    return _error_response(
                        400,
                        "idempotency_error",
                        "Keys for idempotent requests can only be used with the same "
                        "parameters they were first used with.",
                    )
                return JSONResponse(body, status, headers={"Idempotent-Replayed": "true"})
            status, body = create(recorded, _nested(form))
            if key:
                self._replies[scope] = (fingerprint, status, body)
            if recorded.path == "/v1/payment_intents" and self.timeout_after_create_once:
                self.timeout_after_create_once = False
                await asyncio.sleep(self.hang_seconds)
            return JSONResponse(body, status)

        return endpoint

    def _store(self, kind: str, prefix: str, obj: Json, account: str | None) -> Json:
        obj = {"id": f"{prefix}_{secrets.token_hex(8)}", "object": kind, **obj}
        obj["created"] = int(time.time())
        obj["livemode"] = False
        self.objects.setdefault(kind, []).append({**obj, "_stripe_account": account})
        return obj

    def _create_account(self, request: RecordedRequest, params: Json) -> tuple[int, Json]:
        return 200, self._store(
            "account",
            "acct",
            {
                "type": params.get("type", "standard"),
                "email": params.get("email"),
                "business_profile": params.get("business_profile", {}),
                "metadata": params.get("metadata", {}),
                "charges_enabled": False,
                "details_submitted": False,
                "payouts_enabled": False,
            },
            request.stripe_account,
        )

    def _create_link(self, request: RecordedRequest, params: Json) -> tuple[int, Json]:
        account = params.get("account")
        if account not in {a["id"] for a in self.made("account")}:
            return _error(400, "invalid_request_error", "No such account.", "account")
        for name in ("return_url", "refresh_url", "type"):
            if not params.get(name):
                return _error(400, "invalid_request_error", f"Missing {name}.", name)
        now = int(time.time())
        return 200, {
            "object": "account_link",
            "created": now,
            "expires_at": now + 300,
            "url": f"{self.url}/setup/e/{account}/{secrets.token_hex(8)}",
        }

    def _create_customer(self, request: RecordedRequest, params: Json) -> tuple[int, Json]:
        return 200, self._store(
            "customer",
            "cus",
            {"name": params.get("name"), "email": None, "metadata": params.get("metadata", {})},
            request.stripe_account,
        )

    def _create_intent(self, request: RecordedRequest, params: Json) -> tuple[int, Json]:
        amount = params.get("amount", "")
        if not amount.isdigit() or int(amount) < 1:
            return _error(400, "invalid_request_error", "Invalid integer amount.", "amount")
        if not params.get("currency", "").islower():
            return _error(400, "invalid_request_error", "Invalid currency.", "currency")
        payment_method = params.get("payment_method")
        confirm = params.get("confirm") == "true"
        decline_code = DECLINING_PAYMENT_METHODS.get(payment_method or "") if confirm else None
        if decline_code is not None:
            status = "requires_payment_method"
        elif confirm and payment_method:
            status = "succeeded"
        elif payment_method:
            status = "requires_confirmation"
        else:
            status = "requires_payment_method"
        intent = self._store(
            "payment_intent",
            "pi",
            {
                "amount": int(amount),
                "currency": params["currency"],
                "customer": params.get("customer"),
                "payment_method": payment_method,
                "description": params.get("description"),
                "metadata": params.get("metadata", {}),
                "status": status,
            },
            request.stripe_account,
        )
        intent["client_secret"] = f"{intent['id']}_secret_{secrets.token_hex(8)}"
        self.made("payment_intent")[-1]["client_secret"] = intent["client_secret"]
        if decline_code is not None:
            status_code, body = _error(
                402, "card_error", "Your card was declined.", code="card_declined"
            )
            body["error"]["decline_code"] = decline_code
            body["error"]["payment_intent"] = intent
            return status_code, body
        return 200, intent

    def _create_refund(self, request: RecordedRequest, params: Json) -> tuple[int, Json]:
        """A refund of a PaymentIntent made here, on the same account, of at most what it
        collected less what was refunded of it already (Stripe's rule)."""
        intent_id = params.get("payment_intent")
        intents = [
            i
            for i in self.made("payment_intent")
            if i["id"] == intent_id and i["_stripe_account"] == request.stripe_account
        ]
        if not intents:
            return _error(
                400,
                "invalid_request_error",
                f"No such payment_intent: '{intent_id}'",
                "payment_intent",
                "resource_missing",
            )
        intent = intents[0]
        amount_text = params.get("amount", str(intent["amount"]))
        if not amount_text.isdigit() or int(amount_text) < 1:
            return _error(400, "invalid_request_error", "Invalid integer amount.", "amount")
        refunded = sum(r["amount"] for r in self.made("refund") if r["payment_intent"] == intent_id)
        if int(amount_text) > intent["amount"] - refunded:
            return _error(
                400,
                "invalid_request_error",
                "Refund amount is greater than unrefunded amount on charge.",
                "amount",
                "amount_too_large",
            )
        refund = self._store(
            "refund",
            "re",
            {
                "amount": int(amount_text),
                "currency": intent["currency"],
                "payment_intent": intent_id,
                "metadata": params.get("metadata", {}),
                "reason": params.get("reason"),
                "status": "succeeded",
            },
            request.stripe_account,
        )
        return 200, refund


def _error(
    status: int, kind: str, message: str, param: str | None = None, code: str | None = None
) -> tuple[int, Json]:
    error: Json = {"type": kind, "message": message}
    if param:
        error["param"] = param
    if code:
        error["code"] = code
    return status, {"error": error}


def _error_response(status: int, kind: str, message: str) -> JSONResponse:
    status, body = _error(status, kind, message)
    return JSONResponse(body, status)


def _nested(form: dict[str, str]) -> Json:
    """``{"metadata[a]": "1"}`` -> ``{"metadata": {"a": "1"}}``, as Stripe reads its bodies."""
    result: Json = {}
    for key, value in form.items():
        path = key.replace("]", "").split("[")
        node = result
        for part in path[:-1]:
            node = node.setdefault(part, {})
        node[path[-1]] = value
    return result


@pytest.fixture(scope="session")
def stripe_server_session() -> Iterator[StripeServer]:
    server_state = StripeServer()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    server_state.url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    config = uvicorn.Config(
        server_state.app(),
        log_level="warning",
        lifespan="off",
        http="h11",
        ws="none",
        timeout_graceful_shutdown=1,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test Stripe server did not start")
        time.sleep(0.01)
    try:
        yield server_state
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


@pytest.fixture
def stripe_server(stripe_server_session: StripeServer) -> Iterator[StripeServer]:
    """The server with nothing made and nothing recorded."""
    stripe_server_session.reset()
    yield stripe_server_session
    stripe_server_session.reset()
